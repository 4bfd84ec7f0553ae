// Liveness against real faults on a real loopback sshd: the per-connection sshd SIGSTOPped (the
// TCP link stays up, nothing answers), the link paused in a userspace proxy for longer than the
// keepalive tolerates, and sshd killed under a running command. Liveness keeps its production
// window everywhere, so "unresponsive within 10 s" is the user's real figure; the keepalive is
// at its default (15 s x 3) except on the paused link, where 4 s x 3 lets a 24 s pause outlive
// it without waiting a minute. Either way the keepalive gives up well after liveness notices.
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState, HostId } from '../../../common/contract';
import { startDelayProxy } from '../../../testbed/delay-proxy';
import { descendants, startSshd, type Sshd } from '../../../testbed/sshd';
import { SessionPool, sshLinkErrorKind, type HostTarget } from './SessionPool';

const H = 'app1' as HostId;
const pools: SessionPool[] = [];
const fixtures: Sshd[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(fixtures.splice(0).map((s) => s.stop()));
});

async function sshd(): Promise<Sshd> {
  const s = await startSshd();
  fixtures.push(s);
  return s;
}

function newPool(s: Sshd, extra: Partial<HostTarget> = {}): { pool: SessionPool; seen: ConnectionState[] } {
  const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 500 } });
  pools.push(pool);
  const seen: ConnectionState[] = [];
  pool.onState((st) => seen.push(st));
  pool.setHosts([{ id: H, address: s.address, port: s.port, user: s.user, privateKeyPath: s.clientKeyPath, knownHostsPath: s.knownHostsPath, ...extra }]);
  return { pool, seen };
}

const state = (pool: SessionPool) => pool.states()[0]!;

async function waitState(pool: SessionPool, want: ConnectionState['state'], timeoutMs: number): Promise<number> {
  const from = Date.now();
  await expect.poll(() => state(pool).state, { timeout: timeoutMs, interval: 50 }).toBe(want);
  return Date.now() - from;
}

/** How the promise ended: its link-error kind, or 'resolved' / the message of another error. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return sshLinkErrorKind(err) ?? `other: ${(err as Error).message}`;
  }
}

async function echo(pool: SessionPool, text: string): Promise<string> {
  let out = '';
  await pool.exec(H, `echo ${text}`, { onStdout: (c) => (out += c) });
  return out;
}

/** The per-connection sshd processes (and their sessions) under the listener, not the listener. */
async function sessionPids(s: Sshd): Promise<number[]> {
  return descendants(s.pid);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone
    }
  }
}

describe('a frozen session', () => {
  it('is shown unresponsive within 10 s, ends the running command as unresponsive, refuses new ones, and is connected again when it answers', async () => {
    const s = await sshd();
    const { pool, seen } = newPool(s);
    await pool.connect(H);
    expect(await echo(pool, 'before')).toBe('before\n');
    const running = outcome(pool.exec(H, 'sleep 30; echo finished'));
    // the listener keeps accepting: only this connection's sshd and its sessions stop
    const frozen = await sessionPids(s);
    expect(frozen.length).toBeGreaterThan(0);
    signal(frozen, 'SIGSTOP');
    cleanups.push(async () => signal(frozen, 'SIGCONT'));
    const frozenAt = Date.now();
    const noticedMs = await waitState(pool, 'unresponsive', 12_000);
    expect(noticedMs).toBeLessThan(10_000);
    expect(await running).toBe('unresponsive');
    const endedMs = Date.now() - frozenAt;
    expect(endedMs).toBeLessThan(10_000);
    // never shown disconnected or reconnecting meanwhile: the connection is there, silent
    const afterFreeze = seen.filter((st) => Date.parse(st.since) >= frozenAt - 50);
    expect(afterFreeze.map((st) => st.state)).toEqual(['unresponsive']);
    expect(state(pool).error).toMatch(/no answer for \d+ s/);
    // a command asked for now is refused at once: it certainly did not run
    const t0 = Date.now();
    expect(await outcome(pool.exec(H, 'echo never'))).toBe('unreachable');
    expect(Date.now() - t0).toBeLessThan(1000);

    signal(frozen, 'SIGCONT');
    await waitState(pool, 'connected', 10_000);
    expect(await echo(pool, 'after')).toBe('after\n');
  }, 40_000);

  it("the user's Reconnect gives up the frozen connection for a new one", async () => {
    const s = await sshd();
    const { pool } = newPool(s);
    await pool.connect(H);
    const frozen = await sessionPids(s);
    signal(frozen, 'SIGSTOP');
    cleanups.push(async () => signal(frozen, 'SIGCONT'));
    await waitState(pool, 'unresponsive', 12_000);
    expect(pool.retry(H)).toBe(true);
    await waitState(pool, 'connected', 10_000);
    // a new connection: a new per-connection sshd answers
    expect(await echo(pool, 'fresh')).toBe('fresh\n');
    const now = await sessionPids(s);
    expect(now.some((pid) => !frozen.includes(pid))).toBe(true);
  }, 40_000);
});

describe('a link paused for longer than the keepalive tolerates', () => {
  it('is unresponsive within 10 s and never shown connected while paused; the command on it ends; it is connected again after the pause', async () => {
    const s = await sshd();
    const link = await startDelayProxy({ target: { host: '127.0.0.1', port: s.port }, delayMs: 1 });
    cleanups.push(() => link.stop());
    const kh = `${s.dir}/proxied_known_hosts`;
    await writeFile(kh, `[127.0.0.1]:${link.port} ${s.hostKeyLine.split(' ').slice(1).join(' ')}\n`);
    const keepalive = { keepaliveIntervalMs: 4_000, keepaliveCountMax: 3 };
    const { pool, seen } = newPool(s, { port: link.port, knownHostsPath: kh, ...keepalive });
    await pool.connect(H);
    expect(await echo(pool, 'through')).toBe('through\n');
    const running = outcome(pool.exec(H, 'sleep 20; echo finished'));
    await new Promise((r) => setTimeout(r, 300));
    link.cut();
    const cutAt = Date.now();
    const noticedMs = await waitState(pool, 'unresponsive', 12_000);
    expect(noticedMs).toBeLessThan(10_000);
    expect(await running).toBe('unresponsive');
    // paused for twice the keepalive's window (interval x count) in all
    const pauseMs = 2 * keepalive.keepaliveIntervalMs * keepalive.keepaliveCountMax;
    await new Promise((r) => setTimeout(r, Math.max(0, pauseMs - (Date.now() - cutAt))));
    const during = seen.filter((st) => Date.parse(st.since) > cutAt && Date.parse(st.since) < Date.now());
    expect(during.some((st) => st.state === 'connected')).toBe(false);
    // after the keepalive gave up (4 s x 3 of silence) it is reconnecting, with its reason
    expect(['unresponsive', 'connecting']).toContain(state(pool).state);
    link.heal();
    await waitState(pool, 'connected', 30_000);
    expect(await echo(pool, 'back')).toBe('back\n');
  }, 60_000);
});

describe('sshd killed mid-action', () => {
  it('ends the running command as connection-lost at once and reconnects when sshd is back', async () => {
    const s = await sshd();
    const { pool } = newPool(s);
    await pool.connect(H);
    const running = outcome(pool.exec(H, 'sleep 30; echo finished'));
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Date.now();
    await s.kill();
    expect(await running).toBe('connection-lost');
    expect(Date.now() - killedAt).toBeLessThan(3000);
    await expect.poll(() => state(pool).state, { timeout: 5000 }).toBe('connecting');
    await s.start();
    await waitState(pool, 'connected', 10_000);
    expect(await echo(pool, 'again')).toBe('again\n');
  }, 30_000);
});
