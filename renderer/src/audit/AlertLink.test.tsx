import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AuditRecord, FleetInfo, RunAlert } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { alertRecord } from '../../../common/alertRecord.fixture';
import { fakeApi } from '../../test/fakeApi';
import { AlertsPanel } from '../alerts/AlertsPanel';
import { ApiContext } from '../api/ApiContext';
import { applyFleet, setView } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { AuditView } from './AuditView';
import { runAlert } from '../../../common/runAlert.fixture';

const broker = alertRecord({
  id: 'a-4',
  key: 'prod/broker-status/ibkr',
  ruleId: 'broker-status',
  section: 'broker-connectivity',
  endpoint: 'brokers',
  item: 'ibkr',
  title: 'broker not online',
  reason: 'offline: gateway port 4001 closed',
  firedAt: '2026-12-06T19:58:00.000Z',
});

const fromBroker: RunAlert = runAlert({ id: 'a-4', key: 'prod/broker-status/ibkr', firedAt: '2026-12-06T19:58:00.000Z', ruleId: 'broker-status' });

const record = (seq: number, kind: AuditRecord['kind'], over: Partial<AuditRecord> = {}): AuditRecord => ({
  seq,
  at: `2026-12-06T20:00:0${seq}.000Z`,
  kind,
  user: 'alice',
  runId: 'run-00000000000000aa',
  actionId: 'broker.reconnect',
  hostId: 'trader-1',
  command: 'systemctl restart ibgateway',
  exitCode: kind === 'result' ? 0 : null,
  outcome: kind === 'result' ? 'succeeded' : null,
  prevHash: '0'.repeat(64),
  hash: String(seq).repeat(64),
  ...over,
});

function show(alerts: AlertRecord[]) {
  act(() =>
    applyFleet({
      demo: false,
      configPath: null,
      user: 'alice',
      hosts: [{ id: 'trader-1', label: 'trader-1', address: '10.20.0.11', port: 22, user: 'root', demo: false }],
      deployments: [{ id: 'prod', name: 'Prod', hosts: ['trader-1'], healthVia: 'trader-1', healthUrl: 'http://127.0.0.1:8000' }],
    } as FleetInfo),
  );
  act(() => setView('audit'));
  const records = [record(1, 'intent', { alert: fromBroker }), record(2, 'result'), record(3, 'intent', { runId: 'run-00000000000000bb' })];
  const fake = fakeApi({
    listAudit: () => ({ ok: true, value: { records, chainOk: true, chainError: null, anchors: null } }),
    listAlerts: () => ({ ok: true, value: { alerts, suppressedNotifications: 0 } }),
  });
  // the alert strip is on every view, above the audit log
  render(
    <ApiContext.Provider value={fake.api}>
      <AlertsPanel />
      <AuditView />
    </ApiContext.Provider>,
  );
}

const auditRow = (seq: number) => within(screen.getByRole('table', { name: 'Audit records' })).getByRole('row', { name: new RegExp(`^record ${seq}: `) });

describe("an audit row's link to the alert its run came from", () => {
  it("is on the run's intent only, and by keyboard opens the alert in the strip, its row focused", async () => {
    const user = userEvent.setup();
    show([broker]);
    const link = await within(await screen.findByRole('row', { name: /^record 1: / })).findByRole('button', { name: 'from alert: broker not online ibkr' });
    expect(within(auditRow(2)).queryByRole('button', { name: /^from alert/ })).toBeNull();
    expect(within(auditRow(3)).queryByRole('button', { name: /^from alert/ })).toBeNull();
    await screen.findByRole('row', { name: 'Prod ibkr broker not online: firing' });

    link.focus();
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByRole('row', { name: 'Prod ibkr broker not online: firing' }));
    // the page stays where it was: the strip is on every view
    expect(useAppStore.getState().view).toBe('audit');
  });

  it('unfolds a resolved alert to focus it', async () => {
    const user = userEvent.setup();
    show([{ ...broker, state: 'resolved', resolvedAt: '2026-12-06T20:05:00.000Z', reason: 'online' }]);
    expect(screen.queryByRole('row', { name: 'Prod ibkr broker not online: resolved' })).toBeNull();
    await user.click(await screen.findByRole('button', { name: 'from alert: broker not online ibkr' }));
    const row = await screen.findByRole('row', { name: 'Prod ibkr broker not online: resolved' });
    expect(document.activeElement).toBe(row);
    expect(screen.getByRole('button', { name: 'Hide resolved' }).getAttribute('aria-expanded')).toBe('true');
  });

  it("opens a later firing of the same problem when the run's own firing is no longer listed", async () => {
    const user = userEvent.setup();
    show([{ ...broker, id: 'a-9', firedAt: '2026-12-06T20:10:00.000Z' }]);
    await user.click(await screen.findByRole('button', { name: 'from alert: broker not online ibkr' }));
    const row = await screen.findByRole('row', { name: /^Prod ibkr broker not online: / });
    expect(document.activeElement).toBe(row);
  });

  it('opens the panel the alert concerned when the alert is no longer listed, or when a restarted console reused its id', async () => {
    const user = userEvent.setup();
    // same id, another problem: alert ids start again with main
    show([{ ...broker, key: 'prod/sla-p95/coingecko', item: 'coingecko', ruleId: 'sla-p95', title: 'latency p95' }]);
    await user.click(await screen.findByRole('button', { name: 'from alert: broker not online ibkr' }));
    expect(useAppStore.getState()).toMatchObject({ view: 'deployment', selectedDeploymentId: 'prod', focusEndpoint: 'brokers' });
    expect(screen.getByRole('row', { name: 'Prod coingecko latency p95: firing' }).getAttribute('tabindex')).toBeNull();
  });
});
