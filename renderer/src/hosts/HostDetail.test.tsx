import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../../common/contract';
import { hostFacts } from '../../../common/hostFacts.fixture';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { failedUnitsText, HostDetail, loadText } from './HostDetail';
import { HostFleetTable } from './HostFleetTable';
import { applyFacts } from './hostsStore';

const facts = hostFacts;

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

// A format character that changes what a reader sees without being seen itself.
const RAW_HIDDEN = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/;
const WARNING = '⚠ hidden characters';

/** Every attribute value under `root` (titles, aria-labels: what hover and screen readers give). */
const attributeValues = (root: Element): string[] => [root, ...root.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.value));

describe('host facts carrying invisible and bidirectional characters', () => {
  // what a host, or a process on it, can report: each string hides a character
  const hostile = facts({
    status: 'fail',
    os: 'Debian\u200B GNU/Linux 12',
    kernel: 'Linux 6.1\u202E1.6',
    processes: [{ name: 'ib\u202Egateway', running: true, pids: [4242], commands: ['java'] }],
    disks: [
      { mount: '/srv/da\u200Bta', filesystem: '/dev/sd\u2066b1', type: 'ext4', sizeBytes: 100, usedBytes: 50, availableBytes: 50, usedPct: 50, status: 'ok' },
    ],
    units: [{ ...unit('autotrader-api.service'), why: 'running \u2066(healthy)\u2069' }, unit('tele\u200Bgraf.service')] as HostFacts['units'],
    failedUnits: ['seed\u202E.service'],
  });

  it('shows every one as a <U+XXXX> escape with the warning, and no raw format character in text or attributes', () => {
    applyFacts([hostile]);
    render(
      <ApiContext.Provider value={fakeApi({ listActions: () => ({ ok: true, value: CATALOG }) as never }).api}>
        <HostDetail hostId="trader-1" label="trader-1" />
      </ApiContext.Provider>,
    );
    const host = screen.getByRole('region', { name: 'Host trader-1' });
    expect(host.textContent).not.toMatch(RAW_HIDDEN);
    for (const value of attributeValues(host)) expect(value).not.toMatch(RAW_HIDDEN);

    // the process name, the row's term in the figures
    const figures = screen.getByLabelText('trader-1 figures');
    const process = within(figures)
      .getAllByRole('term')
      .find((t) => t.textContent?.includes('gateway'));
    expect(process?.textContent).toBe(`ib<U+202E>gateway ${WARNING}`);
    expect(within(process!).getByRole('img').getAttribute('aria-label')).toMatch(/bidirectional/);

    // the mount path: row header, its name for screen readers and the whole path on hover
    const disk = screen.getByRole('row', { name: 'disk /srv/da<U+200B>ta: ok, 50 % used' });
    const mount = within(disk).getByRole('rowheader');
    expect(mount.textContent).toBe(`/srv/da<U+200B>ta ${WARNING}`);
    expect(mount.getAttribute('title')).toBe('/srv/da<U+200B>ta');
    expect(within(disk).getByText(/\/dev\/sd/).textContent).toBe(`/dev/sd<U+2066>b1 (ext4) ${WARNING}`);

    // the unit's state in words, and a unit name with the buttons' names escaped too
    const api = screen.getByRole('row', { name: /^autotrader-api\.service/ });
    expect(within(api).getByText(/healthy/).textContent).toBe(`running <U+2066>(healthy)<U+2069> ${WARNING}`);
    const telegraf = screen.getByRole('row', { name: 'tele<U+200B>graf.service: ok, active' });
    expect(within(telegraf).getByRole('rowheader').textContent).toBe(`tele<U+200B>graf.service ${WARNING}`);

    // the OS, the kernel and the failed-unit list
    expect(within(host).getByText(/Debian/).textContent).toBe(`Debian<U+200B> GNU/Linux 12 ${WARNING}`);
    expect(within(figures).getByText(/Linux 6\.1/).textContent).toBe(`Linux 6.1<U+202E>1.6 ${WARNING}`);
    expect(screen.getByLabelText('Failed units').textContent).toBe(`systemctl --failed: seed<U+202E>.service ${WARNING}`);
  });

  it("the fleet table's reasons, quoting a unit and a mount, are escaped in the row and in the icon's name", () => {
    const reasons = ['ib\u202Egateway not running', 'disk /srv/da\u200Bta 97 % used', 'unit \u2066x\u2069 unknown'];
    render(<HostFleetTable rows={[{ id: 'trader-1', label: 'trader-1', facts: { ...hostile, reasons }, trouble: 3 }]} selected="trader-1" />);
    const table = screen.getByRole('table', { name: 'Hosts by trouble' });
    expect(table.textContent).not.toMatch(RAW_HIDDEN);
    for (const value of attributeValues(table)) expect(value).not.toMatch(RAW_HIDDEN);
    const shown = 'ib<U+202E>gateway not running; disk /srv/da<U+200B>ta 97 % used; unit <U+2066>x<U+2069> unknown';
    expect(within(table).getByText(/gateway/).textContent).toBe(`${shown} ${WARNING}`);
    expect(within(table).getByRole('img', { name: `failing: ${shown}` })).toBeTruthy();
  });
});
