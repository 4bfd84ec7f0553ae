import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../../common/contract';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { failedUnitsText, HostDetail, loadText } from './HostDetail';
import { applyFacts } from './hostsStore';

const facts = (over: Partial<HostFacts>): HostFacts =>
  ({
    hostId: 'trader-1',
    status: 'ok',
    trouble: 0,
    reasons: [],
    refreshedAt: '2026-11-26T12:00:00.000Z',
    error: null,
    os: 'Debian GNU/Linux 12',
    kernel: 'Linux 6.1',
    uptimeSeconds: 3600,
    load: [0.5, 0.4, 0.3],
    cpus: 4,
    cpuPct: 10,
    memory: null,
    disks: [],
    units: [],
    unitsError: null,
    failedUnits: [],
    failedUnitsError: null,
    processes: [],
    history: { at: [], load1: [], memPct: [], diskPct: [] },
    ...over,
  }) as HostFacts;

describe('host facts in words', () => {
  it('says "none" for failed units only when systemctl --failed answered on this host', () => {
    expect(failedUnitsText(facts({}))).toBe('none');
    expect(failedUnitsText(facts({ failedUnits: ['autotrader-api.service'] }))).toBe('autotrader-api.service');
    expect(failedUnitsText(facts({ failedUnitsError: 'systemctl is not installed on this host' }))).toBe('unknown: systemctl is not installed on this host');
    const down = 'not connected: ssh: connect ECONNREFUSED 10.0.0.7:22';
    expect(failedUnitsText(facts({ error: down, failedUnitsError: down }))).toBe(`unknown: ${down}`);
    expect(failedUnitsText(facts({ refreshedAt: null }))).toBe('unknown: not read yet');
  });

  it('says what load it knows, without "– on ? CPUs"', () => {
    expect(loadText([0.5, 0.4, 0.3], 4)).toBe('0.50 / 0.40 / 0.30 on 4 CPUs');
    expect(loadText([0.5, 0.4, 0.3], 1)).toBe('0.50 / 0.40 / 0.30 on 1 CPU');
    expect(loadText([0.5, 0.4, 0.3], null)).toBe('0.50 / 0.40 / 0.30');
    expect(loadText(null, null)).toBe('unknown (not read)');
  });

  it('an unreachable host shows its own reason', () => {
    applyFacts([
      facts({
        hostId: 'trader-2' as HostFacts['hostId'],
        status: 'unknown',
        error: 'trader-2: host unreachable (timed out after 10 s)',
        failedUnitsError: 'trader-2: host unreachable (timed out after 10 s)',
        refreshedAt: null,
      }),
    ]);
    render(
      <ApiContext.Provider value={fakeApi({}).api}>
        <HostDetail hostId="trader-2" label="trader-2" />
      </ApiContext.Provider>,
    );
    expect(screen.getByLabelText('Failed units').textContent).toBe('systemctl --failed: unknown: trader-2: host unreachable (timed out after 10 s)');
  });
});

const unitParam = { name: 'unit', label: 'Unit', kind: 'enum' as const, choices: ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers'] };
const summary = (id: string, title: string, params: object[]) => ({
  id,
  title,
  section: 'data-freshness',
  risk: 'read-only',
  streams: false,
  params,
  description: '',
  followUp: null,
});
// the catalog's three unit actions as listActions returns them (the e2e spec runs the real catalog)
const CATALOG = [
  summary('service.status', 'Status of an autotrader service', [unitParam]),
  summary('service.restart', 'Restart an autotrader service', [unitParam]),
  summary('journal.follow', "Follow a unit's journal live", [
    unitParam,
    { name: 'lines', label: 'Lines first', kind: 'integer', min: 0, max: 1000, default: 20 },
  ]),
];
const unit = (name: string) => ({
  unit: name,
  load: 'loaded',
  active: 'active',
  sub: 'running',
  result: 'success',
  mainPid: 41,
  restarts: 0,
  since: null,
  status: 'ok',
  why: 'running',
});

describe('the Units table', () => {
  const show = (over: Partial<HostFacts>) => {
    const fake = fakeApi({
      listActions: () => ({ ok: true, value: CATALOG }) as never,
      previewAction: () => ({ ok: false, error: { code: 'unavailable', message: 'test' } }),
    });
    applyFacts([facts({ units: [unit('autotrader-api.service'), unit('redis-server.service')] as HostFacts['units'], ...over })]);
    render(
      <ApiContext.Provider value={fake.api}>
        <HostDetail hostId="trader-1" label="trader-1" />
      </ApiContext.Provider>,
    );
    return fake;
  };

  it("previews status, restart and journal of the row's unit through the catalog", async () => {
    const fake = show({});
    await userEvent.click(await screen.findByRole('button', { name: 'Restart autotrader-api.service on trader-1' }));
    await userEvent.click(screen.getByRole('button', { name: 'Journal autotrader-api.service on trader-1' }));
    await userEvent.click(screen.getByRole('button', { name: 'Status autotrader-api.service on trader-1' }));
    expect(fake.calls('previewAction')).toEqual([
      { actionId: 'service.restart', params: { unit: 'autotrader-api' }, hostIds: ['trader-1'] },
      { actionId: 'journal.follow', params: { unit: 'autotrader-api', lines: 20 }, hostIds: ['trader-1'] },
      { actionId: 'service.status', params: { unit: 'autotrader-api' }, hostIds: ['trader-1'] },
    ]);
    // Redis is not a unit the catalog's service actions take: no buttons, and the row says so
    const redis = screen.getByRole('row', { name: /^redis-server\.service/ });
    expect(within(redis).queryAllByRole('button')).toEqual([]);
    expect(within(redis).getByText('not in the catalog')).toBeTruthy();
  });

  it('says the units are unknown, with the reason, when systemctl could not read them', async () => {
    show({ unitsError: 'systemctl exited 1: System has not been booted with systemd as init system (PID 1).', units: [] });
    expect(screen.getByLabelText('Units unknown').textContent).toBe(
      'units unknown: systemctl exited 1: System has not been booted with systemd as init system (PID 1).',
    );
  });

  it('cuts a long mount path with an ellipsis and keeps the whole path on hover', () => {
    const mount = '/srv/autotrader/data/ingestion/spool/very/long/path/that/would/push/the/table/out/of/its/panel';
    show({ disks: [{ mount, filesystem: '/dev/sdb1', type: 'ext4', sizeBytes: 100, usedBytes: 50, availableBytes: 50, usedPct: 50, status: 'ok' }] });
    const header = within(screen.getByRole('row', { name: `disk ${mount}: ok, 50 % used` })).getByRole('rowheader');
    expect(header.getAttribute('title')).toBe(mount);
    expect(header.querySelector('.clip')?.textContent).toBe(mount);
  });
});
