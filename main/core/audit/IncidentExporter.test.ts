import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertRecord } from '../../../common/alertRecord.fixture';
import type { AlertRecord } from '../../../common/thresholds';
import { Redactor } from '../redact/Redactor';
import { AuditLog } from './AuditLog';
import { IncidentExporter } from './IncidentExporter';

const redactor = new Redactor();
let dir: string;
let file: string;
let now: number;
let log: AuditLog;

const deployments = [
  { id: 'prod', name: 'Production', hosts: ['p-1', 'p-2'] },
  { id: 'paper', name: 'Paper trading', hosts: ['q-1'] },
] as unknown as ReturnType<ConstructorParameters<typeof IncidentExporter>[0]['deployments']>;

const alert = (over: Partial<AlertRecord>): AlertRecord => alertRecord({ reason: 'state OPEN, last error fa=DU7654321', ...over });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-export-'));
  file = join(dir, 'audit.jsonl');
  now = Date.parse('2026-11-26T14:00:00Z');
  log = new AuditLog({ path: file, clock: { now: () => now }, redactor });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function exporter(alerts: AlertRecord[] = []) {
  return new IncidentExporter({ audit: log, alerts: () => alerts, deployments: () => deployments, redactor, clock: { now: () => now }, user: 'carol' });
}

async function ran(iso: string, hostId: string, actionId: string, command: string) {
  now = Date.parse(iso);
  await log.append({ kind: 'intent', user: 'carol', runId: 'run-00000000000000cc', actionId, hostId, command });
  await log.append({ kind: 'result', user: 'carol', runId: 'run-00000000000000cc', actionId, hostId, exitCode: 0, outcome: 'succeeded' });
}

describe('IncidentExporter', () => {
  it('exports the last 24 h of every deployment by default, alerts and actions in order, redacted', async () => {
    await ran('2026-11-25T10:00:00Z', 'p-1', 'old.action', 'echo too-old');
    await ran('2026-11-26T14:01:00Z', 'p-1', 'service.restart', 'systemctl restart autotrader-api');
    await ran('2026-11-26T14:02:00Z', 'q-1', 'queue.clear', 'sh -c \'redis-cli DEL "$1"\' queue.clear worker:scanner:queue');
    now = Date.parse('2026-11-26T15:00:00Z');
    const { markdown, from, to } = await exporter([alert({})]).export({});
    expect(from).toBe('2026-11-25T15:00:00.000Z');
    expect(to).toBe('2026-11-26T15:00:00.000Z');
    expect(markdown.split('\n')[0]).toBe('# Incident timeline: all deployments');
    const items = markdown.split('\n').filter((l) => l.startsWith('- '));
    expect(items.map((l) => l.slice(0, 14))).toEqual([
      '- **13:59:00**',
      '- **14:00:00**',
      '- **14:01:00**',
      '- **14:01:00**',
      '- **14:02:00**',
      '- **14:02:00**',
    ]);
    expect(markdown).toContain('carol ran `service.restart` on `p-1`');
    expect(markdown).toContain('carol ran `queue.clear` on `q-1`');
    expect(markdown).not.toContain('too-old');
    expect(markdown).not.toContain('DU7654321');
    expect(markdown).toContain('Audit log chain: verified.');
  });

  it("keeps one deployment's hosts and alerts only", async () => {
    await ran('2026-11-26T14:01:00Z', 'p-2', 'service.restart', 'systemctl restart autotrader-workers');
    await ran('2026-11-26T14:02:00Z', 'q-1', 'queue.clear', 'redis-cli DEL worker:paper');
    const { markdown } = await exporter([alert({}), alert({ id: 'a-2', deploymentId: 'paper', title: 'paper alert' })]).export({
      deploymentId: 'prod',
      since: '2026-11-26T13:00:00Z',
    });
    expect(markdown.split('\n')[0]).toBe('# Incident timeline: Production');
    expect(markdown).toContain('`service.restart` on `p-2`');
    expect(markdown).not.toContain('q-1');
    expect(markdown).not.toContain('paper alert');
  });

  it('says so when the audit chain was tampered with', async () => {
    await ran('2026-11-26T14:01:00Z', 'p-1', 'service.restart', 'systemctl restart autotrader-api');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('autotrader-api', 'autotrader-xyz'));
    await appendFile(file, '');
    const { markdown } = await exporter().export({ since: '2026-11-26T13:00:00Z' });
    expect(markdown).toContain('**Audit log chain: BROKEN** (line 1: record 1 was altered (hash mismatch))');
  });

  it('refuses an unknown deployment and a window starting in the future, naming what was wrong', async () => {
    await expect(exporter().export({ deploymentId: 'nope' })).rejects.toThrow('exportIncidentTimeline: no deployment "nope"');
    await expect(exporter().export({ since: '2026-11-27T00:00:00Z' })).rejects.toThrow('since (2026-11-27T00:00:00Z) is in the future');
  });
});
