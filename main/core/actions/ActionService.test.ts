// The action service against real processes: commands run in /bin/sh on this machine through
// LocalShellExecutor (same contract as the SSH pool), audit goes to a real file. The SSH path
// is covered by ActionService.int.test.ts against a real sshd.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload, HostId } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { AuditLog } from '../audit/AuditLog';
import { systemTimers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { ActionService, type ActionServiceDeps } from './ActionService';
import { parseCatalog } from './Catalog';
import type { RunEnvelopeContext } from './types';
import { FollowSpools } from './FollowSpool';
import { RunOutputs } from './RunOutputs';
import { LocalShellExecutor } from './LocalShellExecutor';
import { runAlert } from '../../../common/runAlert.fixture';

const CATALOG = parseCatalog(
  `version: 1
actions:
  - id: test.echo
    title: Echo a word
    section: worker-queues
    risk: read-only
    params:
      - { name: word, label: Word, kind: string, pattern: "[a-z0-9:_-]{1,40}" }
    script: echo "host=$HOST_ID word=$1"; touch "$DIR/echo.$HOST_ID.$1"
    args: ["{word}"]
  - id: test.hold
    title: Hold a unit for a while
    section: worker-queues
    risk: service-affecting
    params:
      - { name: unit, label: Unit, kind: enum, choices: [unit-a, unit-b] }
      - { name: seconds, label: Seconds, kind: integer, min: 0, max: 30, default: 0 }
    script: echo $$ > "$DIR/pid.$HOST_ID"; echo started; sleep "$1"; touch "$DIR/done.$HOST_ID.$2"
    args: ["{seconds}", "{unit}"]
    locks: ["{unit}"]
  - id: test.clear
    title: Clear a queue
    section: worker-queues
    risk: destructive
    params:
      - { name: queue, label: Queue, kind: string, pattern: "worker:[a-z0-9_:-]{1,64}" }
    confirmText: "{queue}"
    script: touch "$DIR/cleared.$HOST_ID"
  - id: test.wipe-host
    title: Wipe a host
    section: worker-queues
    risk: destructive
    confirmText: "{host}"
    command: ["true"]
  - id: test.rolling
    title: Rolling change that fails on h2
    section: worker-queues
    risk: service-affecting
    rolling: true
    script: touch "$DIR/rolled.$HOST_ID"; test "$HOST_ID" != h2
  - id: test.flood
    title: Print many lines
    section: worker-queues
    risk: read-only
    params:
      - { name: count, label: Count, kind: integer, min: 1, max: 100000 }
    script: seq 1 "$1"
    args: ["{count}"]
  - id: test.flood-follow
    title: Follow a flood
    section: worker-queues
    risk: read-only
    streams: true
    timeoutSeconds: 0
    params:
      - { name: count, label: Count, kind: integer, min: 1, max: 100000 }
    script: seq 1 "$1"
    args: ["{count}"]
  - id: test.secrets-follow
    title: Follow secrets
    section: security-checks
    risk: read-only
    streams: true
    timeoutSeconds: 0
    script: |
      echo "ALPACA_SECRET_KEY=abc123zz"
      echo "order fa=DU1234567" >&2
  - id: test.secrets
    title: Print secrets
    section: security-checks
    risk: read-only
    script: |
      echo "ALPACA_SECRET_KEY=abc123zz"
      echo "order fa=DU1234567" >&2
      printf 'tail GROQ_API_KEY=gsk_unterminatedsecret0123'
  - id: test.slow
    title: Outlive the timeout
    section: worker-queues
    risk: read-only
    timeoutSeconds: 1
    script: echo $$ > "$DIR/pid.$HOST_ID"; sleep 30; touch "$DIR/done.$HOST_ID"
`,
  'test catalog',
);

const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'].map((id) => ({ id: id as HostId, label: `Host ${id.slice(1)}` }));
const hostLookup = (id: HostId) => HOSTS.find((h) => h.id === id);

let dir: string;
let offsetMs: number;
let outputs: EventPayload<'onRunOutput'>[];
let statuses: EventPayload<'onRunStatus'>[];
let audit: AuditLog;
const redactor = new Redactor();
const clock = { now: () => Date.now() + offsetMs };

function service(overrides: Partial<ActionServiceDeps> = {}): ActionService {
  return new ActionService({
    catalog: CATALOG,
    executor: new LocalShellExecutor({ env: { DIR: dir }, killGraceMs: 500 }),
    audit,
    redactor,
    hostLookup,
    user: 'alice',
    clock,
    timers: systemTimers,
    randomBytes,
    emitOutput: (p) => outputs.push(p),
    emitStatus: (p) => statuses.push(p),
    ...overrides,
  });
}

const ids = (...names: string[]) => names as HostId[];
const finalStates = (runId: string) =>
  Object.fromEntries(statuses.filter((s) => s.runId === runId && !['queued', 'running'].includes(s.state)).map((s) => [s.hostId, s.state]));
const textOf = (runId: string, hostId: string, stream?: 'stdout' | 'stderr') =>
  outputs
    .filter((o) => o.runId === runId && o.hostId === hostId)
    .flatMap((o) => o.chunks)
    .filter((c) => !stream || c.stream === stream)
    .map((c) => c.text)
    .join('');

function failure(fn: () => unknown): OpsFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpsFailure) return err;
    throw err;
  }
  throw new Error('did not fail');
}

// a killed process whose parent is gone may linger as a zombie if nothing reaps it: that is dead
const alive = (pid: number): boolean => {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-actions-'));
  offsetMs = 0;
  outputs = [];
  statuses = [];
  audit = new AuditLog({ path: join(dir, 'audit.jsonl'), clock, redactor });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('preview', () => {
  it('shows the exact command, the hosts, the risk and the confirmation, with a fresh token', () => {
    const svc = service();
    const p = svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a', seconds: 3 }, hostIds: ids('h1', 'h2') });
    expect(p).toMatchObject({
      actionId: 'test.hold',
      title: 'Hold a unit for a while',
      risk: 'service-affecting',
      hosts: [
        { id: 'h1', label: 'Host 1' },
        { id: 'h2', label: 'Host 2' },
      ],
      command: `sh -c 'echo $$ > "$DIR/pid.$HOST_ID"; echo started; sleep "$1"; touch "$DIR/done.$HOST_ID.$2"' test.hold 3 unit-a`,
      confirmation: { kind: 'click' },
    });
    expect(p.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(p.expiresAt) - clock.now()).toBeGreaterThan(4 * 60_000);
    expect(svc.preview({ actionId: 'test.echo', params: { word: 'a' }, hostIds: ids('h1') }).confirmation).toEqual({ kind: 'none' });
    expect(svc.preview({ actionId: 'test.clear', params: { queue: 'worker:scanner' }, hostIds: ids('h1') }).confirmation).toEqual({
      kind: 'typed',
      text: 'worker:scanner',
    });
    expect(svc.preview({ actionId: 'test.wipe-host', params: {}, hostIds: ids('h3') }).confirmation).toEqual({ kind: 'typed', text: 'Host 3' });
    expect(p.token).not.toBe(svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a', seconds: 3 }, hostIds: ids('h1', 'h2') }).token);
  });

  it('refuses unknown actions and hosts, repeated hosts and more hosts than the blast radius allows', () => {
    const svc = service({ blastRadius: 3 });
    expect(failure(() => svc.preview({ actionId: 'test.nope', params: {}, hostIds: ids('h1') }))).toMatchObject({
      code: 'not-found',
      message: 'no action "test.nope" in the catalog',
    });
    expect(failure(() => svc.preview({ actionId: 'test.echo', params: { word: 'a' }, hostIds: ids('h1', 'h9') }))).toMatchObject({
      code: 'not-found',
      message: 'test.echo: no host "h9" in the fleet',
    });
    expect(failure(() => svc.preview({ actionId: 'test.echo', params: { word: 'a' }, hostIds: ids('h1', 'h1') }))).toMatchObject({
      code: 'bad-request',
      message: 'test.echo: host h1 is listed twice',
    });
    expect(failure(() => svc.preview({ actionId: 'test.echo', params: { word: 'a' }, hostIds: ids('h1', 'h2', 'h3', 'h4') }))).toMatchObject({
      code: 'forbidden',
      message: 'test.echo on 4 hosts exceeds the blast-radius cap of 3: choose fewer hosts',
    });
  });
});

describe('run', () => {
  it('runs what was previewed on each host, streams its output, and audits intent then result', async () => {
    const svc = service();
    const p = svc.preview({ actionId: 'test.echo', params: { word: 'hello' }, hostIds: ids('h1', 'h2') });
    const { runId } = svc.run({ token: p.token });
    expect(runId).toMatch(/^run-[a-f0-9]{16}$/);
    await svc.settled(runId);
    expect(finalStates(runId)).toEqual({ h1: 'succeeded', h2: 'succeeded' });
    expect(textOf(runId, 'h1')).toBe('host=h1 word=hello\n');
    expect(textOf(runId, 'h2')).toBe('host=h2 word=hello\n');
    expect(existsSync(join(dir, 'echo.h1.hello'))).toBe(true);
    for (const h of ['h1', 'h2']) {
      expect(statuses.filter((s) => s.hostId === h).map((s) => s.state)).toEqual(['queued', 'running', 'succeeded']);
    }
    const records = await audit.read(10);
    expect(records.map((r) => [r.kind, r.hostId, r.exitCode, r.outcome]).sort()).toEqual([
      ['intent', 'h1', null, null],
      ['intent', 'h2', null, null],
      ['result', 'h1', 0, 'succeeded'],
      ['result', 'h2', 0, 'succeeded'],
    ]);
    for (const r of records) expect(r).toMatchObject({ user: 'alice', runId, actionId: 'test.echo', command: p.command });
    for (const h of ['h1', 'h2']) {
      const mine = records.filter((r) => r.hostId === h);
      expect(mine[0]!.kind).toBe('intent');
      expect(mine[0]!.seq).toBeLessThan(mine[1]!.seq);
    }
    expect(await audit.verify()).toEqual({ ok: true, count: 4 });
  });

  it('hands the alert a run came from to the host envelope, redacted as its intent records it, and none for a run without one', async () => {
    const contexts: RunEnvelopeContext[] = [];
    const svc = service({
      envelope: {
        wrap: (command, run) => {
          contexts.push(run);
          return command;
        },
        refusal: () => null,
        probeCommand: () => null,
        describeProbe: (lines) => ({ holders: [], rest: [...lines] }),
      },
    });
    const alert = runAlert({
      id: 'a-2',
      key: 'prod/order-errors/fa=DU1234567',
      firedAt: '2026-12-06T19:58:00.000Z',
      ruleId: 'order-errors',
      title: 'order errors',
      item: 'fa=DU1234567',
    });
    const fromAlert = svc.preview({ actionId: 'test.echo', params: { word: 'a' }, hostIds: ids('h1'), alert });
    await svc.settled(svc.run({ token: fromAlert.token }).runId);
    await svc.settled(svc.run({ token: svc.preview({ actionId: 'test.echo', params: { word: 'b' }, hostIds: ids('h1') }).token }).runId);
    expect(contexts.map((c) => c.alert)).toEqual([{ key: redactor.redact(alert.key), firedAt: alert.firedAt }, null]);
    expect(JSON.stringify(contexts)).not.toContain('DU1234567');
    const intent = (await audit.read(10)).find((r) => r.alert)!;
    expect(intent.alert).toMatchObject({ key: redactor.redact(alert.key), item: redactor.redact(alert.item) });
    expect(JSON.stringify(await audit.read(10))).not.toContain('DU1234567');
  });

  it('refuses a token used before, so a replayed run never executes twice', async () => {
    const svc = service();
    const p = svc.preview({ actionId: 'test.echo', params: { word: 'once' }, hostIds: ids('h1') });
    await svc.settled(svc.run({ token: p.token }).runId);
    expect(failure(() => svc.run({ token: p.token }))).toMatchObject({
      code: 'not-found',
      message: 'this preview is unknown or was already run: preview the action again',
    });
    expect(failure(() => svc.run({ token: 'A'.repeat(43) })).code).toBe('not-found');
    expect((await audit.read(100)).filter((r) => r.kind === 'intent')).toHaveLength(1);
  });

  it('refuses an expired token and runs nothing', async () => {
    const svc = service();
    const p = svc.preview({ actionId: 'test.echo', params: { word: 'late' }, hostIds: ids('h1') });
    offsetMs = 5 * 60_000 + 1;
    expect(failure(() => svc.run({ token: p.token }))).toMatchObject({
      code: 'expired',
      message: expect.stringMatching(/^the preview of test\.echo expired at .*: preview it again$/),
    });
    expect(existsSync(join(dir, 'echo.h1.late'))).toBe(false);
    expect(await audit.read(10)).toEqual([]);
  });

  it('binds each token to its own preview: the token for one action runs that action only', async () => {
    const svc = service();
    const a = svc.preview({ actionId: 'test.echo', params: { word: 'alpha' }, hostIds: ids('h1') });
    const b = svc.preview({ actionId: 'test.echo', params: { word: 'bravo' }, hostIds: ids('h2') });
    // extra fields in a run request (a hostile renderer's edits) are ignored: only the token counts
    const { runId } = svc.run({ token: a.token, ...({ hostIds: ['h2'], params: { word: 'bravo' } } as object) });
    await svc.settled(runId);
    expect(textOf(runId, 'h1')).toBe('host=h1 word=alpha\n');
    expect(statuses.filter((s) => s.runId === runId).every((s) => s.hostId === 'h1')).toBe(true);
    expect(existsSync(join(dir, 'echo.h2.bravo'))).toBe(false);
    await svc.settled(svc.run({ token: b.token }).runId);
    expect(existsSync(join(dir, 'echo.h2.bravo'))).toBe(true);
  });

  it('runs a destructive action only with the exact typed confirmation', async () => {
    const svc = service();
    const p = svc.preview({ actionId: 'test.clear', params: { queue: 'worker:scanner' }, hostIds: ids('h1') });
    for (const typed of [undefined, '', 'worker:scanne', 'WORKER:SCANNER', 'worker:scanner ']) {
      expect(failure(() => svc.run({ token: p.token, typedConfirmation: typed }))).toMatchObject({
        code: 'forbidden',
        message: 'typed confirmation does not match: type "worker:scanner" exactly to run test.clear',
      });
    }
    expect(existsSync(join(dir, 'cleared.h1'))).toBe(false);
    expect(await audit.read(10)).toEqual([]);
    await svc.settled(svc.run({ token: p.token, typedConfirmation: 'worker:scanner' }).runId);
    expect(existsSync(join(dir, 'cleared.h1'))).toBe(true);
  });

  it('refuses a second run on a unit a run holds on that host, and frees it when done', async () => {
    const svc = service();
    const first = svc.run({ token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a', seconds: 1 }, hostIds: ids('h1', 'h2') }).token });
    const again = svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a', seconds: 0 }, hostIds: ids('h3', 'h2') });
    expect(failure(() => svc.run({ token: again.token }))).toMatchObject({
      code: 'conflict',
      message: `unit-a on Host 2 is busy with test.hold (${first.runId}); try again when it ends`,
    });
    // another unit on the same host, or the same unit elsewhere, is free
    const other = svc.run({ token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-b' }, hostIds: ids('h1') }).token });
    const elsewhere = svc.run({ token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a' }, hostIds: ids('h3') }).token });
    await Promise.all([svc.settled(first.runId), svc.settled(other.runId), svc.settled(elsewhere.runId)]);
    expect(finalStates(first.runId)).toEqual({ h1: 'succeeded', h2: 'succeeded' });
    // the refused run wrote nothing and ran nothing; after the first ends its token works
    expect((await audit.read(100)).filter((r) => r.kind === 'intent')).toHaveLength(4);
    const later = svc.run({ token: again.token });
    await svc.settled(later.runId);
    expect(finalStates(later.runId)).toEqual({ h2: 'succeeded', h3: 'succeeded' });
  });

  it('keeps at most maxConcurrency hosts running at once', async () => {
    const svc = service({ maxConcurrency: 2 });
    const { runId } = svc.run({
      token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a', seconds: 0 }, hostIds: ids('h1', 'h2', 'h3', 'h4', 'h5') }).token,
    });
    await svc.settled(runId);
    let running = 0;
    let peak = 0;
    for (const s of statuses) {
      if (s.state === 'running') peak = Math.max(peak, ++running);
      else if (s.state !== 'queued') running--;
    }
    expect(peak).toBe(2);
    expect(Object.values(finalStates(runId))).toEqual(Array(5).fill('succeeded'));
  });

  it('stops a rolling action at the first failing host and says why the rest did not run', async () => {
    const svc = service();
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.rolling', params: {}, hostIds: ids('h1', 'h2', 'h3') }).token });
    await svc.settled(runId);
    expect(finalStates(runId)).toEqual({ h1: 'succeeded', h2: 'failed', h3: 'cancelled' });
    expect(statuses.find((s) => s.hostId === 'h2' && s.state === 'failed')).toMatchObject({ exitCode: 1, error: 'exit code 1' });
    expect(statuses.find((s) => s.hostId === 'h3' && s.state === 'cancelled')!.error).toBe(
      'not run: Host 2 failed and test.rolling stops at the first failure',
    );
    expect(existsSync(join(dir, 'rolled.h3'))).toBe(false);
    const h3 = (await audit.read(100)).filter((r) => r.hostId === 'h3');
    expect(h3.map((r) => [r.kind, r.outcome])).toEqual([['note', 'skipped: not run: Host 2 failed and test.rolling stops at the first failure']]);
  });

  it('cancel stops the running command itself and the queued hosts never start', async () => {
    const svc = service({ maxConcurrency: 1 });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a', seconds: 30 }, hostIds: ids('h1', 'h2') }).token });
    while (!outputs.some((o) => o.runId === runId)) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(await readFile(join(dir, 'pid.h1'), 'utf8'));
    expect(alive(pid)).toBe(true);
    expect(svc.cancel(runId)).toBe(true);
    expect(svc.cancel(runId)).toBe(false);
    await svc.settled(runId);
    expect(finalStates(runId)).toEqual({ h1: 'cancelled', h2: 'cancelled' });
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(dir, 'done.h1.unit-a'))).toBe(false);
    expect(existsSync(join(dir, 'pid.h2'))).toBe(false);
    const records = await audit.read(100);
    expect(records.map((r) => [r.kind, r.hostId, r.outcome])).toEqual([
      ['intent', 'h1', null],
      ['result', 'h1', 'cancelled: cancelled'],
      ['note', 'h2', 'skipped: cancelled before it started'],
    ]);
    expect(svc.cancel('run-0000000000000000')).toBe(false);
  });

  it('a cancel that crossed the exit status of a command that finished with 0 records it succeeded, not cancelled', async () => {
    // over SSH the exit status and a cancel can cross on the wire; the executor then reports
    // both. That moment cannot be timed for real, so this executor reports a real finished run
    // as cancelled too.
    const local = new LocalShellExecutor({ env: { DIR: dir }, killGraceMs: 500 });
    const svc = service({ executor: { exec: async (host, command, opts) => ({ ...(await local.exec(host, command, opts)), cancelled: true }) } });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.echo', params: { word: 'a' }, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    expect(finalStates(runId)).toEqual({ h1: 'succeeded' });
    expect((await audit.read(100)).filter((r) => r.kind === 'result').map((r) => r.outcome)).toEqual(['succeeded']);
  });

  it('stops a command that outlives its timeout and reports it as timed out', async () => {
    const svc = service();
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.slow', params: {}, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    expect(statuses.at(-1)).toMatchObject({ hostId: 'h1', state: 'failed', error: 'timed out after 1 s' });
    const pid = Number(await readFile(join(dir, 'pid.h1'), 'utf8'));
    expect(alive(pid)).toBe(false);
    expect((await audit.read(1))[0]!.outcome).toBe('failed: timed out after 1 s');
  });

  it('does not run a command whose intent cannot be audited', async () => {
    const auditDir = join(dir, 'audit-is-a-folder');
    await mkdir(auditDir);
    const svc = service({ audit: new AuditLog({ path: auditDir, clock, redactor }) });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.echo', params: { word: 'unaudited' }, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    expect(statuses.at(-1)).toMatchObject({ state: 'failed', error: expect.stringMatching(/^not run: the audit log could not be written/) });
    expect(existsSync(join(dir, 'echo.h1.unaudited'))).toBe(false);
  });
});

describe('listeners', () => {
  it('a throwing status or output listener neither crashes the run nor leaves the unit locked', async () => {
    const warnings: string[] = [];
    const svc = service({
      emitStatus: (p) => {
        statuses.push(p);
        if (p.state === 'running') throw new Error('renderer went away');
      },
      emitOutput: () => {
        throw new Error('renderer went away');
      },
      logger: { warn: (m) => warnings.push(m) },
    });
    const first = svc.run({ token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a' }, hostIds: ids('h1') }).token });
    await svc.settled(first.runId);
    expect(finalStates(first.runId)).toEqual({ h1: 'succeeded' });
    expect(warnings.some((w) => w.includes('status listener failed'))).toBe(true);
    expect(warnings.some((w) => w.includes('output listener failed'))).toBe(true);
    const second = svc.run({ token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a' }, hostIds: ids('h1') }).token });
    await svc.settled(second.runId);
    expect(finalStates(second.runId)).toEqual({ h1: 'succeeded' });
  });
});

describe('output', () => {
  it('a finite output of 5000 lines (the most a tail may ask for) arrives whole under the default bounds', async () => {
    const svc = service();
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.flood', params: { count: 5000 }, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    const batches = outputs.filter((o) => o.runId === runId);
    expect(batches.reduce((n, b) => n + b.droppedLines, 0)).toBe(0);
    expect(
      batches
        .flatMap((b) => b.chunks.map((c) => c.text))
        .join('')
        .split('\n')
        .filter(Boolean),
    ).toHaveLength(5000);
  });

  it('redacts secrets line by line on both streams, the unterminated last line included', async () => {
    const svc = service();
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.secrets', params: {}, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    expect(textOf(runId, 'h1', 'stdout')).toBe('ALPACA_SECRET_KEY=[REDACTED]\ntail GROQ_API_KEY=[REDACTED]');
    expect(textOf(runId, 'h1', 'stderr')).toBe('order fa=[REDACTED]\n');
  });

  it('shows the first output of a command at once, not after the batch interval', async () => {
    // an interval no run reaches: before, the first line waited for it or for the command's end
    const svc = service({ limits: { outputIntervalMs: 600_000 } });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.hold', params: { unit: 'unit-a', seconds: 30 }, hostIds: ids('h1') }).token });
    await expect.poll(() => textOf(runId, 'h1', 'stdout'), { timeout: 10_000 }).toBe('started\n');
    // the command is still running: it was its first line, not its last, that was shown
    expect(finalStates(runId)).toEqual({});
    svc.cancel(runId);
    await svc.settled(runId);
    expect(finalStates(runId)).toEqual({ h1: 'cancelled' });
  }, 30_000);

  it('batches a flood and, past the buffer bound, drops the oldest lines with a visible count', async () => {
    const svc = service({ limits: { maxBufferedLines: 500, maxBufferedLinesFinite: 500 } });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.flood', params: { count: 50_000 }, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    const batches = outputs.filter((o) => o.runId === runId);
    const shown = batches
      .flatMap((b) => b.chunks.map((c) => c.text))
      .join('')
      .split('\n')
      .filter(Boolean);
    const dropped = batches.reduce((n, b) => n + b.droppedLines, 0);
    expect(shown.length + dropped).toBe(50_000);
    expect(dropped).toBeGreaterThan(0);
    expect(shown.at(-1)).toBe('50000');
    // shown lines stay in order
    const numbers = shown.map(Number);
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true);
    // one batch per 100 ms at most, plus the final flush
    expect(batches.length).toBeLessThan(50_000 / 500);
  });

  it('a follow drops nothing: a flood faster than the view is read slower and arrives whole, in order, in bounded batches', async () => {
    const spools = new FollowSpools({ dir: join(dir, 'spool') });
    const svc = service({ limits: { maxBufferedLines: 500, outputIntervalMs: 20 }, spools });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.flood-follow', params: { count: 50_000 }, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    const batches = outputs.filter((o) => o.runId === runId);
    expect(batches.reduce((n, b) => n + b.droppedLines, 0)).toBe(0);
    const shown = batches
      .flatMap((b) => b.chunks.map((c) => c.text))
      .join('')
      .split('\n')
      .filter(Boolean);
    expect(shown).toEqual(Array.from({ length: 50_000 }, (_, i) => String(i + 1)));
    // the view never gets more than the bound at once
    const sizes = batches.map((b) => b.chunks.reduce((n, c) => n + c.text.split('\n').filter(Boolean).length, 0));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(finalStates(runId)).toEqual({ h1: 'succeeded' });
    // and the whole follow is on disk, paged as it was shown
    expect(await spools.page(runId, 'h1', 0, 100_000)).toEqual({ lines: shown, total: 50_000 });
    expect((await spools.page(runId, 'h1', 49_998, 10))!.lines).toEqual(['49999', '50000']);
  }, 30_000);

  it("a follow's spool holds what the view was shown: secrets redacted, stderr marked", async () => {
    const spools = new FollowSpools({ dir: join(dir, 'spool') });
    const svc = service({ spools });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.secrets-follow', params: {}, hostIds: ids('h1') }).token });
    await svc.settled(runId);
    const { lines } = (await spools.page(runId, 'h1', 0, 10))!;
    expect(lines.sort()).toEqual(['ALPACA_SECRET_KEY=[REDACTED]', '[stderr] order fa=[REDACTED]']);
    expect(readFileSync(spools.pathOf(runId, 'h1'), 'utf8')).not.toMatch(/abc123zz|DU1234567/);
  });

  it('a follow whose spool fills its disk goes on in the view, whole, and says the record stopped', async () => {
    // a real full disk: a 64 KiB tmpfs under the spool folder (needs root, as the fleet tests do)
    const tiny = join(dir, 'tiny');
    await mkdir(tiny);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny]);
    try {
      const warnings: string[] = [];
      const svc = service({ spools: new FollowSpools({ dir: tiny }), limits: { outputIntervalMs: 20 }, logger: { warn: (m) => warnings.push(m) } });
      const { runId } = svc.run({ token: svc.preview({ actionId: 'test.flood-follow', params: { count: 50_000 }, hostIds: ids('h1') }).token });
      await svc.settled(runId);
      expect(textOf(runId, 'h1', 'stdout').split('\n').filter(Boolean)).toHaveLength(50_000);
      expect(textOf(runId, 'h1', 'stderr')).toMatch(/^\[opsdeck\] this follow is no longer kept on disk from here on \(.*ENOSPC.*\); the view goes on\n$/);
      expect(finalStates(runId)).toEqual({ h1: 'succeeded' });
      expect(warnings.some((w) => w.includes('ENOSPC'))).toBe(true);
    } finally {
      execFileSync('umount', [tiny]);
    }
  });

  it("a run's output is kept as its dialog showed it, secrets redacted and stderr marked; a follow's is in its spool instead", async () => {
    const kept = new RunOutputs({ dir: join(dir, 'runs') });
    const svc = service({ outputs: kept });
    const { runId } = svc.run({ token: svc.preview({ actionId: 'test.secrets', params: {}, hostIds: ids('h1', 'h2') }).token });
    await svc.settled(runId);
    for (const host of ['h1', 'h2']) {
      const { lines } = (await kept.page(runId, host, 0, 10))!;
      expect([...lines].sort()).toEqual(['ALPACA_SECRET_KEY=[REDACTED]', '[stderr] order fa=[REDACTED]', 'tail GROQ_API_KEY=[REDACTED]']);
      expect(readFileSync(kept.pathOf(runId, host), 'utf8')).not.toMatch(/abc123zz|DU1234567|gsk_/);
    }
    const follow = svc.run({ token: svc.preview({ actionId: 'test.secrets-follow', params: {}, hostIds: ids('h1') }).token });
    await svc.settled(follow.runId);
    expect(await kept.page(follow.runId, 'h1', 0, 10)).toBeNull();
  });

  it('a run whose kept output fills its disk ends as it would have, shows everything, and the log says why the rest is not kept', async () => {
    // a real full disk, as for the follow above
    const tiny = join(dir, 'tiny');
    await mkdir(tiny);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny]);
    try {
      const warnings: string[] = [];
      const kept = new RunOutputs({ dir: tiny, logger: { warn: (m) => warnings.push(m) } });
      const svc = service({ outputs: kept, limits: { maxBufferedLinesFinite: 100_000 } });
      const { runId } = svc.run({ token: svc.preview({ actionId: 'test.flood', params: { count: 50_000 }, hostIds: ids('h1') }).token });
      await svc.settled(runId);
      expect(finalStates(runId)).toEqual({ h1: 'succeeded' });
      expect(textOf(runId, 'h1', 'stdout').split('\n').filter(Boolean)).toHaveLength(50_000);
      expect(warnings.some((w) => w.includes('the output is no longer kept from here on') && w.includes('ENOSPC'))).toBe(true);
      // what fitted is kept, from the first line
      expect((await kept.page(runId, 'h1', 0, 2))!.lines).toEqual(['1', '2']);
    } finally {
      execFileSync('umount', [tiny]);
    }
  });
});
