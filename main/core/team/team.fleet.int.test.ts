// Two consoles of two engineers on one real systemd host (systemd-nspawn, real sshd, journald,
// util-linux flock): each console is its own SessionPool, ActionService, audit log and
// TeamActivity, as two laptops would have. What they share travels only through the host.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, HostId, RunId } from '../../../common/contract';
import { startFleet, type Fleet } from '../../../testbed/fleet';
import { ActionService } from '../actions/ActionService';
import { AuditLog } from '../audit/AuditLog';
import { systemClock, systemTimers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { SessionPool } from '../ssh/SessionPool';
import { checkAnchors } from './anchorCheck';
import { TeamActivity } from './TeamActivity';
import { READ_ONLY_PRELUDE } from './hostEnvelope';
import { TeamEnvelope } from './TeamEnvelope';
import { ackRecordCommand, consoleName, type RunRecord } from './teamRecords';

const NAME = `team${process.pid % 100000}`;
const H = 'h1' as HostId;
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-team-'));
let fleet: Fleet;
let host: string;

interface Console {
  name: string;
  pool: SessionPool;
  actions: ActionService;
  audit: AuditLog;
  activity: TeamActivity;
  statuses: EventPayload<'onRunStatus'>[];
}
let alice: Console;
let bob: Console;

function makeConsole(user: string): Console {
  // as the app builds it on a real fleet: its spares hold the read-only envelope's body
  const pool = new SessionPool({ sparePrelude: READ_ONLY_PRELUDE });
  pool.setHosts([
    {
      id: H,
      address: fleet.hosts[0]!.address,
      port: fleet.hosts[0]!.sshPort,
      user: 'root',
      privateKeyPath: fleet.privateKeyPath,
      knownHostsPath: fleet.knownHostsPath,
    },
  ]);
  const name = consoleName(user, 'laptop', user);
  const audit = new AuditLog({ path: join(dir, `${user}.jsonl`), clock: systemClock, redactor: new Redactor() });
  const statuses: EventPayload<'onRunStatus'>[] = [];
  const actions = new ActionService({
    executor: pool,
    audit,
    redactor: new Redactor(),
    hostLookup: (id) => (id === H ? { id, label: 'trader-1' } : undefined),
    user,
    clock: systemClock,
    timers: systemTimers,
    randomBytes,
    emitOutput: () => {},
    emitStatus: (s) => statuses.push(s),
    envelope: new TeamEnvelope({ user, console: name, clock: systemClock }),
  });
  const activity = new TeamActivity({
    executor: pool,
    timers: systemTimers,
    onRecords: () => {},
    retryMs: 500,
    logger: { warn: (m) => console.warn(`${user}: ${m}`) },
  });
  activity.setHosts([H]);
  return { name, pool, actions, audit, activity, statuses };
}

const inside = async (command: string) => {
  const r = await fleet.exec(host, command);
  expect(r.code, `${command}\n${r.stderr}`).toBe(0);
  return r.stdout.trim();
};

async function until<T>(what: string, get: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const final = (c: Console, runId: RunId) => c.statuses.find((s) => s.runId === runId && s.state !== 'queued' && s.state !== 'running');

async function restart(c: Console, unit: string): Promise<RunId> {
  const preview = c.actions.preview({ actionId: 'service.restart', params: { unit }, hostIds: [H] });
  return c.actions.run({ token: preview.token }).runId;
}

beforeAll(async () => {
  fleet = await startFleet({ name: NAME, hosts: 1 });
  host = fleet.hosts[0]!.name;
  // a restart that takes two seconds, so two engineers' clicks certainly overlap
  await inside(
    `mkdir -p /etc/systemd/system/autotrader-ingestion.service.d && printf '[Service]\\nExecStartPre=/bin/sleep 2\\n' > /etc/systemd/system/autotrader-ingestion.service.d/slow.conf && systemctl daemon-reload`,
  );
  alice = makeConsole('alice');
  bob = makeConsole('bob');
  await Promise.all([alice.pool.connect(H), bob.pool.connect(H)]);
}, 600_000);

afterAll(async () => {
  for (const c of [alice, bob]) {
    c?.activity.stop();
    await c?.actions.stopAll();
    await c?.pool.close();
  }
  await fleet?.stop();
});

describe('two consoles on one host', () => {
  it('runs exactly one of two concurrent restarts of a unit; the other is told who holds it', async () => {
    const since = await inside('date +%s');
    const [a, b] = [await restart(alice, 'autotrader-ingestion'), await restart(bob, 'autotrader-ingestion')];
    const [fa, fb] = await Promise.all([until('alice', () => final(alice, a)), until('bob', () => final(bob, b))]);
    const outcomes = [fa.state, fb.state].sort();
    expect(outcomes).toEqual(['cancelled', 'succeeded']);
    const refused = fa.state === 'cancelled' ? fa : fb;
    const winner = fa.state === 'succeeded' ? 'alice' : 'bob';
    expect(refused.error).toMatch(new RegExp(`^not run: held by ${winner} \\(${winner}@laptop/[0-9a-f]{6}\\): Restart a unit|^not run: held by ${winner} `));
    expect(refused.error).toMatch(/, \d+ s$/);
    // systemd started the unit once since the two clicks
    const starts = await inside(`journalctl -u autotrader-ingestion --since=@${since} -o cat | grep -c '^Started' || true`);
    expect(Number(starts)).toBe(1);
  });

  it('shows the holder before preview while a run holds the lock', async () => {
    const run = await restart(alice, 'autotrader-ingestion');
    await until('alice running', () => alice.statuses.find((s) => s.runId === run && s.state === 'running'));
    await new Promise((r) => setTimeout(r, 500));
    const preview = await bob.actions.previewChecked({ actionId: 'service.restart', params: { unit: 'autotrader-ingestion' }, hostIds: [H] });
    expect(preview.precheck?.label).toBe('Locks on the hosts');
    expect(preview.precheck?.hosts[0]).toMatchObject({ hostId: H, ok: false });
    expect(preview.precheck?.hosts[0]!.text, JSON.stringify(preview.precheck)).toMatch(/^held by alice \(alice@laptop\/[0-9a-f]{6}\): .*, \d+ s$/);
    await until('alice done', () => final(alice, run));
    const free = await bob.actions.previewChecked({ actionId: 'service.restart', params: { unit: 'autotrader-ingestion' }, hostIds: [H] });
    expect(free.precheck?.hosts[0]).toMatchObject({ ok: true, text: '' });
  });

  it("writes each run's intent and outcome to the host's journal with their fields, and the other console sees them", async () => {
    const run = await restart(bob, 'autotrader-api');
    expect((await until('bob', () => final(bob, run))).state).toBe('succeeded');
    const json = await inside(`journalctl -o json --no-pager SYSLOG_IDENTIFIER=opsdeck OPSDECK_RUN=${run}`);
    const entries = json.split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(entries.map((e) => e['OPSDECK_EVENT'])).toEqual(['intent', 'outcome']);
    const local = await bob.audit.read(100);
    const intent = local.find((r) => r.runId === run && r.kind === 'intent')!;
    expect(entries[0]).toMatchObject({
      OPSDECK_USER: 'bob',
      OPSDECK_CONSOLE: bob.name,
      OPSDECK_ACTION: 'service.restart',
      OPSDECK_COMMAND: JSON.stringify(intent.command),
      OPSDECK_CHAIN_HEAD: intent.hash,
    });
    expect(entries[1]).toMatchObject({ OPSDECK_OUTCOME: 'succeeded', OPSDECK_EXIT: '0' });
    const seen = await until('alice sees it', () => {
      const r = alice.activity.records().filter((x) => x.event !== 'ack' && (x as RunRecord).runId === run);
      return r.length === 2 ? r : null;
    });
    expect(seen.map((r) => [r.event, r.user])).toEqual([
      ['intent', 'bob'],
      ['outcome', 'bob'],
    ]);
  });

  it('records a read-only run too, without holding its exit status for the journal', async () => {
    const preview = alice.actions.preview({ actionId: 'service.status', params: { unit: 'autotrader-api' }, hostIds: [H] });
    const { runId } = alice.actions.run({ token: preview.token });
    await until('status', () => final(alice, runId));
    await until('records of the status run', () => bob.activity.records().filter((r) => r.event !== 'ack' && (r as RunRecord).runId === runId).length === 2);
  });

  it("frees the lock when a console is killed mid-action, as soon as the host's command ends", async () => {
    // a third console in a process of its own, killed with SIGKILL while its restart runs
    const script = join(dir, 'dying-console.mts');
    const cfg = {
      address: fleet.hosts[0]!.address,
      port: fleet.hosts[0]!.sshPort,
      key: fleet.privateKeyPath,
      known: fleet.knownHostsPath,
      audit: join(dir, 'carol.jsonl'),
    };
    writeFileSync(
      script,
      `
import { randomBytes } from 'node:crypto';
import { ActionService } from ${JSON.stringify(join(process.cwd(), 'main/core/actions/ActionService'))};
import { AuditLog } from ${JSON.stringify(join(process.cwd(), 'main/core/audit/AuditLog'))};
import { systemClock, systemTimers } from ${JSON.stringify(join(process.cwd(), 'main/core/clock'))};
import { Redactor } from ${JSON.stringify(join(process.cwd(), 'main/core/redact/Redactor'))};
import { SessionPool } from ${JSON.stringify(join(process.cwd(), 'main/core/ssh/SessionPool'))};
import { TeamEnvelope } from ${JSON.stringify(join(process.cwd(), 'main/core/team/TeamEnvelope'))};
import { READ_ONLY_PRELUDE } from ${JSON.stringify(join(process.cwd(), 'main/core/team/hostEnvelope'))};
const cfg = ${JSON.stringify(cfg)};
const pool = new SessionPool({ sparePrelude: READ_ONLY_PRELUDE });
pool.setHosts([{ id: 'h1', address: cfg.address, port: cfg.port, user: 'root', privateKeyPath: cfg.key, knownHostsPath: cfg.known }]);
const actions = new ActionService({ executor: pool, audit: new AuditLog({ path: cfg.audit, clock: systemClock, redactor: new Redactor() }), redactor: new Redactor(),
  hostLookup: (id) => ({ id, label: 'trader-1' }), user: 'carol', clock: systemClock, timers: systemTimers, randomBytes, emitOutput: () => {},
  emitStatus: (s) => { if (s.state === 'running') console.log('RUNNING'); }, envelope: new TeamEnvelope({ user: 'carol', console: 'carol@desk/000000', clock: systemClock }) });
await pool.connect('h1');
const p = actions.preview({ actionId: 'service.restart', params: { unit: 'autotrader-workers' }, hostIds: ['h1'] });
actions.run({ token: p.token });
setInterval(() => {}, 1000);
`,
    );
    await inside(
      `mkdir -p /etc/systemd/system/autotrader-workers.service.d && printf '[Service]\\nExecStartPre=/bin/sleep 6\\n' > /etc/systemd/system/autotrader-workers.service.d/slow.conf && systemctl daemon-reload`,
    );
    // node itself, with tsx as a loader: the tsx command would run the console in a child process
    // of its own, which the SIGKILL below would not reach
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until('carol running', () => out.includes('RUNNING'), 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const held = await bob.actions.previewChecked({ actionId: 'service.restart', params: { unit: 'autotrader-workers' }, hostIds: [H] });
    expect(held.precheck?.hosts[0]!.text).toMatch(/^held by carol/);
    child.kill('SIGKILL');
    // sshd notices the closed connection, the exec wrapper ends the command, the kernel drops the lock
    const freed = await until(
      'the lock freed',
      async () => {
        const p = await bob.actions.previewChecked({ actionId: 'service.restart', params: { unit: 'autotrader-workers' }, hostIds: [H] });
        return p.precheck?.hosts[0]!.ok ? p : null;
      },
      30_000,
    );
    expect(freed.precheck?.hosts[0]!.text).toBe('');
    const records = (await inside(`journalctl -o json --no-pager SYSLOG_IDENTIFIER=opsdeck OPSDECK_USER=carol`))
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(records.map((r) => r['OPSDECK_EVENT'])).toEqual(['intent', 'outcome']);
    expect(records[1]!['OPSDECK_OUTCOME']).toBe('interrupted');
    await inside('rm -rf /etc/systemd/system/autotrader-workers.service.d && systemctl daemon-reload');
  }, 120_000);

  it("shares an ack through the host's journal", async () => {
    await alice.pool.exec(
      H,
      ackRecordCommand({
        user: 'alice',
        console: alice.name,
        alertKey: 'prod/broker-offline/ibkr',
        kind: 'snooze',
        until: '2026-12-06T12:34:00.000Z',
        title: 'IBKR broker offline',
      }),
    );
    const ack = await until('bob sees the ack', () => bob.activity.records().find((r) => r.event === 'ack'));
    expect(ack).toMatchObject({
      event: 'ack',
      user: 'alice',
      alertKey: 'prod/broker-offline/ibkr',
      kind: 'snooze',
      until: Date.parse('2026-12-06T12:34:00.000Z'),
    });
  });

  it("detects a cut local log through the hosts' records", async () => {
    const hostRecords = () => bob.activity.records().filter((r): r is RunRecord => r.event !== 'ack');
    expect(checkAnchors(await alice.audit.read(10_000), hostRecords(), alice.name).problems).toEqual([]);
    // alice's log loses its last run (intent and result) after the fact
    const lines = readFileSync(join(dir, 'alice.jsonl'), 'utf8').trimEnd().split('\n');
    const cut = lines.slice(0, lines.length - 2);
    writeFileSync(join(dir, 'alice.jsonl'), cut.join('\n') + '\n');
    const reread = new AuditLog({ path: join(dir, 'alice.jsonl'), clock: systemClock, redactor: new Redactor() });
    const report = checkAnchors(await reread.read(10_000), hostRecords(), alice.name);
    expect(
      report.problems.map((p) => p.kind),
      JSON.stringify({ cut: lines.slice(-2), report, host: hostRecords().map((r) => [r.console, r.runId, r.event, r.chainHead]) }),
    ).toEqual(['missing-locally']);
  });
});
