import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
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

function show(chainError: string | null) {
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
  });
  render(
    <ApiContext.Provider value={fake.api}>
      <AuditView />
    </ApiContext.Provider>,
  );
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
