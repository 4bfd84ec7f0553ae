// The envelope run by this machine's own /bin/sh and util-linux flock(1): the same programs a
// Debian host runs (the journal half is checked on real systemd hosts in TeamRecords.fleet.int).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  describeHolder,
  type HeldLock,
  LOCK_HELD_EXIT,
  lockProbeCommand,
  parseLockProbe,
  parseLockRefusal,
  scopeFileName,
  wrapInEnvelope,
  type LockHolderRecord,
} from './hostEnvelope';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-locks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, onStart?: (pid: number) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // detached: its own process group, as sshd gives every session
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (onStart) onStart(child.pid!);
  });
}

const record = (runId: string) => ({
  runId,
  user: 'alice',
  console: 'alice@laptop',
  actionId: 'service.restart',
  command: 'systemctl restart autotrader-ingestion',
  chainHead: 'ab'.repeat(32),
});
const holder = (runId: string): LockHolderRecord => ({
  user: 'alice',
  console: 'alice@laptop',
  actionId: 'service.restart',
  title: 'Restart autotrader-ingestion',
  runId,
  started: '2026-12-06T12:00:00.000Z',
});
const envelope = (command: string, scopes: string[], runId = 'run-1') => wrapInEnvelope(command, scopes, record(runId), holder(runId), { lockDir: dir });

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('host envelope', () => {
  it('runs the command with its own output and exit status', async () => {
    const ran = await run(envelope(`printf 'out\\n'; printf 'err\\n' >&2; exit 3`, ['autotrader-api']));
    expect(ran).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('refuses a second run on a held scope, naming the holder, and frees the lock when the first ends', async () => {
    const first = run(envelope('sleep 1', ['autotrader-ingestion'], 'run-first'));
    await until(() => existsSync(join(dir, 'autotrader-ingestion.holder')));
    const second = await run(envelope('echo should-not-run', ['autotrader-ingestion'], 'run-second'));
    expect(second.code).toBe(LOCK_HELD_EXIT);
    expect(second.stdout).toBe('');
    const refusal = parseLockRefusal(second.stderr) as HeldLock;
    expect(refusal.scopeFile).toBe('autotrader-ingestion');
    expect(refusal.holder).toEqual(holder('run-first'));
    expect(describeHolder(refusal, Date.parse('2026-12-06T12:00:40Z'))).toBe('held by alice (alice@laptop): Restart autotrader-ingestion, 40 s');

    const probe = await run(lockProbeCommand(['autotrader-ingestion', 'autotrader-api'], dir));
    expect(parseLockProbe(probe.stdout.split('\n')).held).toEqual([{ scopeFile: 'autotrader-ingestion', holder: holder('run-first') }]);

    expect((await first).code).toBe(0);
    expect(parseLockProbe((await run(lockProbeCommand(['autotrader-ingestion'], dir))).stdout.split('\n')).held).toEqual([]);
    // the next winner's refused rivals never read the last holder's name
    expect(readFileSync(join(dir, 'autotrader-ingestion.holder'), 'utf8')).toBe('');
    expect((await run(envelope('echo ran', ['autotrader-ingestion'], 'run-third'))).stdout).toBe('ran\n');
  });

  it('takes every scope or none: a run is refused when any one of its scopes is held', async () => {
    const first = run(envelope('sleep 1', ['queue:worker:scanner:queue'], 'run-a'));
    await until(() => existsSync(join(dir, `${scopeFileName('queue:worker:scanner:queue')}.holder`)));
    const second = await run(envelope('echo x', ['autotrader-workers', 'queue:worker:scanner:queue'], 'run-b'));
    expect(second.code).toBe(LOCK_HELD_EXIT);
    expect((parseLockRefusal(second.stderr) as HeldLock).holder?.runId).toBe('run-a');
    await first;
  });

  it('frees the lock when the run is killed with its process group (console gone, link dropped)', async () => {
    let pid = 0;
    const first = run(envelope('sleep 30', ['autotrader-api'], 'run-killed'), (p) => (pid = p));
    await until(() => existsSync(join(dir, 'autotrader-api.holder')));
    process.kill(-pid, 'SIGKILL');
    await first;
    expect((await run(envelope('echo free', ['autotrader-api'], 'run-next'))).stdout).toBe('free\n');
  });

  it("keeps the action's own precheck lines apart from the probe's, whatever they say", async () => {
    const first = run(envelope('sleep 1', ['autotrader-ingestion'], 'run-first'));
    await until(() => existsSync(join(dir, 'autotrader-ingestion.holder')));
    // the preview runs the probe and the action's precheck in one exec, as ActionService does
    const precheck = "echo 'held back: 2 packages'; echo 'held autotrader-ingestion {}'";
    const out = await run(`${lockProbeCommand(['autotrader-ingestion'], dir)}; ${precheck}`);
    const { held, rest } = parseLockProbe(out.stdout.split('\n'));
    expect(held.map((h) => h.holder?.runId)).toEqual(['run-first']);
    expect(rest).toEqual(['held back: 2 packages', 'held autotrader-ingestion {}', '']);
    await first;
  });

  it('does not hand the lock to what the command leaves running', async () => {
    // a command that starts a daemon: the lock is the run's, not the daemon's
    const ran = await run(envelope('(sleep 3 >/dev/null 2>&1 &) ; echo started', ['autotrader-workers'], 'run-daemon'));
    expect(ran.stdout).toBe('started\n');
    expect(parseLockProbe((await run(lockProbeCommand(['autotrader-workers'], dir))).stdout.split('\n')).held).toEqual([]);
  });

  it('passes hostile field values as data, never as shell', async () => {
    const evil = `x'; touch ${join(dir, 'pwned')}; echo '$(touch ${join(dir, 'pwned2')})`;
    // the command prints the holder file as it stands while the run holds the lock
    const wrapped = wrapInEnvelope(
      `cat ${join(dir, 'autotrader-api.holder')}`,
      ['autotrader-api'],
      { ...record('run-h'), user: evil, actionId: evil },
      { ...holder('run-h'), user: evil },
      { lockDir: dir },
    );
    const ran = await run(wrapped);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    expect(JSON.parse(ran.stdout).user).toBe(evil);
  });

  it('refuses field values that would break a journal field', () => {
    expect(() => wrapInEnvelope('true', [], { ...record('r'), user: 'a\nOPSDECK_OUTCOME=succeeded' }, holder('r'), { lockDir: dir })).toThrow(
      /user cannot hold a line break/,
    );
  });

  it('names scope files readably, and apart whenever characters had to be replaced', () => {
    expect(scopeFileName('autotrader-api')).toBe('autotrader-api');
    expect(scopeFileName('file:/etc/autotrader/env')).toMatch(/^file__etc_autotrader_env-[0-9a-f]{8}$/);
    expect(scopeFileName('a:b')).not.toBe(scopeFileName('a/b'));
    expect(scopeFileName('..')).not.toContain('/');
    expect(() => scopeFileName('')).toThrow(/empty/);
  });
});

describe('host envelope, read-only runs', () => {
  it('passes output and exit status straight through and holds no lock', async () => {
    const wrapped = wrapInEnvelope(`printf 'status\\n'; exit 4`, [], record('run-ro'), holder('run-ro'), { lockDir: dir, recordAfter: true });
    expect(await run(wrapped)).toEqual({ code: 4, stdout: 'status\n', stderr: '' });
    expect(existsSync(join(dir, 'autotrader-api.lock'))).toBe(false);
  });

  // This machine runs no journald: a stand-in logger(1) first in PATH appends each entry it is
  // given to a file (the real logger and journal are checked on systemd hosts in
  // team.fleet.int). It takes its time, as a busy journal can: two records take longer than the
  // exec wrapper waits between its TERM and its KILL to the run's process group.
  const withStandInLogger = (wrapped: string) => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'logger'), `#!/bin/sh\nsleep 1.2\n{ cat; echo; } >> ${JSON.stringify(join(dir, 'journal'))}\n`, { mode: 0o755 });
    return `PATH=${bin}:$PATH; export PATH\n${wrapped}`;
  };
  // what the exec wrapper's watcher does once the channel has closed
  const endGroup = async (pid: number) => {
    process.kill(-pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // nothing left in the group
    }
  };
  const journal = () =>
    existsSync(join(dir, 'journal'))
      ? readFileSync(join(dir, 'journal'), 'utf8')
          .split('\n\n')
          .filter((e) => e.trim())
          .map((e) => Object.fromEntries(e.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])))
      : [];

  it('writes both records after the exit status, outside the process group the exec wrapper ends', async () => {
    let pid = 0;
    const wrapped = wrapInEnvelope(`printf 'status\\n'; exit 4`, [], record('run-ro'), holder('run-ro'), { lockDir: dir, recordAfter: true });
    const ran = await run(withStandInLogger(wrapped), (p) => (pid = p));
    expect(ran).toEqual({ code: 4, stdout: 'status\n', stderr: '' });
    expect(journal()).toEqual([]);
    await endGroup(pid);
    await until(() => journal().length === 2);
    const [intent, outcome] = journal();
    expect(intent).toMatchObject({
      SYSLOG_IDENTIFIER: 'opsdeck',
      OPSDECK_EVENT: 'intent',
      OPSDECK_RUN: 'run-ro',
      OPSDECK_USER: 'alice',
      OPSDECK_CONSOLE: 'alice@laptop',
      OPSDECK_ACTION: 'service.restart',
      OPSDECK_COMMAND: JSON.stringify('systemctl restart autotrader-ingestion'),
      OPSDECK_CHAIN_HEAD: 'ab'.repeat(32),
    });
    expect(outcome).toMatchObject({ OPSDECK_EVENT: 'outcome', OPSDECK_RUN: 'run-ro', OPSDECK_OUTCOME: 'failed', OPSDECK_EXIT: '4' });
  });

  it('records a run cut off by the exec wrapper as interrupted', async () => {
    let pid = 0;
    const started = join(dir, 'started');
    const wrapped = wrapInEnvelope(`touch ${started}; sleep 30`, [], record('run-cut'), holder('run-cut'), { lockDir: dir, recordAfter: true });
    const ran = run(withStandInLogger(wrapped), (p) => (pid = p));
    await until(() => existsSync(started));
    process.kill(-pid, 'SIGTERM');
    expect((await ran).code).toBe(143);
    await until(() => journal().length === 2);
    expect(journal().map((e) => [e['OPSDECK_EVENT'], e['OPSDECK_OUTCOME'], e['OPSDECK_EXIT']])).toEqual([
      ['intent', undefined, undefined],
      ['outcome', 'interrupted', '143'],
    ]);
  });

  it('records the exact command, whether its JSON form travels or stands for the command quoted', async () => {
    // a `j` in the host's environment must not stand in for the command's JSON form
    const commands = ['printf plain', `printf '%s\\n' "quoted" 'tab\there'`];
    for (const [i, command] of commands.entries()) {
      let pid = 0;
      const runId = `run-json-${i}`;
      const wrapped = wrapInEnvelope(command, [], { ...record(runId), command }, holder(runId), { lockDir: dir, recordAfter: true });
      await run(withStandInLogger(`j=from-the-environment; export j\n${wrapped}`), (p) => (pid = p));
      await endGroup(pid);
      await until(() => journal().filter((e) => e['OPSDECK_RUN'] === runId).length === 2);
      for (const entry of journal().filter((e) => e['OPSDECK_RUN'] === runId)) expect(JSON.parse(entry['OPSDECK_COMMAND']!)).toBe(command);
    }
    const locked = 'printf "locked"';
    await run(
      withStandInLogger(wrapInEnvelope(locked, ['autotrader-api'], { ...record('run-json-l'), command: locked }, holder('run-json-l'), { lockDir: dir })),
    );
    const lockedEntries = journal().filter((e) => e['OPSDECK_RUN'] === 'run-json-l');
    expect(lockedEntries.map((e) => JSON.parse(e['OPSDECK_COMMAND']!))).toEqual([locked, locked]);
  }, 30_000);

  it("runs the command without the envelope's own variables and functions, locked or not", async () => {
    const command = 'echo "[$r$u$k$a$j$h$w$d$n$s$i$f]"; for f in t z rec outcome opsdeck_read; do command -v "$f"; done; echo end';
    for (const recordAfter of [true, false]) {
      const wrapped = wrapInEnvelope(command, recordAfter ? [] : ['autotrader-api'], record('run-v'), holder('run-v'), { lockDir: dir, recordAfter });
      expect((await run(wrapped)).stdout).toBe('[]\nend\n');
    }
  });
});

describe('host envelope on a host without flock', () => {
  it('refuses the run and says why, instead of blaming another console', async () => {
    // a PATH with sh, mkdir and cat but no flock, as on a host without util-linux
    const bin = join(dir, 'bin');
    await run(`mkdir -p ${bin} && ln -s /bin/sh /bin/mkdir /bin/cat ${bin}/`);
    const ran = await run(`PATH=${bin} ${envelope('echo ran', ['autotrader-api'])}`);
    expect(ran.code).toBe(LOCK_HELD_EXIT);
    expect(ran.stdout).toBe('');
    expect(parseLockRefusal(ran.stderr)).toBe('this host has no flock(1) (util-linux): its locks cannot be taken');
  });
});
