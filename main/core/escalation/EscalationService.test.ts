import { describe, expect, it } from 'vitest';
import type { AuditRecord, DeploymentId, EndpointState, HostFacts, HostId } from '../../../common/contract';
import { Redactor } from '../redact/Redactor';
import { EscalationService } from './EscalationService';

const record = (over: Partial<AuditRecord>): AuditRecord => ({
  seq: 1, at: '2026-11-26T10:00:00.000Z', kind: 'intent', user: 'alice', runId: null, actionId: null, hostId: 'at-1', command: null, exitCode: null, outcome: null, prevHash: '0', hash: '1', ...over,
});

function service(opened: string[], records: AuditRecord[], health: EndpointState[] = [], facts: Partial<HostFacts>[] = []) {
  return new EscalationService({
    escalation: { prod: { ticket: 'https://tickets.example.com/new?p=AT', pagerduty: 'https://acme.pagerduty.com/services/P1' } },
    deployment: (id) => (id === 'prod' ? { name: 'Prod | EU', hosts: ['at-1' as HostId] } : undefined),
    hostLabel: (id) => (id === 'at-1' ? 'trader-1' : id),
    health: () => health,
    alerts: () => [
      { deploymentId: 'prod', item: 'coingecko_api', title: 'breaker open', severity: 'critical', state: 'firing', reason: 'OPEN: 7/5 failures | HTTP 429', pendingSince: '2026-11-26T11:00:00.000Z', firedAt: '2026-11-26T11:00:30.000Z', resolvedAt: null, acknowledgedBy: 'bob' },
      { deploymentId: 'other', item: 'x', title: 'not ours', severity: 'warning', state: 'pending', reason: '', pendingSince: '2026-11-26T11:00:00.000Z', firedAt: null, resolvedAt: null, acknowledgedBy: null },
    ],
    hostFacts: () => facts as HostFacts[],
    auditTail: async () => records,
    redactor: new Redactor(),
    clock: { now: () => Date.parse('2026-11-26T12:00:00Z') },
    openExternal: async (url) => {
      opened.push(url);
      return true;
    },
  });
}

describe('EscalationService', () => {
  it('opens the configured URL and returns the timeline as a Markdown table, redacted', async () => {
    const opened: string[] = [];
    const s = service(opened, [
      record({ kind: 'intent', actionId: 'config.set', command: "sed -i 's/x/y/' /etc/autotrader/env # ALPACA_API_KEY=PKLIVE123456", outcome: null }),
      record({ seq: 2, kind: 'result', actionId: 'service.restart', command: 'systemctl restart autotrader-ingestion', exitCode: 0, outcome: 'succeeded | fine\nsecond line' }),
      record({ seq: 3, hostId: 'other', command: 'not ours' }),
    ], [
      { deploymentId: 'prod', endpoint: 'circuit-breakers', status: 'error', error: { kind: 'timeout', message: 'no answer in 4 s' }, lastGoodAt: null, items: {} } as unknown as EndpointState,
    ], [{ hostId: 'at-1' as HostId, status: 'fail', reasons: ['autotrader-workers.service stopped (dead)'] }]);
    const result = await s.escalate('prod' as DeploymentId, 'ticket');
    expect(opened).toEqual(['https://tickets.example.com/new?p=AT']);
    expect(result.opened).toBe(true);
    const md = result.markdown;
    expect(md).toContain('# Incident timeline: Prod \\| EU');
    expect(md).toContain('- circuit-breakers: timeout: no answer in 4 s (last good never)');
    expect(md).toContain('- host trader-1: autotrader-workers.service stopped (dead)');
    expect(md).toContain('| 2026-11-26T11:00:30.000Z | critical | firing | coingecko_api | breaker open | OPEN: 7/5 failures \\| HTTP 429 |  | bob |');
    expect(md).not.toContain('PKLIVE123456');
    expect(md).toContain('ALPACA_API_KEY=[REDACTED]');
    // a pipe or newline in the data cannot break the table
    expect(md).toContain('| succeeded \\| fine second line |');
    expect(md).not.toContain('not ours');
    const rows = md.split('\n').filter((l) => l.startsWith('| 2026-11-26T10'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|').length).toBe(10);
  });

  it('names the missing config key, and refuses unknown deployments', async () => {
    const s = service([], []);
    await expect(s.escalate('prod' as DeploymentId, 'logs')).rejects.toThrow('Prod | EU: the config names no log platform URL (deployments[].escalation.logs)');
    await expect(s.escalate('nope' as DeploymentId, 'ticket')).rejects.toThrow('no deployment "nope"');
  });

  it('allows exactly the configured origins', () => {
    expect(service([], []).allowedOrigins().sort()).toEqual(['https://acme.pagerduty.com', 'https://tickets.example.com']);
  });
});
