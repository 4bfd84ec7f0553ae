// Backoff and jitter, driven by an injected clock, timers and random source, against a real
// refused connection (a loopback port nobody listens on), so every attempt really fails.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState, HostId } from '../../../common/contract';
import type { Timers } from '../clock';
import { SessionPool } from './SessionPool';
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
    pool.setHosts([{ id: H, address: '127.0.0.1', port, user: 'root', privateKey: generateEd25519KeyPair().private, knownHostsPath: '/nonexistent/known_hosts' }]);
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
