import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { FleetInfo } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { applyFleet } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { useHostsStore } from '../hosts/hostsStore';
import { useRunbookStore } from '../runbooks/runbookStore';
import { AlertsPanel } from './AlertsPanel';
import { alertRecord } from '../../../common/alertRecord.fixture';

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const alert = (over: Partial<AlertRecord>): AlertRecord =>
  alertRecord({
    key: 'prod/sla-p95/coingecko',
    ruleId: 'sla-p95',
    section: 'sla-violations',
    endpoint: 'sla',
    item: 'coingecko',
    title: 'latency p95',
    severity: 'warning',
    reason: 'latency p95 2400 ms > 2000 ms',
    value: 2400,
    pendingSince: at(6),
    firedAt: at(5),
    ...over,
  });

const sla = [
  alert({ id: 'a-1' }),
  alert({ id: 'a-2', firedAt: at(4), ruleId: 'sla-p99', key: 'prod/sla-p99/coingecko', title: 'latency p99', reason: 'latency p99 6000 ms > 5000 ms' }),
  alert({
    id: 'a-3',
    ruleId: 'sla-success',
    key: 'prod/sla-success/coingecko',
    title: 'success rate',
    severity: 'critical',
    reason: 'success rate 90 % < 95 %',
  }),
];
const broker = alert({
  id: 'a-4',
  firedAt: at(2),
  ruleId: 'broker-status',
  key: 'prod/broker-status/ibkr',
  section: 'broker-connectivity',
  endpoint: 'brokers',
  item: 'ibkr',
  title: 'broker not online',
  severity: 'critical',
  reason: 'offline: gateway port 4001 closed',
});
const resolved = alert({ id: 'a-5', item: 'kraken', key: 'prod/sla-p95/kraken', state: 'resolved', resolvedAt: at(1), reason: 'latency p95 900 ms ≤ 2000 ms' });

function renderPanel(list: AlertRecord[]) {
  const fake = fakeApi({
    listAlerts: () => ({ ok: true, value: { alerts: list, suppressedNotifications: 0 } }),
    acknowledgeAlert: () => ({ ok: true, value: {} }) as never,
    snoozeAlert: () => ({ ok: true, value: {} }) as never,
  });
  act(() =>
    applyFleet({
      demo: true,
      configPath: null,
      user: 'u',
      hosts: [],
      deployments: [{ id: 'prod', name: 'Prod', hosts: [], healthVia: null, healthUrl: 'http://x' }],
    } as unknown as FleetInfo),
  );
  render(
    <ApiContext.Provider value={fake.api}>
      <AlertsPanel />
    </ApiContext.Provider>,
  );
  return fake;
}

describe('AlertsPanel', () => {
  it("groups the alerts of one item; the group with the worst alert comes first; each alert keeps the panel's reason", async () => {
    renderPanel([...sla, broker, resolved]);
    const list = await screen.findByRole('table', { name: 'Alert list' });
    const rows = within(list)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.getAttribute('aria-label'));
    // critical first, newest first: ibkr's alert, then the group holding coingecko's critical one
    expect(rows).toEqual([
      'Prod ibkr broker not online: firing',
      'Prod coingecko: 3 alerts',
      'Prod coingecko success rate: firing',
      'Prod coingecko latency p99: firing',
      'Prod coingecko latency p95: firing',
    ]);
    expect(within(list).getByRole('row', { name: 'Prod ibkr broker not online: firing' }).textContent).toContain('offline: gateway port 4001 closed');
    expect(screen.getByRole('status', { name: 'Alert summary' }).textContent).toBe('4 firing');
  });

  it("shows a bidi override in an alert's reason as an escape with a warning, never applied", async () => {
    renderPanel([{ ...broker, reason: 'error: breaker tripped \u202Etxt.exe' }]);
    const list = await screen.findByRole('table', { name: 'Alert list' });
    const row = within(list).getByRole('row', { name: 'Prod ibkr broker not online: firing' });
    expect(row.textContent).toContain('error: breaker tripped <U+202E>txt.exe');
    expect(within(row).getByRole('img', { name: /text-reordering \(bidirectional\)/ })).toBeTruthy();
    expect(row.outerHTML).not.toContain('\u202E');
  });

  it('resolved alerts are folded until asked for', async () => {
    const user = userEvent.setup();
    renderPanel([broker, resolved]);
    const list = await screen.findByRole('table', { name: 'Alert list' });
    expect(within(list).queryByRole('row', { name: /: resolved$/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Show 1 resolved' }));
    expect(within(list).getByRole('row', { name: 'Prod kraken latency p95: resolved' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Hide resolved' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('Ack all and Snooze all act on every alert of the group, and on nothing else', async () => {
    const user = userEvent.setup();
    const fake = renderPanel([...sla, broker]);
    await screen.findByRole('table', { name: 'Alert list' });
    await user.click(screen.getByRole('button', { name: 'Acknowledge all 3 alerts on coingecko' }));
    expect(fake.calls('acknowledgeAlert')).toEqual([{ id: 'a-3' }, { id: 'a-2' }, { id: 'a-1' }]);
    await user.click(screen.getByRole('button', { name: 'Snooze all 3 alerts on coingecko for 1 hour' }));
    expect(fake.calls('snoozeAlert')).toEqual([
      { id: 'a-3', minutes: 60 },
      { id: 'a-2', minutes: 60 },
      { id: 'a-1', minutes: 60 },
    ]);
  });

  it('a single alert has no group row; its runbook link opens the runbooks and remembers the way back to its panel', async () => {
    const user = userEvent.setup();
    renderPanel([broker]);
    const list = await screen.findByRole('table', { name: 'Alert list' });
    expect(within(list).getAllByRole('row')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Open runbook broker-connectivity for ibkr broker not online' }));
    expect(useAppStore.getState()).toMatchObject({ view: 'runbooks', returnTo: { deploymentId: 'prod', endpoint: 'brokers', label: 'Prod ibkr' } });
    // the rule's id goes along: the runbook's front matter links rules to their fix blocks
    // and the alert itself: a run started from the runbook records which alert it answered
    expect(useRunbookStore.getState().alertFocus).toEqual({
      item: 'ibkr',
      ruleId: 'broker-status',
      ruleTitle: 'broker not online',
      alert: {
        id: 'a-4',
        key: 'prod/broker-status/ibkr',
        firedAt: broker.firedAt,
        ruleId: 'broker-status',
        title: 'broker not online',
        item: 'ibkr',
        deploymentId: 'prod',
        endpoint: 'brokers',
      },
    });
  });

  it('a host that cannot be reached is its own row, named for the host, linked to the host rather than a runbook', async () => {
    const user = userEvent.setup();
    const host = alert({
      id: 'a-9',
      key: 'host:web-1/host-unreachable/web-1',
      deploymentId: null,
      hostId: 'web-1',
      endpoint: null,
      section: null,
      ruleId: 'host-unreachable',
      item: 'Web 1',
      title: 'cannot be reached',
      severity: 'critical',
      value: null,
      reason: 'Web 1 cannot be reached: connect ECONNREFUSED 10.0.0.5:22; next attempt 12:00:08 UTC (attempt 3)',
    });
    renderPanel([host, broker]);
    const list = await screen.findByRole('table', { name: 'Alert list' });
    const row = within(list).getByRole('row', { name: 'host Web 1 cannot be reached: firing' });
    expect(row.textContent).toContain('connect ECONNREFUSED 10.0.0.5:22; next attempt 12:00:08 UTC');
    expect(row.textContent).toContain('check: host Web 1');
    expect(within(row).queryByRole('button', { name: /^Open runbook/ })).toBeNull();
    await user.click(within(row).getByRole('button', { name: 'Open host Web 1 for Web 1 cannot be reached' }));
    expect(useHostsStore.getState().selectedHostId).toBe('web-1');
    expect(useAppStore.getState().view).toBe('hosts');
  });
});
