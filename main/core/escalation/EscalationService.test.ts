// Escalation composed as the app composes it: a real AuditLog on disk and the Audit view's
// IncidentExporter, so the ticket gets the same verified timeline the Audit view exports.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState, HostFacts, HostId } from '../../../common/contract';
import { alertRecord } from '../../../common/alertRecord.fixture';
import { AuditLog } from '../audit/AuditLog';
import { IncidentExporter } from '../audit/IncidentExporter';
import { Redactor } from '../redact/Redactor';
import { EscalationService } from './EscalationService';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const clock = { now: () => NOW };
const redactor = new Redactor();
let dir: string;
let file: string;
let audit: AuditLog;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-escalation-'));
  file = join(dir, 'audit.jsonl');
  audit = new AuditLog({ path: file, redactor, clock: { now: () => NOW - 3600_000 } });
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const breakerAlert = alertRecord({
  reason: 'OPEN: 7/5 failures',
  pendingSince: '2026-11-26T11:00:00.000Z',
  firedAt: '2026-11-26T11:00:30.000Z',
  acknowledgedAt: '2026-11-26T11:05:00.000Z',
  acknowledgedBy: 'bob',
});

function service(opened: string[] | null, health: EndpointState[] = [], facts: Partial<HostFacts>[] = []) {
  const deployments = [{ id: 'prod', name: 'Prod | EU', hosts: ['at-1'] }] as unknown as ReturnType<
    ConstructorParameters<typeof IncidentExporter>[0]['deployments']
  >;
  const exporter = new IncidentExporter({
    audit,
    alerts: () => [breakerAlert, alertRecord({ ...breakerAlert, id: 'a-2', deploymentId: 'other', title: 'not ours' })],
    deployments: () => deployments,
    redactor,
    clock,
    user: 'alice',
  });
  return new EscalationService({
    escalation: { prod: { ticket: 'https://tickets.example.com/new?token=T0K3N', pagerduty: 'https://acme.pagerduty.com/services/P1' } },
    deployment: (id) => (id === 'prod' ? { name: 'Prod | EU', hosts: ['at-1' as HostId] } : undefined),
    hostLabel: (id) => (id === 'at-1' ? 'trader-1' : id),
    health: () => health,
    hostFacts: () => facts as HostFacts[],
    incidentTimeline: async (deploymentId, now) => (await exporter.export({ deploymentId }, now)).markdown,
    openExternal: async (url) => {
      if (!opened) return false;
      opened.push(url);
      return true;
    },
  });
}

describe('EscalationService', () => {
  it('opens the configured URL and returns what is wrong now and the verified timeline, redacted', async () => {
    await audit.append({
      kind: 'intent',
      user: 'alice',
      actionId: 'config.set',
      hostId: 'at-1',
      command: "sed -i 's/x/y/' /etc/autotrader/env # ALPACA_API_KEY=PKLIVE123456",
    });
    await audit.append({
      kind: 'result',
      user: 'alice',
      actionId: 'service.restart',
      hostId: 'at-1',
      command: 'systemctl restart autotrader-ingestion',
      exitCode: 0,
      outcome: 'succeeded',
    });
    await audit.append({ kind: 'intent', user: 'alice', hostId: 'other', command: 'echo not-ours' });
    const opened: string[] = [];
    const s = service(
      opened,
      [
        {
          deploymentId: 'prod',
          endpoint: 'circuit-breakers',
          status: 'error',
          error: { kind: 'timeout', message: 'no answer in 4 s' },
          lastGoodAt: null,
          items: {},
        } as unknown as EndpointState,
        {
          deploymentId: 'prod',
          endpoint: 'sla',
          status: 'ok',
          error: null,
          lastGoodAt: null,
          items: { coingecko: { ok: false, why: 'success rate 93 % < 95 %' } },
        } as unknown as EndpointState,
      ],
      [{ hostId: 'at-1' as HostId, status: 'fail', reasons: ['autotrader-workers.service stopped (dead)'] }],
    );
    const result = await s.escalate('prod' as DeploymentId, 'ticket');
    expect(opened).toEqual(['https://tickets.example.com/new?token=T0K3N']);
    // the system browser has the URL (and its token); the renderer does not need it
    expect(result).toMatchObject({ opened: true, url: null });
    const md = result.markdown;
    expect(md).toContain('# Incident timeline: Prod \\| EU');
    expect(md).toContain('Audit log chain: verified.');
    const wrong = md.slice(md.indexOf('## What is wrong now'), md.indexOf('## Timeline'));
    expect(wrong).toContain('- circuit-breakers: timeout: no answer in 4 s (last good never)');
    expect(wrong).toContain('- sla coingecko: success rate 93 % \\< 95 %'); // Markdown-escaped, reads as <
    expect(wrong).toContain('- host trader-1: autotrader-workers.service stopped (dead)');
    expect(md).toContain('critical alert `coingecko_api breaker OPEN` on `coingecko_api` (prod, circuit-breakers) **fired**: OPEN: 7/5 failures');
    expect(md).toContain('acknowledged by bob');
    expect(md).toContain('alice ran `config.set` on `at-1`');
    expect(md).toContain('`service.restart` on `at-1` **succeeded**, exit code 0');
    expect(md).not.toContain('PKLIVE123456');
    expect(md).toContain('ALPACA_API_KEY=[REDACTED]');
    expect(md).not.toContain('not ours');
    expect(md).not.toContain('not-ours');
  });

  it('says so when the audit chain was tampered with, and gives the link where it cannot open it', async () => {
    await audit.append({ kind: 'intent', user: 'alice', actionId: 'service.restart', hostId: 'at-1', command: 'systemctl restart autotrader-api' });
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('autotrader-api', 'autotrader-xxx'));
    const result = await service(null).escalate('prod' as DeploymentId, 'ticket');
    expect(result).toMatchObject({ opened: false, url: 'https://tickets.example.com/new?token=T0K3N' });
    expect(result.markdown).toContain('**Audit log chain: BROKEN**');
    expect(result.markdown).toContain('- nothing: every endpoint and host is ok');
  });

  it('names the missing config key, and refuses unknown deployments', async () => {
    const s = service([]);
    await expect(s.escalate('prod' as DeploymentId, 'logs')).rejects.toThrow('Prod | EU: the config names no log platform URL (deployments[].escalation.logs)');
    await expect(s.escalate('nope' as DeploymentId, 'ticket')).rejects.toThrow('no deployment "nope"');
  });

  it('allows exactly the configured origins', () => {
    expect(service([]).allowedOrigins().sort()).toEqual(['https://acme.pagerduty.com', 'https://tickets.example.com']);
  });
});
