// Every action of the bundled catalog, and every runnable snippet of the bundled runbooks, run
// on the built-in demo fleet exactly as the console runs it: ActionService renders the command,
// the SessionPool carries it over SSH to the in-process demo host (sim/demoHost.ts). A new user
// tries the product there, so nothing may answer "not emulated" (exit 127); the one action that
// cannot make sense without the internet must say so in one line. The simulator runs on a manual
// clock with no journal timer, so what the hosts print does not depend on how fast this runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, HostId, ParamValues } from '../../common/contract';
import { ManualClock } from '../../sim/clock';
import { NOT_EMULATED } from '../../sim/commandIo';
import type { DemoFleet } from '../../sim/demoHost';
import type { ActionService } from '../core/actions/ActionService';
import { bundledCatalog, findBundledCatalog } from '../core/actions/Catalog';
import { startDemoFleetForConsole } from './demoFleet';
import { demoActionService } from './demoFleet.testSupport';
import { Redactor } from '../core/redact/Redactor';
import { RunbookLibrary } from '../core/runbooks/RunbookLibrary';
import { SessionPool } from '../core/ssh/SessionPool';

const H1 = 'demo-1' as HostId;
const H2 = 'demo-2' as HostId;
const catalog = bundledCatalog();
const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));

/** Valid example parameters for every action (defaults fill the rest). */
const EXAMPLES: Record<string, ParamValues> = {
  'journal.tail': { unit: 'autotrader-ingestion' },
  'journal.follow': { unit: 'autotrader-ingestion' },
  'journal.errors': { unit: 'autotrader-ingestion', match: 'opened' },
  'journal.priority': { unit: 'autotrader-api', priority: 'info' },
  'logs.tail': { file: 'ingestion' },
  'logs.follow': { file: 'workers' },
  'logs.errors': { match: 'opened' },
  'service.status': { unit: 'autotrader-api' },
  'service.restart': { unit: 'autotrader-ingestion' },
  'service.start': { unit: 'autotrader-workers' },
  'service.stop': { unit: 'autotrader-workers' },
  'services.status': {},
  'services.restart': {},
  'services.start': {},
  'services.stop': {},
  'logrotate.dry-run': {},
  'logrotate.force': {},
  'queue.list': {},
  'queue.peek': { queue: 'worker:scanner:queue', count: 3 },
  'queue.clear': { queue: 'worker:alerts:queue' },
  'workers.scale': { count: 3 },
  'config.update-frequency.diff': { seconds: 300 },
  'config.update-frequency.set': { seconds: 120 },
  'config.fa-scrubbing.diff': {},
  'config.fa-scrubbing.set': {},
  'check.rate-limits': {},
  'check.security': {},
  'check.circuit-breakers': {},
  'check.upstream': {},
  'check.ib-gateway': {},
  'check.questrade-token': {},
  'questrade.refresh-token': {},
  'ibgateway.restart': {},
  'check.api-keys': {},
  'check.fa-patterns': {},
  'check.pip-audit': {},
  'breaker.reset': { breaker: 'coingecko_api' },
};

/** What the demo refuses, and the one line it answers with (never exit 127). */
const REFUSED: Record<string, RegExp> = {
  'check.upstream':
    /^opsdeck demo host: check\.upstream is not available in the demo: it needs the internet \(DNS and HTTPS to the upstream APIs\), and the demo makes no outside connections\n$/,
};

let demo: DemoFleet;
let pool: SessionPool;
let svc: ActionService;
let dir: string;
const redactor = new Redactor();
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const outputs: EventPayload<'onRunOutput'>[] = [];
const statuses: EventPayload<'onRunStatus'>[] = [];

interface Outcome {
  command: string;
  state: string | undefined;
  exitCode: number | null | undefined;
  out: string;
  err: string;
  precheck: string | null;
}

function collect(runId: string, command: string, host: HostId, precheck: string | null): Outcome {
  const mine = statuses.filter((s) => s.runId === runId && s.hostId === host);
  const last = mine[mine.length - 1];
  let out = '';
  let err = '';
  for (const b of outputs.filter((x) => x.runId === runId && x.hostId === host)) {
    for (const c of b.chunks) {
      if (c.stream === 'stdout') out += c.text;
      else err += c.text;
    }
  }
  return { command, state: last?.state, exitCode: last?.exitCode, out, err, precheck };
}

async function act(actionId: string, params: ParamValues = EXAMPLES[actionId] ?? {}, host: HostId = H1): Promise<Outcome> {
  const p = await svc.previewChecked({ actionId, params, hostIds: [host] });
  const typed = p.confirmation.kind === 'typed' ? p.confirmation.text : undefined;
  const { runId } = svc.run({ token: p.token, typedConfirmation: typed });
  await svc.settled(runId);
  return collect(runId, p.command, host, p.precheck?.hosts[0]?.text ?? null);
}

/** A streaming action: start it, wait for output matching `until`, cancel it. */
async function follow(actionId: string, params: ParamValues, until: RegExp, host: HostId): Promise<Outcome> {
  const p = svc.preview({ actionId, params, hostIds: [host] });
  const { runId } = svc.run({ token: p.token });
  await expect
    .poll(() => collect(runId, p.command, host, null), { timeout: 20_000, interval: 50 })
    .toSatisfy((o: Outcome) => until.test(o.out) || o.state === 'failed');
  svc.cancel(runId);
  await svc.settled(runId);
  return collect(runId, p.command, host, null);
}

const notEmulated = (o: Outcome): boolean => o.exitCode === NOT_EMULATED || /is not emulated in the demo/.test(o.err + o.out + (o.precheck ?? ''));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-demo-catalog-'));
  const fleet = await startDemoFleetForConsole({ stateDir: dir, catalog, demo: { clock, cycleSeconds: null, journalIntervalMs: 0 } });
  demo = fleet.demoFleet;
  pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
  pool.setHosts([...fleet.targets]);
  svc = demoActionService({ pool, hosts: fleet.hosts, dir, redactor, catalog, emitOutput: (p) => outputs.push(p), emitStatus: (p) => statuses.push(p) });
});

afterAll(async () => {
  await svc?.stopAll();
  await pool?.close();
  await demo?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const setScenario = (name: Parameters<DemoFleet['sim']['model']['setScenario']>[0]) => demo.sim.model.setScenario(name);
const tick = () => demo.models.forEach((m) => m.tick());

// The whole catalog runs on demo-2 (it rotates logs, edits configs, stops units); the checks of
// consistency below start from a fresh demo-1.
describe('the whole catalog on the demo fleet', () => {
  it('has an example for every action of the catalog', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(
      catalog
        .all()
        .map((a) => a.id)
        .sort(),
    );
  });

  it('answers every action (read-only first, stops last) in the normal scenario: none is "not emulated"', async () => {
    setScenario('normal');
    const rank = (id: string) => (catalog.get(id)!.risk === 'read-only' ? 0 : id.endsWith('.stop') ? 2 : 1);
    const ids = catalog
      .all()
      .map((a) => a.id)
      .sort((a, b) => rank(a) - rank(b));
    const unanswered: string[] = [];
    const failed: string[] = [];
    for (const id of ids) {
      const action = catalog.get(id)!;
      const o = action.streams ? await follow(id, EXAMPLES[id]!, /\S/, H2) : await act(id, EXAMPLES[id], H2);
      if (notEmulated(o)) unanswered.push(`${id}: exit ${o.exitCode}: ${(o.err || o.precheck || '').trim().split('\n')[0]}`);
      else if (REFUSED[id]) {
        if (!REFUSED[id].test(o.err) || o.exitCode === 0) failed.push(`${id}: expected the refusal, got exit ${o.exitCode}: ${o.err}`);
      } else if (o.state !== (action.streams ? 'cancelled' : 'succeeded'))
        failed.push(`${id}: ${o.state} (exit ${o.exitCode}): ${(o.err || o.out).trim().split('\n')[0]}`);
    }
    expect(unanswered, 'actions the demo does not emulate').toEqual([]);
    expect(failed, 'actions that did not succeed on a healthy demo host').toEqual([]);
    await act('services.start', {}, H2);
  });

  it('runs every runnable snippet of the bundled runbooks', async () => {
    setScenario('normal');
    const runbooks = new RunbookLibrary({ folders: [{ path: join(findBundledCatalog()!, '..', 'runbooks'), source: 'bundled' }], catalog, logger: silent });
    await runbooks.load();
    expect(runbooks.problems).toEqual([]);
    const snippets = new Map<string, { actionId: string; params: ParamValues }>();
    for (const summary of runbooks.list()) {
      for (const section of runbooks.get(summary.id).sections) {
        for (const part of section.parts) {
          if (part.kind !== 'code') continue;
          for (const line of part.block.lines) {
            if (!line.action) continue;
            const params = line.action.params as ParamValues;
            snippets.set(`${line.action.actionId} ${JSON.stringify(params)}`, { actionId: line.action.actionId, params });
          }
        }
      }
    }
    expect(snippets.size).toBeGreaterThan(10);
    const unanswered: string[] = [];
    for (const [key, { actionId, params }] of snippets) {
      if (catalog.get(actionId)!.streams) continue; // the follows are covered above
      const o = await act(actionId, params, H2);
      if (notEmulated(o)) unanswered.push(`${key}: ${(o.err || o.precheck || '').trim().split('\n')[0]}`);
      else if (!REFUSED[actionId] && o.exitCode === null) unanswered.push(`${key}: ${o.state}`);
    }
    expect(unanswered, 'runbook snippets the demo does not answer').toEqual([]);
    await act('services.start', {}, H2);
  });
});

describe('the demo stays consistent with its simulator', () => {
  it('a restart changes the main PID, says so in the journal and clears the scenario it fixes', async () => {
    setScenario('freshness-stale');
    tick();
    const before = await act('journal.tail', { unit: 'autotrader-ingestion', lines: 20 });
    expect(before.out).toMatch(/coingecko: fetch failed: HTTP 429/);
    const pid = demo.models[0]!.units['autotrader-ingestion'].mainPid;
    expect((await act('service.status', { unit: 'autotrader-ingestion' })).out).toContain(`Main PID: ${pid} (python3)`);
    expect((await act('service.restart', { unit: 'autotrader-ingestion' })).state).toBe('succeeded');
    const status = await act('service.status', { unit: 'autotrader-ingestion' });
    const newPid = demo.models[0]!.units['autotrader-ingestion'].mainPid;
    expect(newPid).not.toBe(pid);
    expect(status.out).toContain(`Main PID: ${newPid} (python3)`);
    expect(status.out).toMatch(/Started autotrader-ingestion\.service/);
    expect(demo.sim.model.scenario).toBe('normal');
    const freshness = await act('check.circuit-breakers');
    expect(JSON.parse(freshness.out).breakers.coingecko_api.state).toBe('CLOSED');
  });

  it('a stopped unit reads as stopped (exit 3) until started again', async () => {
    expect((await act('service.stop', { unit: 'autotrader-api' })).state).toBe('succeeded');
    const stopped = await act('services.status');
    expect(stopped.exitCode).toBe(3);
    expect(stopped.out).toMatch(/autotrader-api\.service - .*\n.*\n\s+Active: inactive \(dead\)/);
    expect((await act('service.start', { unit: 'autotrader-api' })).state).toBe('succeeded');
    expect((await act('services.status')).exitCode).toBe(0);
  });

  it('queue reads follow the simulator, and a cleared queue is empty in later reads and on the panel', async () => {
    setScenario('queue-backlog');
    expect((await act('queue.list')).out).toMatch(/^worker:alerts:queue \d+\nworker:backfill:queue \d+\nworker:scanner:queue 120\n$/);
    const peek = await act('queue.peek', { queue: 'worker:scanner:queue', count: 2 });
    expect(peek.out).toMatch(/^length 120\n\{"id":"scan-0001".*\}\n\{"id":"scan-0002".*\}\n$/);
    const clear = await act('queue.clear', { queue: 'worker:scanner:queue' });
    expect(clear.precheck).toBe('120 jobs in worker:scanner:queue (type: list)');
    expect(clear.out).toBe('deleting worker:scanner:queue (120 jobs)\nkeys deleted: 1\n');
    expect((await act('queue.peek', { queue: 'worker:scanner:queue', count: 2 })).out).toBe('length 0\n');
    expect((await act('queue.list')).out).not.toContain('worker:scanner:queue');
    expect((demo.sim.model.body('workers').queues as Record<string, { pending: number }>).scanner?.pending).toBe(0);
    expect((await act('queue.clear', { queue: 'worker:scanner:queue' })).out).toBe('deleting worker:scanner:queue (0 jobs)\nkeys deleted: 0\n');
  });

  it('a config edit shows a diff, writes with a backup, and a later read sees it', async () => {
    const diff = await act('config.update-frequency.diff', { seconds: 300 });
    expect(diff.out).toMatch(/^--- \/opt\/autotrader\/configs\/ingestion\.yaml\n\+\+\+ \/opt\/autotrader\/configs\/ingestion\.yaml \(new\)\n@@ .* @@\n/);
    expect(diff.out).toMatch(/\n-update_frequency_seconds: \d+\n\+update_frequency_seconds: 300\n/);
    expect(diff.out).toMatch(/dry run: \/opt\/autotrader\/configs\/ingestion\.yaml not changed\n$/);
    const set = await act('config.update-frequency.set', { seconds: 300 });
    expect(set.precheck).toContain('+update_frequency_seconds: 300');
    expect(set.out).toMatch(/written \/opt\/autotrader\/configs\/ingestion\.yaml \(backup \/opt\/autotrader\/configs\/ingestion\.yaml\.bak\.\d{8}T\d{6}\)\n$/);
    expect((await act('config.update-frequency.diff', { seconds: 300 })).out).toBe(
      '/opt/autotrader/configs/ingestion.yaml: update_frequency_seconds is already 300, nothing to change\n',
    );
    // the restarted ingestion reads the new value, as its start-up line shows
    await act('service.restart', { unit: 'autotrader-ingestion' });
    expect((await act('logs.tail', { file: 'ingestion', lines: 20 })).out).toMatch(/ingestion starting pid=\d+ update_frequency_seconds=300 /);
    // and on the other host nothing changed
    expect((await act('config.update-frequency.diff', { seconds: 300 }, H2)).out).toMatch(
      /\n-update_frequency_seconds: (?!300\n)\d+\n\+update_frequency_seconds: 300\n/,
    );
  });

  it('workers.scale writes WORKER_COUNT and the restarted workers start with it', async () => {
    const scale = await act('workers.scale', { count: 4 });
    expect(scale.out).toBe('WORKER_COUNT set to 4 in /etc/autotrader/env\nautotrader-workers restarted\n');
    expect((await act('logs.tail', { file: 'workers', lines: 5 })).out).toMatch(/workers starting pid=\d+ WORKER_COUNT=4 /);
  });

  it('journal and log lines carry the secrets a real host leaks, and the console shows them redacted', async () => {
    setScenario('security-failing');
    tick();
    const tail = await act('journal.tail', { unit: 'autotrader-ingestion', lines: 200 });
    expect(tail.out).toMatch(/^2026-11-26T12:00:00\+0000 demo-1 autotrader-ingestion\[\d+\]: /m);
    expect(tail.out).toContain('fa=[REDACTED]');
    expect(tail.out).toContain('COINGECKO_API_KEY=[REDACTED]');
    expect(tail.out).toContain('Authorization: Bearer [REDACTED]');
    const logs = await act('logs.tail', { file: 'workers', lines: 50 });
    expect(logs.out).toContain('webhook token=[REDACTED]');
    const fa = await act('check.fa-patterns', { lines: 5 });
    expect(fa.out).toMatch(
      /^\/var\/log\/autotrader\/ingestion\.log: [1-9]\d* lines\n\/var\/log\/autotrader\/workers\.log: \d+ lines\ntotal: [1-9]\d* lines with FA account patterns\n/,
    );
    const everything = [tail, logs, fa, await act('journal.tail', { unit: 'autotrader-api', lines: 200 })].map((o) => o.out + o.err).join('\n');
    expect(everything).toContain('fa=[REDACTED]');
    for (const secret of demo.secrets) expect(everything).not.toContain(secret);
    const keys = await act('check.api-keys');
    expect(keys.exitCode).toBe(1);
    expect(keys.out).toContain('MISSING  GROQ_API_KEY\n');
    expect(keys.out).toContain('2 missing\n');
    const audit = await act('check.pip-audit');
    expect(audit.exitCode).toBe(1);
    expect(audit.out).toMatch(/Found 7 known vulnerabilities in 2 packages/);
  });

  it("the runbook's FA fix works in the demo: scrubbing on, logs rotated, services restarted, no FA ids logged", async () => {
    setScenario('security-failing');
    expect((await act('config.fa-scrubbing.set')).out).toMatch(/\+ibkr_fa_scrubbing: true\n[^]*written /);
    tick();
    expect((await act('check.fa-patterns', { lines: 0 })).out).toMatch(/total: [1-9]\d* lines/); // read at start: not yet
    expect((await act('logrotate.force')).state).toBe('succeeded');
    expect((await act('services.restart')).state).toBe('succeeded');
    clock.advanceSeconds(4);
    tick();
    expect((await act('check.fa-patterns', { lines: 0 })).out).toBe(
      '/var/log/autotrader/ingestion.log: 0 lines\n/var/log/autotrader/workers.log: 0 lines\ntotal: 0 lines with FA account patterns\n',
    );
    expect((await act('logs.tail', { file: 'ingestion', lines: 50 })).out).toContain('ibkr: account snapshot (FA account scrubbed)');
  });

  it('journal.errors and journal.priority filter the journal; the broker checks follow broker-down and a token refresh', async () => {
    clock.advanceSeconds(60); // entering broker-down expires any token refreshed before it
    setScenario('broker-down');
    tick();
    const errors = await act('journal.errors', { unit: 'autotrader-api', since: '15 min ago', match: 'ibkr' });
    expect(
      errors.out
        .trim()
        .split('\n')
        .every((l) => /: ibkr: connect to 127\.0\.0\.1:4001 failed/.test(l)),
    ).toBe(true);
    const prio = await act('journal.priority', { unit: 'autotrader-api', since: 'today', priority: 'err' });
    expect(prio.out).toMatch(/questrade: token expired/);
    expect(prio.out).not.toMatch(/GET \/api\/health/);
    const gateway = await act('check.ib-gateway');
    expect(gateway.exitCode).toBe(1);
    expect(gateway.out).toBe('IB Gateway / TWS processes:\n  none running\nport 4001: NOT accepting connections\n');
    const token = await act('check.questrade-token');
    expect(token.exitCode).toBe(1);
    expect(token.err).toBe('EXPIRED: run scripts/setup/set_questrade_token.py\n');
    const in30days = `${new Date(clock.now() + 30 * 86400_000).toISOString().slice(0, 19)}+00:00`;
    expect((await act('questrade.refresh-token')).out).toBe(
      `questrade token written to /home/demo/.config/autotrader/questrade_token.json, expires ${in30days}\n`,
    );
    expect((await act('check.questrade-token')).out).toMatch(/\(30\.0 days from now\)/);
    expect((demo.sim.model.body('brokers').brokers as Record<string, { status: string }>).questrade?.status).toBe('online');
    // the runbook's gateway restart brings ibkr back: the check and the brokers panel say so
    expect((demo.sim.model.body('brokers').brokers as Record<string, { status: string }>).ibkr?.status).toBe('offline');
    const restart = await act('ibgateway.restart');
    expect(restart).toMatchObject({ exitCode: 0, out: 'port 4001: accepting connections\n' });
    expect((demo.sim.model.body('brokers').brokers as Record<string, { status: string; detail: string }>).ibkr).toMatchObject({
      status: 'online',
      detail: 'IB Gateway on port 4001',
    });
    const after = await act('check.ib-gateway');
    expect(after.exitCode).toBe(0);
    expect(after.out).toMatch(/^IB Gateway \/ TWS processes:\n\d+ java .*ibgateway.*\nport 4001: accepting connections\n$/);
  });

  it('logrotate.force moves the logs to .1 and logs.follow carries on in the new file', async () => {
    setScenario('normal');
    const dry = await act('logrotate.dry-run');
    expect(dry.err).toMatch(/rotating pattern: \/var\/log\/autotrader\/\*\.log/);
    const p = svc.preview({ actionId: 'logs.follow', params: { file: 'workers', lines: 1 }, hostIds: [H1] });
    const { runId } = svc.run({ token: p.token });
    await expect.poll(() => collect(runId, p.command, H1, null).out, { timeout: 20_000 }).toMatch(/\S/);
    expect((await act('logrotate.force')).state).toBe('succeeded');
    expect((await act('logs.tail', { file: 'workers', lines: 5 })).out).toBe('');
    clock.advanceSeconds(4);
    tick();
    const [fresh] = (await act('logs.tail', { file: 'workers', lines: 1 })).out.split('\n');
    expect(fresh).toMatch(/^2026-11-26 12:\d\d:\d\d,000 INFO workers: scanner: processed \d+ jobs$/);
    await expect.poll(() => collect(runId, p.command, H1, null).out, { timeout: 20_000 }).toContain(fresh);
    svc.cancel(runId);
    await svc.settled(runId);
    const shown = collect(runId, p.command, H1, null).out.trimEnd().split('\n');
    // the line from before the rotation, then the new file's: once each, cursor prefix taken off
    expect(shown).toHaveLength(2);
    expect(shown[1]).toBe(fresh);
    expect(shown.join('\n')).not.toMatch(/^\d+:\d+\t/m);
  });
});
