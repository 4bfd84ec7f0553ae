import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../../common/thresholds';
import { Redactor } from '../redact/Redactor';
import { AuditLog } from './AuditLog';
import { renderIncidentTimeline } from './incidentTimeline';

const redactor = new Redactor();
let dir: string;
let now: number;
let log: AuditLog;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-timeline-'));
  now = Date.parse('2026-11-26T14:00:00Z');
  log = new AuditLog({ path: join(dir, 'audit.jsonl'), clock: { now: () => now }, redactor });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const alert = (over: Partial<AlertRecord>): AlertRecord => ({
  id: 'a1' as AlertRecord['id'],
  key: 'prod/breaker/coingecko_api',
  deploymentId: 'prod',
  ruleId: 'breaker-open',
  section: 'circuit-breakers',
  endpoint: 'circuitBreakers',
  item: 'coingecko_api',
  title: 'coingecko_api breaker OPEN',
  severity: 'critical',
  state: 'resolved',
  // resolved: reason and value are the recovered ones; what it fired on is kept apart
  reason: 'CLOSED',
  value: 0,
  firedReason: 'state OPEN (7/5 failures)',
  firedValue: 2,
  pendingSince: '2026-11-26T14:00:05.000Z',
  firedAt: '2026-11-26T14:00:10.000Z',
  resolvedAt: '2026-11-26T14:03:00.000Z',
  acknowledgedAt: '2026-11-26T14:01:00.000Z',
  acknowledgedBy: 'alice',
  snoozedUntil: null,
  notified: 1,
  ...over,
});

async function at(iso: string, entry: Parameters<AuditLog['append']>[0]) {
  now = Date.parse(iso);
  await log.append(entry);
}

describe('renderIncidentTimeline', () => {
  it('puts alerts and actions in time order, with the exact command and outcomes', async () => {
    const base = { user: 'alice', runId: 'run-00000000000000aa', actionId: 'breaker.reset', hostId: 'trader-1' };
    const from = {
      id: 'a-1',
      key: 'prod/breaker-open/coingecko_api',
      firedAt: '2026-11-26T14:00:10.000Z',
      ruleId: 'breaker-open',
      title: 'circuit breaker not closed',
      item: 'coingecko_api',
      deploymentId: 'prod',
      endpoint: 'circuitBreakers' as const,
    };
    await at('2026-11-26T14:02:00Z', { ...base, kind: 'intent', command: "sh -c 'curl -X POST …' breaker.reset coingecko_api", alert: from });
    await at('2026-11-26T14:02:01Z', { ...base, kind: 'result', exitCode: 0, outcome: 'succeeded' });
    await at('2026-11-26T14:02:30Z', { ...base, kind: 'note', outcome: 'skipped: cancelled before it started', hostId: 'trader-2' });
    await at('2026-11-26T16:00:00Z', { ...base, kind: 'intent', command: 'systemctl restart autotrader-api' });

    const md = renderIncidentTimeline({
      title: 'Coingecko breaker open',
      from: '2026-11-26T14:00:00Z',
      to: '2026-11-26T15:00:00Z',
      alerts: [
        alert({}),
        alert({
          id: 'a2' as AlertRecord['id'],
          title: 'old alert',
          pendingSince: '2026-11-25T10:00:00.000Z',
          firedAt: null,
          resolvedAt: null,
          acknowledgedAt: null,
        }),
      ],
      records: await log.read(100),
      chain: { ok: true },
      generatedAt: '2026-11-26T15:00:00Z',
      generatedBy: 'alice',
      redactor,
    });
    const timeline = md.slice(md.indexOf('## Timeline'));
    const items = timeline.split('\n').filter((l) => l.startsWith('- '));
    expect(items).toEqual([
      '- **14:00:05** 2026-11-26: critical alert `coingecko_api breaker OPEN` on `coingecko_api` (prod, circuit-breakers) pending: state OPEN (7/5 failures)',
      '- **14:00:10** 2026-11-26: critical alert `coingecko_api breaker OPEN` on `coingecko_api` (prod, circuit-breakers) **fired**: state OPEN (7/5 failures)',
      '- **14:01:00** 2026-11-26: critical alert `coingecko_api breaker OPEN` on `coingecko_api` (prod, circuit-breakers) acknowledged by alice',
      // the run names the alert it was started from, beside it
      '- **14:02:00** 2026-11-26: alice ran `breaker.reset` on `trader-1` (run-00000000000000aa), from alert `circuit breaker not closed` on `coingecko_api` (a-1)',
      '- **14:02:01** 2026-11-26: `breaker.reset` on `trader-1` **succeeded**, exit code 0 (run-00000000000000aa)',
      '- **14:02:30** 2026-11-26: note on `breaker.reset` on `trader-2`: skipped: cancelled before it started (run-00000000000000aa)',
      '- **14:03:00** 2026-11-26: critical alert `coingecko_api breaker OPEN` on `coingecko_api` (prod, circuit-breakers) **resolved**',
    ]);
    expect(timeline).toContain("  ```sh\n  sh -c 'curl -X POST …' breaker.reset coingecko_api\n  ```");
    expect(md).toContain('Audit log chain: verified.');
    expect(md).toContain('| alerts | 1 |\n| commands run (per host) | 1 |');
    expect(md).not.toContain('16:00:00');
    expect(md).not.toContain('old alert');
  });

  it('redacts, escapes Markdown in free text and flags a broken chain', async () => {
    await at('2026-11-26T14:02:00Z', {
      kind: 'intent',
      user: 'bob',
      runId: 'run-00000000000000bb',
      actionId: 'test.x',
      hostId: 'h',
      command: 'echo ```; GROQ_API_KEY=gsk_abcdefghijklmnopqrstuvwxyz',
    });
    const md = renderIncidentTimeline({
      title: 'Incident <script> #1 [link](http://x)',
      from: '2026-11-26T14:00:00Z',
      to: '2026-11-26T15:00:00Z',
      alerts: [alert({ title: 'title with `tick`', reason: 'fa=DU1234567 seen' })],
      records: await log.read(100),
      chain: { ok: false, error: 'line 3: record 3 was altered (hash mismatch)' },
      generatedAt: '2026-11-26T15:00:00Z',
      generatedBy: 'bob',
      redactor,
    });
    expect(md.split('\n')[0]).toBe('# Incident \\<script\\> \\#1 \\[link\\](http://x)');
    expect(md).toContain('**Audit log chain: BROKEN** (line 3: record 3 was altered (hash mismatch)): records may have been altered.');
    expect(md).toContain('`` title with `tick` ``');
    expect(md).not.toContain('DU1234567');
    expect(md).not.toContain('gsk_abcdefghij');
    // a command holding ``` gets a longer fence, so it cannot end the block early
    expect(md).toContain('  ````sh\n  echo ```; GROQ_API_KEY=[REDACTED]\n  ````');
  });

  it("keeps an alert's reason (health API text) from formatting, linking or reordering the pasted Markdown", () => {
    const md = renderIncidentTimeline({
      title: 'Broker down',
      from: '2026-11-26T14:00:00Z',
      to: '2026-11-26T15:00:00Z',
      alerts: [alert({ firedReason: 'error: [reset here](http://evil.example) **now** \u202Etxt.exe' })],
      records: [],
      chain: { ok: true },
      generatedAt: '2026-11-26T15:00:00Z',
      generatedBy: 'alice',
      redactor,
    });
    expect(md).toContain('**fired**: error: \\[reset here\\](http://evil.example) \\*\\*now\\*\\* \\<U+202E\\>txt.exe');
    expect(md).not.toContain('\u202E');
  });

  it('refuses a window that ends before it starts', () => {
    const base = { alerts: [], records: [], chain: { ok: true } as const, generatedAt: 'x', generatedBy: 'x', redactor, title: 't' };
    expect(() => renderIncidentTimeline({ ...base, from: '2026-11-26T15:00:00Z', to: '2026-11-26T14:00:00Z' })).toThrow('timeline: from is after to');
    expect(() => renderIncidentTimeline({ ...base, from: 'yesterday', to: '2026-11-26T14:00:00Z' })).toThrow('timeline: from and to must be ISO times');
  });
});
