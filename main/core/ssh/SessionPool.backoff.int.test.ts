// Backoff and jitter, driven by an injected clock, timers and random source, against a real
// refused connection (a loopback port nobody listens on), so every attempt really fails; and one
// backoff for every caller, against a real sshd killed and started again.
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState, HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import type { Timers } from '../clock';
import { createForwardDispatcher } from './forwardDispatcher';
import { SessionPool, sshLinkErrorKind } from './SessionPool';
import { generateEd25519KeyPair } from '../../../sim/sshKeys';

const H = 'db1' as HostId;
const pools: SessionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Timers that fire only when the test says so, recording each requested delay. */
function manualTimers(): Timers & { delays: number[]; fireNext(): void } {
  const pending: { fn: () => void; ms: number; handle: object }[] = [];
  const delays: number[] = [];
  return {
    delays,
    setTimeout(fn, ms) {
      const handle = {};
      pending.push({ fn, ms, handle });
      delays.push(ms);
      return handle;
    },
    clearTimeout(handle) {
      const i = pending.findIndex((p) => p.handle === handle);
      if (i >= 0) pending.splice(i, 1);
    },
    fireNext() {
      const next = pending.shift();
      next?.fn();
    },
  };
}

describe('reconnect backoff', () => {
  it('doubles the wait from 0.5 s up to the cap, each wait jittered between half and all of it, and shows it', async () => {
    const port = await closedPort();
    const timers = manualTimers();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const randoms = [0, 0.999, 0.5, 0, 0.999, 0.5, 0];
    let r = 0;
    const pool = new SessionPool({ timers, clock: { now: () => now }, random: () => randoms[r++ % randoms.length]!, backoff: { initialMs: 500, maxMs: 4000 } });
    pools.push(pool);
    const seen: ConnectionState[] = [];
    pool.onState((s) => seen.push(s));
    // a real key, so the only failure is the refused TCP connection
    pool.setHosts([
      { id: H, address: '127.0.0.1', port, user: 'root', privateKey: generateEd25519KeyPair().private, knownHostsPath: '/nonexistent/known_hosts' },
    ]);
    await expect(pool.connect(H)).rejects.toThrow(/ECONNREFUSED/);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const st = pool.states()[0]!;
      expect(st).toMatchObject({ state: 'connecting', attempt, error: expect.stringMatching(/ECONNREFUSED/) });
      waits.push(Date.parse(st.nextRetryAt!) - now);
      now += waits.at(-1)!;
      timers.fireNext();
      await new Promise<void>((resolve) => {
        const off = pool.onState((s) => {
          if (s.state === 'connecting' && s.nextRetryAt) {
            off();
            resolve();
          }
        });
      });
    }
    // d = 500, 1000, 2000, 4000, 4000, 4000; wait = round(d/2 + random * d/2). The timers fire
    // as soon as the state is announced: this also proves no retry is lost in that window.
    expect(waits).toEqual([250, 1000, 1500, 2000, 3998, 3000]);
    expect(seen.some((s) => s.state === 'connected')).toBe(false);
  });
});

describe('one backoff for everyone, against a real sshd that is killed and comes back', () => {
  const fixtures: Sshd[] = [];
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((s) => s.stop()));
  });

  it("no refresh, poll, forward or connect starts an attempt before the advertised nextRetryAt; a host back is reconnected at its scheduled time; the user's Retry skips the wait", async () => {
    const s = await startSshd();
    fixtures.push(s);
    const http = createHttpServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const httpPort = (http.address() as { port: number }).port;
    const pool = new SessionPool({ backoff: { initialMs: 400, maxMs: 3000 } });
    pools.push(pool);
    pool.setHosts([{ id: H, address: s.address, port: s.port, user: s.user, privateKeyPath: s.clientKeyPath, knownHostsPath: s.knownHostsPath }]);
    // every attempt announces itself (connecting, no nextRetryAt); between attempts the state
    // advertises when the next one is due
    const attempts: { at: number; due: number | null }[] = [];
    let advertised: number | null = null;
    pool.onState((st) => {
      if (st.state !== 'connecting') return;
      if (st.nextRetryAt) advertised = Date.parse(st.nextRetryAt);
      else {
        attempts.push({ at: Date.now(), due: advertised });
        advertised = null;
      }
    });
    await pool.connect(H);
    const dispatcher = createForwardDispatcher(pool, H, '127.0.0.1', httpPort, { headersTimeoutMs: 2000, bodyTimeoutMs: 2000 });
    try {
      expect(await (await request(`http://127.0.0.1:${httpPort}/`, { dispatcher })).body.text()).toBe('ok');
      await s.kill();
      // from here on every attempt is a reconnect
      attempts.length = 0;

      // 6 s of the host facts refresh (an exec), the health poll (through the forward
      // dispatcher), a tunnel's forward and a connect asking every 25 ms
      const answers = new Map<string, number>();
      const count = (err: unknown) => {
        const kind = sshLinkErrorKind(err) ?? 'other';
        answers.set(kind, (answers.get(kind) ?? 0) + 1);
      };
      const askUntil = Date.now() + 6000;
      let rounds = 0;
      while (Date.now() < askUntil) {
        rounds++;
        await Promise.all([
          pool.exec(H, 'true').catch(count),
          request(`http://127.0.0.1:${httpPort}/`, { dispatcher }).then(
            (r) => r.body.text(),
            (err: Error) => count(sshLinkErrorKind(err) ? err : ((err as { cause?: unknown }).cause ?? err)),
          ),
          pool.forwardOut(H, '127.0.0.1', httpPort).then((ch) => ch.destroy(), count),
          pool.connect(H).catch(count),
        ]);
        await new Promise((r) => setTimeout(r, 25));
      }
      const asked = attempts.length;
      // backoff 0.4 s doubling to 3 s, jittered: about five attempts in 6 s, not hundreds
      expect(asked).toBeGreaterThan(2);
      expect(asked).toBeLessThan(12);
      for (const a of attempts) {
        expect(a.due).not.toBeNull();
        expect(a.at).toBeGreaterThanOrEqual(a.due! - 5);
      }
      // every asker of every round, including those that joined an attempt in flight, was told
      // the host is unreachable (nothing was started)
      expect(Object.fromEntries(answers)).toEqual({ unreachable: rounds * 4 });

      // nothing asks now; the host comes back while it waits out its backoff, and the attempt
      // at the scheduled time connects it: a handshake later, not another backoff later
      const waiting = async (aheadMs: number) => {
        await expect
          .poll(
            () => {
              const st = pool.states()[0]!;
              return st.state === 'connecting' && !!st.nextRetryAt && Date.parse(st.nextRetryAt) - Date.now() > aheadMs;
            },
            { timeout: 15_000, interval: 10 },
          )
          .toBe(true);
        return Date.parse(pool.states()[0]!.nextRetryAt!);
      };
      const due = await waiting(1000);
      const before = attempts.length;
      await s.start();
      expect(Date.now()).toBeLessThan(due);
      await expect.poll(() => pool.states()[0]!.state, { timeout: 10_000, interval: 10 }).toBe('connected');
      const connectedAt = Date.parse(pool.states()[0]!.since);
      expect(attempts.length).toBe(before + 1);
      expect(attempts.at(-1)!.at).toBeGreaterThanOrEqual(due - 5);
      expect(connectedAt - due).toBeLessThan(1500);

      // down again: the user's Retry starts an attempt before the advertised time and connects
      await s.kill();
      const scheduled = await waiting(1000);
      await s.start();
      const beforeRetry = attempts.length;
      expect(pool.retry(H)).toBe(true);
      await expect.poll(() => pool.states()[0]!.state, { timeout: 10_000, interval: 10 }).toBe('connected');
      expect(attempts.length).toBe(beforeRetry + 1);
      expect(attempts.at(-1)!.at).toBeLessThan(scheduled);
    } finally {
      await dispatcher.close();
      await new Promise((r) => http.close(r));
    }
  }, 60_000);
});
