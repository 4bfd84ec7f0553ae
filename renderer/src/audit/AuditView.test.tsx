import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditRecord, FleetInfo } from '../../../common/contract';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { applyFleet } from '../store/actions';
import { AuditView } from './AuditView';

const record = (seq: number, kind: AuditRecord['kind'], outcome: string | null, exitCode: number | null): AuditRecord => ({
  seq,
  at: `2026-12-06T20:00:0${seq}.000Z`,
  kind,
  user: 'alice',
  runId: 'run-00000000000000aa',
  actionId: 'service.restart',
  hostId: 'trader-1',
  command: 'systemctl restart autotrader-api',
  exitCode,
  outcome,
  prevHash: '0'.repeat(64),
  hash: String(seq).repeat(64),
});

const records = [
  record(1, 'intent', null, null),
  record(2, 'result', 'succeeded', 0),
  record(3, 'intent', null, null),
  record(4, 'result', 'failed: exit code 3', 3),
];

function show(chainError: string | null, answers: Parameters<typeof fakeApi>[0] = {}) {
  // the app shows the Audit view once the fleet is loaded
  applyFleet({
    demo: false,
    configPath: '/home/oncall/.config/opsdeck/config.yaml',
    user: 'alice',
    hosts: [{ id: 'trader-1', label: 'trader-1', address: '10.20.0.11', port: 22, user: 'root', demo: false }],
    deployments: [{ id: 'prod', name: 'Prod', hosts: ['trader-1'], healthVia: 'trader-1', healthUrl: 'http://127.0.0.1:8000' }],
  } as FleetInfo);
  const fake = fakeApi({
    listAudit: () => ({ ok: true, value: { records, chainOk: chainError === null, chainError, anchors: null } }),
    ...answers,
  });
  render(
    <ApiContext.Provider value={fake.api}>
      <AuditView />
    </ApiContext.Provider>,
  );
  return fake;
}

const rows = () =>
  within(screen.getByRole('table', { name: 'Audit records' }))
    .getAllByRole('row')
    .slice(1);

describe('the audit table', () => {
  it('shows each outcome at a glance, newest first', async () => {
    show(null);
    expect(await screen.findByRole('status', { name: 'Chain status' })).toHaveProperty('textContent', 'hash chain intact');
    expect(rows().map((r) => r.getAttribute('aria-label'))).toEqual([
      'record 4: result failed: exit code 3',
      'record 3: intent —',
      'record 2: result succeeded',
      'record 1: intent —',
    ]);
    expect(within(rows()[0]!).getByRole('img', { name: 'failed' })).toBeTruthy();
    expect(within(rows()[2]!).getByRole('img', { name: 'succeeded' })).toBeTruthy();
  });

  it('marks the row of the record a broken chain names, and only that row', async () => {
    show('line 3: record 3 was altered (hash mismatch)');
    await screen.findByText(/The chain breaks at record 3 \(marked ■ below\)/);
    const altered = rows().filter((r) => r.classList.contains('row-altered'));
    expect(altered.map((r) => r.getAttribute('aria-label'))).toEqual(['record 3: chain breaks here, intent —']);
    expect(within(altered[0]!).getByRole('img', { name: 'chain breaks here' })).toBeTruthy();
  });
});

describe("a run's kept output", () => {
  // happy-dom lays nothing out; the output view draws the lines within its height (VirtualOutput.tsx)
  beforeAll(() => {
    const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight')!.get!;
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.classList.contains('vout-scroll') ? 420 : (clientHeight.call(this) as number);
    });
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  // two pages: the last one (where the run ended) opens first
  const page = (n: number) =>
    n === 0
      ? ['stopping autotrader-api', '[stderr] warning: ALPACA_SECRET_KEY=[REDACTED]']
      : ['[opsdeck] 1,200 bytes cut from the middle of this output: a run keeps its first and last 524,288 bytes on each host', 'started'];

  it('opens from the Output button of a result row, by keyboard, last page first, stderr as stderr, and closes back to the button', async () => {
    const user = userEvent.setup();
    const fake = show(null, {
      readRunOutput: ({ page: asked }) => {
        const at = Math.min(asked, 1);
        return { ok: true, value: { page: at, pages: 2, lines: page(at), total: 4 } };
      },
    });
    await screen.findByRole('status', { name: 'Chain status' });
    // result rows only: an intent has no output of its own
    expect(rows().map((r) => within(r).queryByRole('button', { name: /^Output/ }) !== null)).toEqual([true, false, true, false]);
    const button = within(rows()[0]!).getByRole('button', { name: 'Output: service.restart on trader-1, record 4' });
    button.focus();
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Output: service.restart on trader-1' });
    expect(await within(dialog).findByRole('status', { name: 'Kept output position' })).toHaveProperty('textContent', 'page 2 of 2 · 4 lines kept');
    expect(fake.calls('readRunOutput')[0]).toEqual({ runId: 'run-00000000000000aa', hostId: 'trader-1', page: 1_000_000 });
    const log = within(dialog).getByRole('log', { name: 'Output from trader-1' });
    expect(log.textContent).toContain('bytes cut from the middle of this output');
    const firstPage = within(dialog).getByRole('button', { name: 'First page' });
    firstPage.focus();
    await user.keyboard('{Enter}');
    await within(dialog).findByText('page 1 of 2 · 4 lines kept');
    // on the first page it is unavailable, and keeps the focus it had
    expect(firstPage.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(firstPage);
    const stderr = within(dialog).getByText('warning: ALPACA_SECRET_KEY=[REDACTED]');
    expect(stderr.closest('.vout-line')!.classList.contains('stderr')).toBe(true);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('says so when main no longer keeps the output', async () => {
    const user = userEvent.setup();
    show(null, {
      readRunOutput: () => ({
        ok: false,
        error: { code: 'not-found', message: "the output of run-00000000000000aa on trader-1 is not kept: only the newest 200 runs' outputs are" },
      }),
    });
    await screen.findByRole('status', { name: 'Chain status' });
    await user.click(within(rows()[2]!).getByRole('button', { name: /^Output/ }));
    const dialog = await screen.findByRole('dialog');
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      "the output of run-00000000000000aa on trader-1 is not kept: only the newest 200 runs' outputs are",
    );
    expect(within(dialog).queryByRole('log')).toBeNull();
  });
});
