// The spare session (execWrapper's waiting wrapper) against a real OpenSSH server: a warm exec
// runs on a session started before it was asked for, the next one is started at once, a host
// given commands back to back keeps two until it is quiet again, the server's MaxSessions is
// never exceeded by them (no command or terminal is refused because of them) and a closed
// connection leaves none behind.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { systemTimers, type Timers } from '../clock';
import { OWN_SHELL_MARK } from './execWrapper';
import { SessionPool, type HostTarget } from './SessionPool';

const run = promisify(execFile);
const H = 'web1' as HostId;
const SPARE = /opsdeck-spare ([0-9a-f]{32})$/;

let sshd: Sshd;
// MaxSessions 3, as a tight production host might have it (a Match block overrides the fixture's 100)
let tight: Sshd;
const pools: SessionPool[] = [];

function target(s: Sshd): HostTarget {
  return { id: H, address: s.address, port: s.port, user: s.user, privateKeyPath: s.clientKeyPath, knownHostsPath: s.knownHostsPath };
}

function newPool(s: Sshd, deps: ConstructorParameters<typeof SessionPool>[0] = {}): SessionPool {
  const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 }, ...deps });
  pool.setHosts([target(s)]);
  pools.push(pool);
  return pool;
}

/** End lines of the spare wrappers (waiting, or running their command) under this sshd (the server is on loopback: its processes are ours to see). */
async function sparesUnder(s: Sshd): Promise<string[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=,args=']);
  const rows = stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null);
  const parent = new Map(rows.map((m) => [Number(m[1]), Number(m[2])]));
  const under = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === s.pid) return true;
    return false;
  };
  const args = new Map(rows.map((m) => [Number(m[1]), m[3]!]));
  // a wrapper's watcher is a fork of it with the same command line: not a spare of its own
  const forkOfWrapper = (pid: number) => SPARE.test(args.get(parent.get(pid) ?? 0) ?? '');
  return rows.filter((m) => SPARE.test(m[3]!) && under(Number(m[1])) && !forkOfWrapper(Number(m[1]))).map((m) => SPARE.exec(m[3]!)![1]!);
}

async function execText(pool: SessionPool, command: string): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  const r = await pool.exec(H, command, { onStdout: (c) => (out += c), onStderr: (c) => (err += c) });
  return { code: r.exitCode, out, err };
}

/** polls until exactly n spares wait under s (other than those in `not`); returns their end lines */
async function spares(s: Sshd, n: number, not: string[] = [], timeout = 10_000): Promise<string[]> {
  let seen: string[] = [];
  await expect.poll(async () => (seen = (await sparesUnder(s)).filter((e) => !not.includes(e))), { timeout }).toHaveLength(n);
  return seen;
}

/** The end line of the spare a command ran on (its parent's command line), or null for the classic wrapper. */
const ranOn = (r: { out: string }): string | null => SPARE.exec(r.out.trim())?.[1] ?? null;

// unique per run, so no other process on the machine can match
const LONG = 600_000 + Math.floor(Math.random() * 300_000);

// which wrapper runs the command (it runs in a subshell, whose $$ is the wrapper's): the spare
// (with its end line) or the classic one
const PARENT = 'ps -o args= -p $$';

beforeAll(async () => {
  [sshd, tight] = await Promise.all([startSshd(), startSshd({ extraConfig: 'Match all\n  MaxSessions 3' })]);
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), tight?.stop()]);
});

describe('SessionPool spare sessions against a real OpenSSH server', () => {
  it('runs a warm command on the spare started ahead of it, then starts the next spare', async () => {
    const pool = newPool(sshd);
    await pool.connect(H);
    const [first] = await spares(sshd, 1);
    const one = await execText(pool, PARENT);
    expect(one.out.trim()).toMatch(SPARE);
    expect(SPARE.exec(one.out.trim())![1]).toBe(first);
    // the next spare is a new one, and the next command runs on it
    const [second] = await spares(sshd, 1, [first!]);
    const two = await execText(pool, PARENT);
    expect(SPARE.exec(two.out.trim())![1]).toBe(second);
  });

  it('gives a command on a spare its own text, quoting, stdout, stderr and exit code', async () => {
    const pool = newPool(sshd);
    await pool.connect(H);
    await spares(sshd, 1);
    const command = "printf '%s|' 'a  b' \"it's\" '$HOME'\necho\necho to-err >&2\nexit 7";
    expect(await execText(pool, command)).toEqual({ code: 7, out: "a  b|it's|$HOME|\n", err: 'to-err\n' });
  });

  it('a spare started with a prelude runs a command that begins with it, sent without it, as the whole command; others as they are', async () => {
    const prelude = `hello() { printf 'prelude says %s\\n' "$1"; }\n`;
    const pool = newPool(sshd, { sparePrelude: prelude });
    await pool.connect(H);
    await spares(sshd, 1);
    // the spare's own variables (the prelude among them) stay in the spare, as any command's do
    expect(await execText(pool, `${prelude}hello 'a  b'\necho "[$P][$f][$c][$l][$U][$F][$#][$1]" >&2\ncommand -v opsdeck_run opsdeck_eof >&2\nexit 3`)).toEqual(
      {
        code: 3,
        out: 'prelude says a  b\n',
        err: '[][][][][][][0][]\n',
      },
    );
    expect(await execText(pool, "hello x 2>/dev/null || echo 'no prelude here'")).toEqual({ code: 0, out: 'no prelude here\n', err: '' });
    expect(await execText(pool, prelude)).toEqual({ code: 0, out: '', err: '' });
    // on the spare, which holds the prelude in its command line
    const parent = await execText(pool, `${prelude}${PARENT}`);
    expect(ranOn(parent)).not.toBeNull();
    expect(parent.out).toContain('hello()');
  });

  it("runs code marked for the wrapper's own shell there: its command through opsdeck_run, its opsdeck_eof once the channel has closed", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-own-shell-'));
    const code = (name: string) =>
      `${OWN_SHELL_MARK}\nopsdeck_eof() { echo "eof $x" >> ${dir}/${name}; }\nx=${name} c='echo "out[$x]"; exit 5' U=x\nopsdeck_run; s=$?\nexit "$s"\n`;
    for (const [name, options] of [
      ['spare', {}],
      ['classic', { spareSessions: false }],
    ] as const) {
      const pool = newPool(sshd, options);
      await pool.connect(H);
      if (name === 'spare') await spares(sshd, 1);
      expect(await execText(pool, code(name))).toEqual({ code: 5, out: 'out[]\n', err: '' });
      // the command did not see x (listed in U); the watcher ran the hook after the channel closed,
      // with the shell's variables as they were when it started, and again before its KILL
      await expect.poll(() => readFile(join(dir, name), 'utf8').catch(() => ''), { timeout: 8000 }).toBe(`eof ${name}\neof ${name}\n`);
    }
  }, 30_000);

  it('runs commands in the classic wrapper when spares are off', async () => {
    const pool = newPool(sshd, { spareSessions: false });
    const r = await execText(pool, PARENT);
    expect(r.out).toMatch(/opsdeck-exec/);
    // and sees none of the wrapper's variables or arguments (its command is the wrapper's $1)
    expect(await execText(pool, 'echo "[$c][$U][$F][$#][$1]"; command -v opsdeck_run opsdeck_eof || echo none')).toEqual({
      code: 0,
      out: '[][][][0][]\nnone\n',
      err: '',
    });
    // polled: the spare of the previous test's pool may still be on its way out
    await spares(sshd, 0);
  });

  it('keeps two spares while commands come back to back, and one again once the host is quiet', async () => {
    // The quiet period's end is a timer of this unique length, fired by the test rather than
    // waited for: waiting for it against a loaded machine's polling would be a race.
    const WINDOW = 987_654;
    const quiet: (() => void)[] = [];
    const timers: Timers = {
      setTimeout: (fn, ms) => (ms === WINDOW ? (quiet.push(fn), fn) : systemTimers.setTimeout(fn, ms)),
      clearTimeout: (handle) => {
        const i = quiet.indexOf(handle as () => void);
        if (i >= 0) quiet.splice(i, 1);
        else systemTimers.clearTimeout(handle);
      },
    };
    const pool = newPool(sshd, { busySpareWindowMs: WINDOW, timers });
    await pool.connect(H);
    const [a] = await spares(sshd, 1);
    // one command: one spare after it, as before
    expect(ranOn(await execText(pool, PARENT))).toBe(a);
    const [b] = await spares(sshd, 1, [a!]);
    // a second command soon after: the host is busy, two spares wait for the next ones
    expect(ranOn(await execText(pool, PARENT))).toBe(b);
    const [c, d] = await spares(sshd, 2, [a!, b!]);
    const third = ranOn(await execText(pool, PARENT));
    expect([c, d]).toContain(third);
    await spares(sshd, 2, [a!, b!, third!]);
    // quiet for the window: back to one spare, the other one ended on the host
    expect(quiet).toHaveLength(1);
    quiet.splice(0).forEach((fn) => fn());
    const [left] = await spares(sshd, 1, [a!, b!, third!]);
    expect(ranOn(await execText(pool, PARENT))).toBe(left);
  });

  it('under MaxSessions 3, three commands at once all run, and a terminal still gets a session, with two spares kept', async () => {
    // busy for the whole test (a window no run reaches), so the host wants two spares throughout
    const pool = newPool(tight, { busySpareWindowMs: 600_000 });
    await pool.connect(H);
    await spares(tight, 1);
    // each command takes a spare (ready or still starting) and starts more: the sessions beyond
    // three are refused, never a command
    const three = await Promise.all([1, 2, 3].map((i) => execText(pool, `sleep 0.3; echo job-${i}`)));
    expect(three).toEqual([1, 2, 3].map((i) => ({ code: 0, out: `job-${i}\n`, err: '' })));

    // two long commands and a spare fill the three slots: the terminal gets the spare's. Refused
    // spares are tried again after a back-off (1 s, 2 s, 4 s...): a generous wait for the two.
    await spares(tight, 2, [], 30_000);
    const ac = new AbortController();
    const long = [1, 2].map(() => pool.exec(H, `sleep ${LONG}`, { signal: ac.signal }).catch(() => ({ cancelled: false })));
    await expect
      .poll(async () => (await run('pgrep', ['-f', '-x', `sleep ${LONG}`]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean).length, {
        timeout: 10_000,
      })
      .toBe(2);
    const shell = await pool.shell(H, { cols: 80, rows: 24, term: 'xterm' });
    let screen = '';
    shell.on('data', (c: Buffer) => (screen += c.toString('utf8')));
    shell.write('echo term-$((6*7))\n');
    await expect.poll(() => screen, { timeout: 10_000 }).toContain('term-42');
    shell.end('exit\n');
    ac.abort();
    expect((await Promise.all(long)).map((r) => r.cancelled)).toEqual([true, true]);
    // with the slots free again, the busy host's two spares come back
    await spares(tight, 2, [], 30_000);
  });

  it('a command sent as the link dies reports the lost connection, and the next spare fails quietly', async () => {
    // The link dies for real: our end of the TCP socket is shut, so ssh2 refuses new requests
    // at once, while its close has not been seen yet. The next spare's request then throws
    // inside the pool; that must not become an unhandled rejection (it ends the process).
    const sockets: Socket[] = [];
    const pool = newPool(sshd, {
      connectSocket: (host, port) => {
        const sock = netConnect({ host, port, noDelay: true });
        sockets.push(sock);
        return sock;
      },
    });
    await pool.connect(H);
    await spares(sshd, 1);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      sockets[0]!.end();
      await expect(pool.exec(H, 'echo never')).rejects.toThrow(/web1: /);
      // a turn of the event loop or two for a rejection nobody awaits to be reported
      await new Promise((r) => setTimeout(r, 200));
      expect(unhandled).toEqual([]);
      // and the host comes back for the next command
      await expect.poll(async () => (await execText(pool, 'echo back').catch(() => null))?.out, { timeout: 20_000 }).toBe('back\n');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("a host that runs something else in the spare's place (a ForceCommand reading stdin) is never handed a command on its stdin", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-forced-'));
    const sink = join(dir, 'stdin');
    await writeFile(sink, '');
    const forced = await startSshd({ extraConfig: `ForceCommand cat >> ${sink}` });
    try {
      const pool = newPool(forced);
      await pool.connect(H);
      // the forced `cat` runs in place of the command too and waits on its stdin: the timeout ends it
      const r = await pool.exec(H, 'echo opsdeck-was-here', { timeoutMs: 4_000 });
      expect(r.exitCode === 0 || r.timedOut).toBe(true);
      // what reached the forced command's stdin is in the sink: never the command's text
      expect(await readFile(sink, 'utf8')).not.toContain('opsdeck-was-here');
    } finally {
      await forced.stop();
    }
  });

  it('a spare that answers late (a loaded host) is tried again, not taken for a ForceCommand: the host keeps its spares', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-slow-spare-'));
    const mark = join(dir, 'slow-once');
    // the first session on this host stays silent past the spare's 3 s wait, the next ones do not
    const slow = await startSshd({
      extraConfig: `ForceCommand sh -c 'if [ ! -e ${mark} ]; then : > ${mark}; sleep 5; fi; eval "$SSH_ORIGINAL_COMMAND"'`,
    });
    try {
      const pool = newPool(slow);
      await pool.connect(H);
      await expect
        .poll(
          () =>
            readFile(mark, 'utf8').then(
              () => true,
              () => false,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
      const [waiting] = await spares(slow, 1, [], 20_000);
      const r = await execText(pool, PARENT);
      expect(ranOn(r)).toBe(waiting);
    } finally {
      await slow.stop();
    }
  });

  it('a host that prints a banner before running the requested command still gets spares, and the banner shows as a plain exec would show it', async () => {
    // a ForceCommand that greets and then runs what was asked, as audit or banner wrappers do
    const chatty = await startSshd({ extraConfig: `ForceCommand sh -c 'echo banner-line; eval "$SSH_ORIGINAL_COMMAND"'` });
    try {
      const pool = newPool(chatty);
      await pool.connect(H);
      const [waiting] = await spares(chatty, 1);
      const r = await execText(pool, 'echo hi');
      expect(r).toEqual({ code: 0, out: 'banner-line\nhi\n', err: '' });
      // it ran on the spare that was waiting, not on a channel opened for it
      expect((await sparesUnder(chatty)).includes(waiting!)).toBe(false);
    } finally {
      await chatty.stop();
    }
  });

  it('a connection closed for idleness, by disconnect() or by close() leaves no spare behind', async () => {
    // busy (two commands within the window): its two spares do not keep the connection open either
    const pool = newPool(sshd, { idleCloseMs: 300, busySpareWindowMs: 600_000 });
    await execText(pool, 'true');
    await execText(pool, 'true');
    await expect.poll(() => pool.states()[0]!.state, { timeout: 10_000 }).toBe('idle');
    await spares(sshd, 0);
    await pool.close();

    // a pool that keeps idle connections: its spare must be seen before it is ended on purpose
    // (under load a spare can take longer to start than the 300 ms idle close above allows)
    const kept = newPool(sshd);
    await kept.connect(H);
    await spares(sshd, 1);
    await kept.disconnect(H);
    await spares(sshd, 0);

    await kept.connect(H);
    await spares(sshd, 1);
    await kept.close();
    await spares(sshd, 0);
  });
});
