// The envelope run by this machine's own /bin/sh and util-linux flock(1): the same programs a
// Debian host runs (the journal half is checked on real systemd hosts in TeamRecords.fleet.int).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { wrapCommand } from '../ssh/execWrapper';

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

interface SpawnOptions {
  env?: Record<string, string>;
  onStart?: (pid: number) => void;
  /** stdin a pipe closed when the shell exits, as sshd's channel is once the status is back */
  channel?: boolean;
  /** closes that pipe earlier, while the command runs, as a cancel or a dropped link does */
  closeStdin?: Promise<unknown>;
}

function spawnSh(script: string, options: SpawnOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // detached: its own process group, as sshd gives every session
    const child = spawn('/bin/sh', ['-c', script], {
      stdio: [options.channel ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    if (child.stdin) {
      child.on('exit', () => child.stdin!.end());
      void options.closeStdin?.then(() => child.stdin!.end());
    }
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    options.onStart?.(child.pid!);
  });
}

const run = (command: string, onStart?: (pid: number) => void): Promise<Ran> => spawnSh(command, onStart ? { onStart } : {});

// Through the exec wrapper, as sshd runs it (exec: the wrapper's sh is the process sshd would
// start, with no shell of ours above it), stdin the channel.
const runWrapped = (command: string, options: Omit<SpawnOptions, 'channel'> = {}): Promise<Ran> =>
  spawnSh(`exec ${wrapCommand(command)}`, { ...options, channel: true });

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
  const readOnly = (command: string, runId: string, recordOf = command) =>
    wrapInEnvelope(command, [], { ...record(runId), command: recordOf }, holder(runId), { lockDir: dir, recordAfter: true });

  it('passes output and exit status straight through and holds no lock', async () => {
    expect(await runWrapped(readOnly(`printf 'status\\n'; exit 4`, 'run-ro'))).toEqual({ code: 4, stdout: 'status\n', stderr: '' });
    expect(existsSync(join(dir, 'autotrader-api.lock'))).toBe(false);
  });

  // This machine runs no journald: a stand-in logger(1) first in PATH appends each entry it is
  // given to a file (the real logger and journal are checked on systemd hosts in
  // team.fleet.int). It takes its time, as a busy journal can: two records take longer than the
  // exec wrapper waits between its TERM and its KILL to the run's process group. Each entry is
  // appended in one write, as records of runs at once reach the file together.
  const standInLogger = (): Record<string, string> => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'logger'), `#!/bin/sh\nsleep 1.2\ne=$(cat)\nprintf '%s\\n\\n' "$e" >> ${JSON.stringify(join(dir, 'journal'))}\n`, { mode: 0o755 });
    return { PATH: `${bin}:${process.env['PATH']}`, TMPDIR: dir };
  };
  const journal = () =>
    existsSync(join(dir, 'journal'))
      ? readFileSync(join(dir, 'journal'), 'utf8')
          .split('\n\n')
          .filter((e) => e.trim())
          .map((e) => Object.fromEntries(e.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])))
      : [];
  const statusFiles = () => readdirSync(dir).filter((f) => f.endsWith('.status'));

  it('writes both records after the exit status has gone back, outside the process group the exec wrapper ends', async () => {
    const ran = await runWrapped(readOnly(`printf 'status\\n'; exit 4`, 'run-ro', 'systemctl restart autotrader-ingestion'), { env: standInLogger() });
    expect(ran).toEqual({ code: 4, stdout: 'status\n', stderr: '' });
    // the stand-in logger takes 1.2 s an entry: nothing was written before the status came back
    expect(journal()).toEqual([]);
    // the watcher's KILL comes 2 s after the channel closed, and the second entry 2.4 s after it
    await until(() => journal().length === 2, 8000);
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
    // the status file the watcher read is gone with the records
    await until(() => statusFiles().length === 0);
  }, 15_000);

  it('writes the records itself before it exits when no status file can be written', async () => {
    const env = { ...standInLogger(), TMPDIR: join(dir, 'no-such-dir') };
    expect(await runWrapped(readOnly('echo ok', 'run-notmp'), { env })).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
    await until(() => journal().length === 2, 8000);
    expect(journal().map((e) => [e['OPSDECK_EVENT'], e['OPSDECK_OUTCOME'], e['OPSDECK_EXIT']])).toEqual([
      ['intent', undefined, undefined],
      ['outcome', 'succeeded', '0'],
    ]);
  }, 15_000);

  it('records a run whose channel closed while its command ran as interrupted', async () => {
    const started = join(dir, 'started');
    const cut = until(() => existsSync(started), 8000);
    const ran = await runWrapped(readOnly(`touch ${started}; sleep 30`, 'run-cut'), { env: standInLogger(), closeStdin: cut });
    expect(ran.code).toBe(143);
    await until(() => journal().length === 2, 8000);
    expect(journal().map((e) => [e['OPSDECK_EVENT'], e['OPSDECK_OUTCOME'], e['OPSDECK_EXIT']])).toEqual([
      ['intent', undefined, undefined],
      ['outcome', 'interrupted', '143'],
    ]);
    expect(statusFiles()).toEqual([]);
    // not started from an alert: the field is there, empty
    expect(journal().map((e) => e['OPSDECK_ALERT'])).toEqual(['', '']);
  }, 15_000);

  // the stand-in logger takes 1.2 s a record, and a read-only run's records wait for the watcher
  it.each([
    ['read-only', true],
    ['locked', false],
  ])(
    'names the alert a run was started from on both records (%s), whatever its item holds',
    async (_kind, recordAfter) => {
      const alert = { key: 'prod/broker-status/ib"k\nr $(touch pwned)', firedAt: '2026-12-06T19:58:00.000Z' };
      const fields = { ...record('run-alert'), alert };
      const wrapped = wrapInEnvelope('true', recordAfter ? [] : ['autotrader-api'], fields, holder('run-alert'), { lockDir: dir, recordAfter });
      expect((await runWrapped(wrapped, { env: standInLogger() })).code).toBe(0);
      await until(() => journal().length === 2, 8000);
      expect(journal().map((e) => [e['OPSDECK_EVENT'], JSON.parse(e['OPSDECK_ALERT']!)])).toEqual([
        ['intent', alert],
        ['outcome', alert],
      ]);
      expect(existsSync('pwned')).toBe(false);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
    },
    15_000,
  );

  it('records the exact command, whether its JSON form travels or stands for the command quoted', async () => {
    // a `j` in the host's environment must not stand in for the command's JSON form
    const env = { ...standInLogger(), j: 'from-the-environment' };
    const commands = ['printf plain', `printf '%s\\n' "quoted" 'tab\there'`];
    await Promise.all(commands.map((command, i) => runWrapped(readOnly(command, `run-json-${i}`), { env })));
    const locked = 'printf "locked"';
    await runWrapped(wrapInEnvelope(locked, ['autotrader-api'], { ...record('run-json-l'), command: locked }, holder('run-json-l'), { lockDir: dir }), {
      env,
    });
    await until(() => journal().length === 6, 10_000);
    const commandsOf = (runId: string) =>
      journal()
        .filter((e) => e['OPSDECK_RUN'] === runId)
        .map((e) => JSON.parse(e['OPSDECK_COMMAND']!) as string);
    expect(commandsOf('run-json-0')).toEqual([commands[0], commands[0]]);
    expect(commandsOf('run-json-1')).toEqual([commands[1], commands[1]]);
    expect(commandsOf('run-json-l')).toEqual([locked, locked]);
  }, 20_000);

  it("runs the command without the envelope's or the exec wrapper's own variables and functions, locked or not", async () => {
    const command =
      'echo "[$r$u$k$a$j$h$w$d$n$s$i$f$S$o$U$F$P$c$l$e]"; for f in t z rec outcome opsdeck_read opsdeck_run opsdeck_eof; do command -v "$f"; done; echo end';
    for (const recordAfter of [true, false]) {
      const fields = { ...record('run-v'), alert: { key: 'prod/broker-status/ibkr', firedAt: null } };
      const wrapped = wrapInEnvelope(command, recordAfter ? [] : ['autotrader-api'], fields, holder('run-v'), { lockDir: dir, recordAfter });
      expect((await runWrapped(wrapped)).stdout).toBe('[]\nend\n');
    }
  });

  it('refuses a run id that cannot name its status file', () => {
    expect(() => readOnly('true', 'run/../x')).toThrow(/run id/);
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
