// The server's MaxSessions against a real OpenSSH server set to allow 2 sessions per
// connection: two host entries on one shared connection, a follow holding one session, and 8
// commands at once. Every command runs and reports its own output; those beyond the limit are
// told they wait in line instead of failing, the follow keeps streaming, and a forward (not a
// session) opens at once.
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { SessionPool, type HostTarget } from './SessionPool';

const WEB1 = 'web1' as HostId;
const WEB2 = 'web2' as HostId;

let sshd: Sshd;
let echo: Server;
let echoPort = 0;
const pools: SessionPool[] = [];

function target(id: HostId): HostTarget {
  return { id, address: sshd.address, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath };
}

beforeAll(async () => {
  // a Match block overrides the fixture's MaxSessions 100, as a tight production host has it
  sshd = await startSshd({ extraConfig: 'Match all\n  MaxSessions 2' });
  echo = createServer((sock) => sock.end('pong\n'));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await new Promise<void>((r) => echo?.close(() => r()));
  await sshd?.stop();
});

describe('SessionPool under the server MaxSessions', () => {
  it('runs 8 commands at once from two hosts sharing one connection under MaxSessions 2, while a follow keeps streaming', async () => {
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
    pools.push(pool);
    pool.setHosts([target(WEB1), target(WEB2)]);
    await pool.connect(WEB1);

    // the follow: one session held for the whole test, printing a line every 100 ms
    const follow = new AbortController();
    let followed = '';
    const following = pool.exec(WEB1, 'i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done', {
      signal: follow.signal,
      onStdout: (c) => (followed += c),
    });
    await expect.poll(() => followed, { timeout: 10_000 }).toContain('tick-2');

    const waits: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        let out = '';
        const id = i % 2 ? WEB2 : WEB1;
        return pool
          .exec(id, `sleep 0.2; echo job-${i}`, { onStdout: (c) => (out += c), onWaiting: (m) => waits.push(m) })
          .then((r) => ({ code: r.exitCode, out }));
      }),
    );
    expect(results).toEqual(Array.from({ length: 8 }, (_, i) => ({ code: 0, out: `job-${i}\n` })));
    // the ones that found no session were told why they waited, with the limit learned
    expect(waits.length).toBeGreaterThan(0);
    expect(new Set(waits)).toEqual(new Set(waits.filter((m) => /^waiting for a session on web[12] \(server allows 2\)$/.test(m))));

    // the follow was never cut off: it still streams after the commands
    const ticks = () => Number(/tick-(\d+)\n(?![\s\S]*tick-)/.exec(followed)?.[1] ?? 0);
    const before = ticks();
    await expect.poll(ticks, { timeout: 10_000 }).toBeGreaterThan(before + 2);

    // a forward is not a session: it opens while both sessions are taken
    const channel = await pool.forwardOut(WEB2, '127.0.0.1', echoPort);
    let got = '';
    channel.on('data', (c: Buffer) => (got += c.toString('utf8')));
    await expect.poll(() => got, { timeout: 10_000 }).toBe('pong\n');
    channel.destroy();

    follow.abort();
    expect((await following).cancelled).toBe(true);
    // with the follow gone the next command finds a session at once
    let out = '';
    const r = await pool.exec(WEB2, 'echo after', { onStdout: (c) => (out += c) });
    expect({ code: r.exitCode, out }).toEqual({ code: 0, out: 'after\n' });
  });

  it('a command waiting in line for a session is cancelled without starting', async () => {
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 }, spareSessions: false });
    pools.push(pool);
    pool.setHosts([target(WEB1)]);
    await pool.connect(WEB1);
    const hold = new AbortController();
    const held = [1, 2].map(() => pool.exec(WEB1, 'sleep 600', { signal: hold.signal }));
    // the third is refused by sshd, learns the limit and waits in line
    const waiting = new AbortController();
    let told = '';
    let out = '';
    const third = pool.exec(WEB1, 'echo ran', { signal: waiting.signal, onWaiting: (m) => (told = m), onStdout: (c) => (out += c) });
    await expect.poll(() => told, { timeout: 10_000 }).toBe('waiting for a session on web1 (server allows 2)');
    waiting.abort();
    expect(await third).toEqual({ exitCode: null, signal: null, timedOut: false, cancelled: true });
    hold.abort();
    expect((await Promise.all(held)).map((r) => r.cancelled)).toEqual([true, true]);
    expect(out).toBe('');
  });
});
