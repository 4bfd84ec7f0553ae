// The audit log against real faults: the console's writer process killed with SIGKILL at random
// moments (30 times, restarted on the same folder each time), the audit folder on a 64 KiB
// tmpfs that fills up while actions run over a real sshd, and a disk slow to sync (every
// fdatasync of a console process held for a second by strace).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { ActionService } from '../actions/ActionService';
import { parseCatalog } from '../actions/Catalog';
import { systemClock, systemTimers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { SessionPool } from '../ssh/SessionPool';
import { AuditLog, CONSOLE_STOPPED } from './AuditLog';
import type { StoredRecord } from './auditRecord';
import { type AuditKeySource, fileAuditKey } from './auditKey';

const run = promisify(execFile);

async function records(path: string): Promise<StoredRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as StoredRecord];
      } catch {
        return [];
      }
    });
}

/** Every intent's (run, host) has a result record after it. */
function openIntents(recs: StoredRecord[]): string[] {
  const open = new Set<string>();
  for (const r of recs) {
    if (r.kind === 'intent') open.add(`${r.runId} ${r.hostId}`);
    if (r.kind === 'result') open.delete(`${r.runId} ${r.hostId}`);
  }
  return [...open];
}

/** Bundles a child script from ./testing into one ES module node can run on its own; resolves with its path. */
async function bundleChild(entry: string, outfile: string, banner?: { js: string }): Promise<string> {
  await build({
    entryPoints: [join(__dirname, 'testing', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    ...(banner ? { banner } : {}),
  });
  return outfile;
}

describe('the console killed at random points', () => {
  let dir: string;
  let child: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-audit-crash-'));
    child = await bundleChild('auditWriterChild.ts', join(dir, 'writer.mjs'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('closes every run it cut off as unknown on the next start, and the chain verifies throughout', async () => {
    const log = join(dir, 'state', 'audit.jsonl');
    const args = [child, log, ...extraChildArgs(dir)];
    let unknownReported = 0;
    for (let i = 0; i < 30; i++) {
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const firstLine = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        proc.on('exit', (code) => reject(new Error(`writer exited with ${code} before it was ready: ${stderr}`)));
      });
      unknownReported += (JSON.parse(firstLine) as { unknown: number }).unknown;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 60));
      const exited = new Promise((r) => proc.on('exit', r));
      proc.kill('SIGKILL');
      await exited;
    }
    // the 31st start: a console as the app builds it
    const last = new AuditLog({ path: log, clock: systemClock, redactor: new Redactor(), ...extraLogDeps(dir) });
    const final = await last.recover();
    unknownReported += final.unknown;
    const verdict = await last.verify();
    expect(verdict).toMatchObject({ ok: true });
    // every record carries the key's mark (no unkeyed records noted)
    expect(verdict.ok && verdict.notes).toBeFalsy();

    const recs = await records(log);
    expect(openIntents(recs)).toEqual([]);
    const unknown = recs.filter((r) => r.kind === 'result' && r.outcome === CONSOLE_STOPPED);
    expect(unknown.length).toBe(unknownReported);
    // four hosts in flight at every kill: runs were cut off, and none of them reads "succeeded"
    expect(unknown.length).toBeGreaterThan(0);
    const succeeded = recs.filter((r) => r.kind === 'result' && r.outcome === 'succeeded');
    expect(succeeded.length).toBeGreaterThan(0);
    for (const u of unknown) expect(recs.filter((r) => r.kind === 'result' && r.runId === u.runId && r.hostId === u.hostId)).toHaveLength(1);
    // each start is a fresh node process (about 0.1 s idle, seconds on a loaded 2-core machine)
  }, 180_000);
});

describe('a disk slow to sync', () => {
  let dir: string;
  let child: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdeck-audit-slow-'));
    // the catalog's yaml package is CommonJS: its require() calls need one in an ES module
    child = await bundleChild('slowSyncConsoleChild.ts', join(dir, 'console.mjs'), {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("sends a read-only action's command while its intent syncs and writes its result after; a change waits for the sync", async () => {
    const log = join(dir, 'audit.jsonl');
    const changed = join(dir, 'changed');
    const trace = join(dir, 'trace.log');
    // every fdatasync waits a second before it runs: the intent is written, not yet on disk
    const { stdout } = await run(
      'strace',
      [
        ...['-f', '-qq', '-y', '-s', '4096', '-o', trace, '-e', 'signal=none'],
        ...['-e', 'trace=write,writev,pwrite64,fdatasync,execve', '-e', 'inject=fdatasync:delay_enter=1000000'],
        ...[process.execPath, child, log, changed],
      ],
      { timeout: 60_000 },
    );
    expect(stdout).toBe('view peeked\nstatus succeeded\nstatus succeeded\n');
    const events = traceEvents(await readFile(trace, 'utf8'), log);
    const at = (what: string, from = 0) => {
      const i = events.findIndex((e, n) => n >= from && e === what);
      if (i < 0) throw new Error(`no "${what}" after event ${from} in:\n${events.join('\n')}`);
      return i;
    };
    // the read: intent written, command started, its output in the view, then the intent's sync
    // ends, and only then is its result written
    const peekIntent = at('write intent test.peek');
    const peekRun = at('exec echo peeked', peekIntent);
    const peekView = at('view', peekRun);
    const peekSynced = at('synced', peekIntent);
    expect(peekView).toBeLessThan(peekSynced);
    expect(at('write result test.peek')).toBeGreaterThan(peekSynced);
    // the change: its command starts only once its intent is on disk
    const changeIntent = at('write intent test.change');
    const changeSynced = at('synced', changeIntent);
    expect(at(`exec touch ${changed}`, changeIntent)).toBeGreaterThan(changeSynced);

    const recs = await records(log);
    expect(recs.map((r) => `${r.kind} ${r.actionId} ${r.outcome}`)).toEqual([
      'intent test.peek null',
      'result test.peek succeeded',
      'intent test.change null',
      'result test.change succeeded',
    ]);
    expect(await new AuditLog({ path: log, clock: systemClock, redactor: new Redactor() }).verify()).toMatchObject({ ok: true, count: 4 });
  });

  it("reports a read whose intent's sync failed after its command went out, and records why", async () => {
    const log = join(dir, 'eio', 'audit.jsonl');
    const changed = join(dir, 'eio-changed');
    // the log's first fdatasync (the read's intent) fails as a dying disk's would; strace counts
    // calls per thread, so the file calls all go through one thread of libuv's pool
    const { stdout } = await run(
      'strace',
      [
        ...['-f', '-qq', '-o', '/dev/null', '-e', 'signal=none', '-P', log],
        ...['-e', 'trace=fdatasync', '-e', 'inject=fdatasync:error=EIO:when=1'],
        ...[process.execPath, child, log, changed],
      ],
      { timeout: 60_000, env: { ...process.env, UV_THREADPOOL_SIZE: '1' } },
    );
    const why = `the audit log could not sync its intent after the command was sent (audit log ${log} cannot be written: EIO: i/o error, fdatasync; runs are refused until it can)`;
    expect(stdout).toBe(`view peeked\nstatus failed ${why}\nstatus succeeded\n`);
    // the intent was cut off again with its failed sync; the result says what happened
    const recs = await records(log);
    expect(recs.map((r) => `${r.kind} ${r.actionId} ${r.outcome}`)).toEqual([
      `result test.peek failed: ${why}`,
      'intent test.change null',
      'result test.change succeeded',
    ]);
    expect(await new AuditLog({ path: log, clock: systemClock, redactor: new Redactor() }).verify()).toMatchObject({ ok: true, count: 3 });
  });
});

/**
 * strace -f -y's log as events in the order they happened: an audit record written ("write
 * intent ACTION"), a sync of the log that has returned ("synced"), a command started ("exec
 * COMMAND", from sh -c), a batch of output reaching the view ("view").
 */
function traceEvents(text: string, log: string): string[] {
  const events: string[] = [];
  const syncing = new Set<string>();
  const unquote = (s: string) => s.replace(/\\"/g, '"');
  for (const line of text.split('\n')) {
    // strace pads the pid to five columns
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, call] = m as unknown as [string, string, string];
    if (call.startsWith(`fdatasync(`) && call.includes(`<${log}>`)) {
      if (call.includes('<unfinished ...>')) syncing.add(pid);
      else events.push('synced');
    } else if (call.startsWith('<... fdatasync resumed>') && syncing.delete(pid)) {
      events.push('synced');
    } else if (/^(write|writev|pwrite64)\(/.test(call) && call.includes(`<${log}>`)) {
      const rec = /"kind\\":\\"(\w+)\\".*"actionId\\":\\"([\w.-]+)\\"/.exec(call);
      if (rec) events.push(`write ${rec[1]} ${rec[2]}`);
    } else if (call.startsWith('write(1<') && call.includes('"view ')) {
      events.push('view');
    } else if (call.startsWith('execve("/bin/sh"')) {
      const cmd = /\["\/bin\/sh", "-c", "((?:[^"\\]|\\.)*)"/.exec(call);
      if (cmd) events.push(`exec ${unquote(cmd[1]!)}`);
    }
  }
  return events;
}

const WEB = 'web' as HostId;
const CATALOG = parseCatalog(
  `version: 1
actions:
  - id: test.touch
    title: Append a line to a file on the host
    section: data-freshness
    risk: service-affecting
    params:
      - { name: file, label: File, kind: string, pattern: "/tmp/opsdeck-full-[A-Za-z0-9]{6}/ran" }
      - { name: pad, label: Padding, kind: string, pattern: "[a-z]{1,120}" }
    command: [sh, -c, 'echo ran >> "$0"', "{file}"]
    locks: ["{file}"]
  - id: test.touch-as-a-read
    title: The same, declared read-only (its command goes out before its intent's sync)
    section: data-freshness
    risk: read-only
    params:
      - { name: file, label: File, kind: string, pattern: "/tmp/opsdeck-full-[A-Za-z0-9]{6}/ran" }
      - { name: pad, label: Padding, kind: string, pattern: "[a-z]{1,120}" }
    command: [sh, -c, 'echo ran >> "$0"', "{file}"]
`,
  'tmpfs test catalog',
);

describe('the audit folder on a 64 KiB tmpfs', () => {
  let sshd: Sshd;
  let mnt: string;
  let hostDir: string;
  beforeAll(async () => {
    sshd = await startSshd();
    mnt = await mkdtemp(join(tmpdir(), 'opsdeck-audit-full-'));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    hostDir = await mkdtemp('/tmp/opsdeck-full-');
  });
  afterAll(async () => {
    await run('umount', [mnt]).catch(() => undefined);
    await rm(mnt, { recursive: true, force: true });
    await rm(hostDir, { recursive: true, force: true });
    await sshd?.stop();
  });

  it('refuses runs with a one-line reason while the disk is full, leaves no torn record, and works again once space is freed', async () => {
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
    pool.setHosts([
      { id: WEB, address: sshd.address, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath },
    ]);
    const logPath = join(mnt, 'audit.jsonl');
    const audit = new AuditLog({ path: logPath, clock: systemClock, redactor: new Redactor(), ...extraLogDeps(mnt) });
    const statuses: EventPayload<'onRunStatus'>[] = [];
    const warnings: string[] = [];
    const svc = new ActionService({
      catalog: CATALOG,
      executor: pool,
      audit,
      redactor: new Redactor(),
      clock: systemClock,
      timers: systemTimers,
      user: 'alice',
      hostLookup: (id) => (id === WEB ? { id: WEB, label: 'Web' } : undefined),
      emitOutput: () => undefined,
      emitStatus: (s) => statuses.push(s),
      logger: { warn: (m) => warnings.push(m) },
    });
    const ranFile = join(hostDir, 'ran');
    const runOnce = async (actionId = 'test.touch') => {
      const preview = svc.preview({ actionId, params: { file: ranFile, pad: 'x'.repeat(120) }, hostIds: [WEB] });
      const { runId } = svc.run({ token: preview.token });
      await svc.settled(runId);
      return statuses.filter((s) => s.runId === runId).at(-1)!;
    };
    try {
      expect((await runOnce()).state).toBe('succeeded');
      await audit.idle();
      // fill the rest of the disk: the log's last page keeps some slack, so the next records fit
      // partly and the disk then says ENOSPC (a short write, for real)
      const filler = join(mnt, 'filler');
      await writeFile(filler, Buffer.alloc(64 * 1024)).catch(() => undefined);
      let refused: EventPayload<'onRunStatus'> | null = null;
      let succeededWhileFull = 0;
      for (let i = 0; i < 20 && !refused; i++) {
        const end = await runOnce();
        if (end.state === 'succeeded') succeededWhileFull++;
        else refused = end;
      }
      expect(refused).toMatchObject({ state: 'failed' });
      expect(refused!.error).toBe(
        `not run: the audit log could not be written (audit log ${logPath} cannot be written: no space left on the disk; runs are refused until it can)`,
      );
      // a read-only run, whose intent is larger, is refused alike: its command waits for the write
      expect(await runOnce('test.touch-as-a-read')).toMatchObject({ state: 'failed', error: refused!.error });
      // the host saw only the runs whose intent reached the disk
      const ranLines = (await readFile(ranFile, 'utf8')).split('\n').filter(Boolean).length;
      expect(ranLines).toBe(1 + succeededWhileFull);
      // nothing half-written: every line is a whole record and the chain verifies, disk still full
      const text = await readFile(logPath, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      expect(text.split('\n').filter(Boolean).length).toBe((await records(logPath)).length);
      expect(await audit.verify()).toMatchObject({ ok: true });
      // the rest of the console keeps working: reading the log, previews
      expect((await audit.read(5)).length).toBeGreaterThan(0);
      expect(svc.preview({ actionId: 'test.touch', params: { file: ranFile, pad: 'y' }, hostIds: [WEB] }).command).toContain(ranFile);

      await rm(filler);
      expect((await runOnce()).state).toBe('succeeded');
      expect((await runOnce('test.touch-as-a-read')).state).toBe('succeeded');
      await audit.idle();
      const recs = await records(logPath);
      // a result the full disk refused was kept and written with the next records
      expect(openIntents(recs)).toEqual([]);
      expect(recs.filter((r) => r.kind === 'intent')).toHaveLength(ranLines + 2);
      expect(await new AuditLog({ path: logPath, clock: systemClock, redactor: new Redactor(), ...extraLogDeps(mnt) }).verify()).toMatchObject({ ok: true });
    } finally {
      await pool.close();
    }
  });
});

/** The console's key file, in a state folder apart from the log's. */
function extraChildArgs(dir: string): string[] {
  return [join(dir, 'keys', 'audit.key')];
}
function extraLogDeps(dir: string): { key: AuditKeySource } {
  return { key: fileAuditKey(join(dir, 'keys', 'audit.key')) };
}
