// The action service over real SSH: the SessionPool against a loopback OpenSSH server started by
// the test (testbed/sshd.ts). The "remote" host is this machine, so effects are checked on disk
// and in the process table here.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload, HostId } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { AuditLog } from '../audit/AuditLog';
import { systemClock, systemTimers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { SessionPool } from '../ssh/SessionPool';
import { ActionService } from './ActionService';
import { parseCatalog } from './Catalog';
import { INJECTION_CORPUS } from './injectionCorpus';
import { shellQuote } from '../shellQuote';
import { runAlert } from '../../../common/runAlert.fixture';

const run = promisify(execFile);

const CATALOG = parseCatalog(
  `version: 1
actions:
  - id: test.restart
    title: Restart a harmless stand-in unit
    section: data-freshness
    risk: service-affecting
    params:
      - { name: dir, label: Folder, kind: string, pattern: "/tmp/opsdeck-act-[A-Za-z0-9]{6}" }
      - { name: unit, label: Unit, kind: enum, choices: [autotrader-api, autotrader-ingestion] }
      - { name: count, label: Count, kind: integer, min: 1, max: 5, default: 1 }
    script: |
      echo "restarting $2 x$3"
      echo "$2 $3" >> "$1/restarted"
      echo "ALPACA_SECRET_KEY=opsdeck-testbed-alpaca-secret-9f1c2d3e4b5a"
    args: ["{dir}", "{unit}", "{count}"]
    locks: ["{unit}"]
  - id: test.clear
    title: Clear a queue file
    section: worker-queues
    risk: destructive
    params:
      - { name: dir, label: Folder, kind: string, pattern: "/tmp/opsdeck-act-[A-Za-z0-9]{6}" }
      - { name: queue, label: Queue, kind: string, pattern: "worker:[a-z0-9_:-]{1,64}" }
    confirmText: "{queue}"
    precheck:
      label: Jobs now
      script: |
        printf '%s\\n' "$2 holds $(cat "$1/jobs" 2>/dev/null || echo 0) jobs" "ALPACA_SECRET_KEY=opsdeck-testbed-alpaca-secret-9f1c2d3e4b5a"
      args: ["{dir}", "{queue}"]
    script: echo "$2" >> "$1/cleared"
    args: ["{dir}", "{queue}"]
  - id: test.sleep
    title: Sleep remotely
    section: worker-queues
    risk: service-affecting
    params:
      - { name: marker, label: Marker, kind: integer, min: 100000, max: 999999 }
    command: [sleep, "{marker}"]
    locks: [sleeper]
`,
  'int test catalog',
);

const WEB1 = 'web1' as HostId;
const DEAD = 'dead' as HostId;
const TIGHT = 'tight' as HostId;
const HOSTS = [
  { id: WEB1, label: 'Web 1' },
  { id: DEAD, label: 'Dead host' },
  { id: TIGHT, label: 'Tight host' },
];

let sshd: Sshd;
// a server that allows one session per connection (MaxSessions 1; the fixture's is 100)
let tight: Sshd;
let deadPort: number;
let pool: SessionPool;
let dir: string;
let audit: AuditLog;
let svc: ActionService;
let outputs: EventPayload<'onRunOutput'>[];
let statuses: EventPayload<'onRunStatus'>[];

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const pidsOf = async (line: string): Promise<number[]> => {
  const { stdout } = await run('pgrep', ['-x', '-f', line]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
};

function failure(fn: () => unknown): OpsFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpsFailure) return err;
    throw err;
  }
  throw new Error('did not fail');
}

const stdoutOf = (runId: string, hostId: string) =>
  outputs
    .filter((o) => o.runId === runId && o.hostId === hostId)
    .flatMap((o) => o.chunks)
    .filter((c) => c.stream === 'stdout')
    .map((c) => c.text)
    .join('');
const finalStatus = (runId: string, hostId: string) => statuses.filter((s) => s.runId === runId && s.hostId === hostId).at(-1);

beforeAll(async () => {
  [sshd, tight] = await Promise.all([startSshd(), startSshd({ extraConfig: 'Match all\n  MaxSessions 1' })]);
  deadPort = await closedPort();
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), tight?.stop()]);
});

beforeEach(async () => {
  dir = await mkdtemp('/tmp/opsdeck-act-');
  const redactor = new Redactor();
  pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
  const base = { address: sshd.address, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath };
  pool.setHosts([
    { id: WEB1, port: sshd.port, ...base },
    { id: DEAD, port: deadPort, connectTimeoutMs: 2000, ...base },
    { id: TIGHT, address: tight.address, port: tight.port, user: tight.user, privateKeyPath: tight.clientKeyPath, knownHostsPath: tight.knownHostsPath },
  ]);
  audit = new AuditLog({ path: join(dir, 'audit', 'audit.jsonl'), clock: systemClock, redactor });
  outputs = [];
  statuses = [];
  svc = new ActionService({
    catalog: CATALOG,
    executor: pool,
    audit,
    redactor,
    hostLookup: (id) => HOSTS.find((h) => h.id === id),
    user: 'oncall',
    clock: systemClock,
    timers: systemTimers,
    randomBytes,
    emitOutput: (p) => outputs.push(p),
    emitStatus: (p) => statuses.push(p),
  });
});
afterEach(async () => {
  await svc.stopAll();
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ActionService over real SSH', () => {
  it('previews, runs, streams redacted output and audits intent and result with the exit code', async () => {
    const p = svc.preview({ actionId: 'test.restart', params: { dir, unit: 'autotrader-ingestion' }, hostIds: [WEB1] });
    expect(p.command).toBe(
      `sh -c 'echo "restarting $2 x$3"\necho "$2 $3" >> "$1/restarted"\necho "ALPACA_SECRET_KEY=opsdeck-testbed-alpaca-secret-9f1c2d3e4b5a"\n' test.restart ${dir} autotrader-ingestion 1`,
    );
    const { runId } = svc.run({ token: p.token });
    await svc.settled(runId);
    expect(finalStatus(runId, WEB1)).toMatchObject({ state: 'succeeded', exitCode: 0, error: null });
    expect(stdoutOf(runId, WEB1)).toBe('restarting autotrader-ingestion x1\nALPACA_SECRET_KEY=[REDACTED]\n');
    expect(await readFile(join(dir, 'restarted'), 'utf8')).toBe('autotrader-ingestion 1\n');
    const records = await audit.read(10);
    expect(records.map((r) => [r.kind, r.user, r.hostId, r.exitCode, r.outcome])).toEqual([
      ['intent', 'oncall', 'web1', null, null],
      ['result', 'oncall', 'web1', 0, 'succeeded'],
    ]);
    // the audited command is the previewed one, with its secret scrubbed before it hit the disk
    expect(records[0]!.command).toBe(p.command.replace('opsdeck-testbed-alpaca-secret-9f1c2d3e4b5a', '[REDACTED]'));
    expect(await readFile(audit.path, 'utf8')).not.toContain('opsdeck-testbed-alpaca-secret');
    expect(await audit.verify()).toEqual({ ok: true, count: 2 });
  });

  it('a run started from an alert carries the alert on its intent records, one per host; the result and a run without one carry none', async () => {
    const alert = runAlert({
      id: 'a-41',
      key: 'prod/freshness-stale/ingestion',
      ruleId: 'freshness-stale',
      title: 'data not fresh',
      item: 'ingestion',
      endpoint: 'freshness',
    });
    const fromAlert = await svc.previewChecked({ actionId: 'test.restart', params: { dir, unit: 'autotrader-ingestion' }, hostIds: [WEB1, TIGHT], alert });
    await svc.settled(svc.run({ token: fromAlert.token }).runId);
    const plain = svc.preview({ actionId: 'test.restart', params: { dir, unit: 'autotrader-api' }, hostIds: [WEB1] });
    await svc.settled(svc.run({ token: plain.token }).runId);
    const records = await audit.read(10);
    expect(records.map((r) => [r.kind, r.params?.['unit'], r.alert?.id ?? null]).sort()).toEqual([
      ['intent', 'autotrader-api', null],
      ['intent', 'autotrader-ingestion', 'a-41'],
      ['intent', 'autotrader-ingestion', 'a-41'],
      ['result', undefined, null],
      ['result', undefined, null],
      ['result', undefined, null],
    ]);
    expect(records.find((r) => r.alert)!.alert).toEqual(alert);
    // what a restarted console reads back verifies, the alert inside each intent's hash
    expect(await new AuditLog({ path: audit.path, clock: systemClock, redactor: new Redactor() }).verify()).toEqual({ ok: true, count: 6 });
  });

  it('refuses every injection attempt in every parameter and runs nothing', async () => {
    await rm('/tmp/pwned', { force: true });
    const good = { dir, unit: 'autotrader-api', count: 1 };
    for (const value of INJECTION_CORPUS) {
      for (const name of Object.keys(good)) {
        const f = failure(() => svc.preview({ actionId: 'test.restart', params: { ...good, [name]: value }, hostIds: [WEB1] }));
        expect(f.code).toBe('bad-request');
        expect(f.message).toMatch(new RegExp(`^test\\.restart: parameter ${name} `));
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(statuses).toEqual([]);
    expect(existsSync('/tmp/pwned')).toBe(false);
    expect(existsSync(join(dir, 'restarted'))).toBe(false);
    expect(await audit.read(10)).toEqual([]);
  });

  it('quotes so that the remote login shell sees each hostile value as one literal word', async () => {
    // Belt and braces: even if validation let one through, quoting alone keeps it inert.
    const values = INJECTION_CORPUS.filter((v) => !v.includes('\0') && v !== '');
    let text = '';
    const result = await pool.exec(WEB1, ['printf', shellQuote('%s\\0'), ...values.map(shellQuote)].join(' '), { onStdout: (c) => (text += c) });
    expect(result.exitCode).toBe(0);
    expect(text.split('\0').slice(0, -1)).toEqual(values);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('a token runs once, only what it previewed, and a destructive one only with the typed text', async () => {
    const a = svc.preview({ actionId: 'test.restart', params: { dir, unit: 'autotrader-api', count: 2 }, hostIds: [WEB1] });
    const b = svc.preview({ actionId: 'test.clear', params: { dir, queue: 'worker:scanner:queue' }, hostIds: [WEB1] });
    expect(failure(() => svc.run({ token: b.token, typedConfirmation: 'worker:alerts:queue' })).code).toBe('forbidden');
    const first = svc.run({ token: a.token, typedConfirmation: 'worker:scanner:queue' });
    await svc.settled(first.runId);
    expect(failure(() => svc.run({ token: a.token })).code).toBe('not-found');
    // a's token ran a's command: the queue was not cleared
    expect(existsSync(join(dir, 'cleared'))).toBe(false);
    expect(await readFile(join(dir, 'restarted'), 'utf8')).toBe('autotrader-api 2\n');
    await svc.settled(svc.run({ token: b.token, typedConfirmation: 'worker:scanner:queue' }).runId);
    expect(await readFile(join(dir, 'cleared'), 'utf8')).toBe('worker:scanner:queue\n');
    expect((await audit.read(100)).filter((r) => r.kind === 'intent').map((r) => r.actionId)).toEqual(['test.restart', 'test.clear']);
  });

  it('a destructive preview shows the precheck from each host first, redacted, and an unreachable host says why', async () => {
    await run('sh', ['-c', `echo 7 > ${shellQuote(dir)}/jobs`]);
    const p = await svc.previewChecked({ actionId: 'test.clear', params: { dir, queue: 'worker:q' }, hostIds: [WEB1, DEAD] });
    expect(p.precheck!.label).toBe('Jobs now');
    const [web, dead] = p.precheck!.hosts;
    expect(web).toEqual({ hostId: WEB1, text: 'worker:q holds 7 jobs\nALPACA_SECRET_KEY=[REDACTED]', ok: true });
    expect(dead!.ok).toBe(false);
    expect(dead!.text).toMatch(/^could not check: .*(ECONNREFUSED|refused)/);
    // the precheck changed nothing and ran nothing of the action itself
    expect(existsSync(join(dir, 'cleared'))).toBe(false);
    // an action without a precheck previews as before
    expect((await svc.previewChecked({ actionId: 'test.sleep', params: { marker: 123456 }, hostIds: [WEB1] })).precheck).toBeUndefined();
  });

  it('records a host it cannot reach as failed, with the reason, and still runs the others', async () => {
    const p = svc.preview({ actionId: 'test.restart', params: { dir, unit: 'autotrader-api' }, hostIds: [DEAD, WEB1] });
    const { runId } = svc.run({ token: p.token });
    await svc.settled(runId);
    expect(finalStatus(runId, WEB1)).toMatchObject({ state: 'succeeded' });
    const dead = finalStatus(runId, DEAD)!;
    expect(dead.state).toBe('failed');
    expect(dead.error).toMatch(/ECONNREFUSED|refused/i);
    const records = (await audit.read(10)).filter((r) => r.hostId === 'dead');
    expect(records.map((r) => [r.kind, r.exitCode])).toEqual([
      ['intent', null],
      ['result', null],
    ]);
    expect(records[1]!.outcome).toMatch(/^failed: .*(ECONNREFUSED|refused)/i);
  });

  it('cancel stops the remote process, and the lock refuses a second run meanwhile', async () => {
    const marker = 100000 + Math.floor(Math.random() * 899999);
    const p = svc.preview({ actionId: 'test.sleep', params: { marker }, hostIds: [WEB1] });
    const { runId } = svc.run({ token: p.token });
    const deadline = Date.now() + 10_000;
    while (!(await pidsOf(`sleep ${marker}`)).length) {
      if (Date.now() > deadline) throw new Error('remote sleep never started');
      await new Promise((r) => setTimeout(r, 25));
    }
    const second = svc.preview({ actionId: 'test.sleep', params: { marker }, hostIds: [WEB1] });
    expect(failure(() => svc.run({ token: second.token }))).toMatchObject({
      code: 'conflict',
      message: `sleeper on Web 1 is busy with test.sleep (${runId}); try again when it ends`,
    });
    expect(svc.cancel(runId)).toBe(true);
    await svc.settled(runId);
    expect(finalStatus(runId, WEB1)).toMatchObject({ state: 'cancelled' });
    expect(await pidsOf(`sleep ${marker}`)).toEqual([]);
    expect((await audit.read(1))[0]).toMatchObject({ kind: 'result', outcome: 'cancelled: cancelled' });
  });

  it("a run beyond the server's MaxSessions waits for the session in use and says so, then succeeds", async () => {
    const marker = 100000 + Math.floor(Math.random() * 899999);
    const sleeping = svc.run({ token: svc.preview({ actionId: 'test.sleep', params: { marker }, hostIds: [TIGHT] }).token });
    const deadline = Date.now() + 10_000;
    while (!(await pidsOf(`sleep ${marker}`)).length) {
      if (Date.now() > deadline) throw new Error('remote sleep never started');
      await new Promise((r) => setTimeout(r, 25));
    }
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.restart', params: { dir, unit: 'autotrader-api' }, hostIds: [TIGHT] }).token });
    const stderrOf = () =>
      outputs
        .filter((o) => o.runId === runId && o.hostId === TIGHT)
        .flatMap((o) => o.chunks)
        .filter((c) => c.stream === 'stderr')
        .map((c) => c.text)
        .join('');
    await expect.poll(stderrOf, { timeout: 10_000 }).toBe('[opsdeck] waiting for a session on tight (server allows 1)\n');
    expect(finalStatus(runId, TIGHT)?.state).toBe('running');
    expect(existsSync(join(dir, 'restarted'))).toBe(false);
    svc.cancel(sleeping.runId);
    await svc.settled(runId);
    expect(finalStatus(runId, TIGHT)).toMatchObject({ state: 'succeeded', exitCode: 0, error: null });
    expect(await readFile(join(dir, 'restarted'), 'utf8')).toBe('autotrader-api 1\n');
  });
});
