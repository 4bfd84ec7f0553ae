// A deployment's endpoints are polled in sweeps: one after another on one connection, all on
// one grid. What the API sees is checked at a real HTTP server in front of the simulator,
// which holds every answer for a while so that two polls of one deployment at once would
// overlap there; what the console shows is checked in the endpoint states.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import { ENDPOINTS, type Endpoint } from '../../../common/health';
import { startSimServer, type SimServer } from '../../../sim/simServer';
import { HealthPoller, sweepStartFractions, WAKES_PER_INTERVAL, type PolledDeployment } from './HealthPoller';

const HOLD_MS = 30;
/** paths answered this much later than HOLD_MS (an endpoint that is slow to compute) */
const slowPaths = new Map<string, number>();

let sim: SimServer;
let front: Server;
let frontUrl: string;
let agent: Agent;
let poller: HealthPoller | null = null;
/** requests in flight at the front server now, per deployment (its first path segment), and the most ever */
const inFlight = new Map<string, number>();
const most = new Map<string, number>();
const seen: Array<{ deployment: string; path: string }> = [];

beforeAll(async () => {
  sim = await startSimServer({ port: 0 });
  agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
  // /<deployment>/api/health/... is the simulator's /api/health/..., answered HOLD_MS late
  front = createServer((req, res) => {
    const [, deployment, ...rest] = (req.url ?? '/').split('/');
    const now = (inFlight.get(deployment!) ?? 0) + 1;
    inFlight.set(deployment!, now);
    most.set(deployment!, Math.max(most.get(deployment!) ?? 0, now));
    seen.push({ deployment: deployment!, path: `/${rest.join('/')}` });
    void request(`${sim.url}/${rest.join('/')}`, { dispatcher: agent })
      .then(async (answer) => {
        const body = await answer.body.text();
        await new Promise((r) => setTimeout(r, HOLD_MS + (slowPaths.get(`/${rest.join('/')}`) ?? 0)));
        inFlight.set(deployment!, inFlight.get(deployment!)! - 1);
        res.writeHead(answer.statusCode, { 'content-type': 'application/json' }).end(body);
      })
      .catch((error: Error) => res.writeHead(502).end(error.message));
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});

afterEach(() => {
  poller?.stop();
  poller = null;
  inFlight.clear();
  most.clear();
  seen.length = 0;
  slowPaths.clear();
});

afterAll(async () => {
  await agent.close();
  await new Promise<void>((r) => front.close(() => r()));
  await sim.close();
});

function deployment(id: string, intervalsMs: Partial<Record<Endpoint, number>>, fallbackMs: number): PolledDeployment {
  return {
    id: id as DeploymentId,
    url: `${frontUrl}/${id}`,
    intervalsMs: Object.fromEntries(ENDPOINTS.map((e) => [e, intervalsMs[e] ?? fallbackMs])) as Record<Endpoint, number>,
    timeoutMs: 2_000,
    maxBodyBytes: 1024 * 1024,
    maxBackoffMs: 5_000,
  };
}

/** longer than any wake-up delay here, so a pending fetch timeout is never taken for a wake-up */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * A clock and timers that move only when the test says. Each deployment's sweep arms one wake-up
 * when it is over; wakeNext waits until `sweeps` of them are armed (no sweep under way), moves the
 * clock to the earliest and fires every wake-up due then, so sweeps that start together still run
 * side by side.
 */
function virtualClock(sweeps: number) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const pending: { fn: () => void; at: number; ms: number; handle: object }[] = [];
  const wakeUps = () => pending.filter((p) => p.ms < FETCH_TIMEOUT_MS);
  return {
    now: () => now,
    setTimeout(fn: () => void, ms: number) {
      const handle = {};
      pending.push({ fn, at: now + ms, ms, handle });
      return handle;
    },
    clearTimeout(handle: unknown) {
      const i = pending.findIndex((p) => p.handle === handle);
      if (i >= 0) pending.splice(i, 1);
    },
    /** waits until every sweep is over (each has armed its next wake-up) */
    async idle(): Promise<void> {
      await expect.poll(() => wakeUps().length, { timeout: 15_000, interval: 5 }).toBe(sweeps);
    },
    async wakeNext(): Promise<number> {
      await this.idle();
      const at = Math.min(...wakeUps().map((p) => p.at));
      const due = wakeUps().filter((p) => p.at === at);
      for (const wake of due) pending.splice(pending.indexOf(wake), 1);
      now = Math.max(now, at);
      for (const wake of due) wake.fn();
      return now;
    },
  };
}

function start(deployments: PolledDeployment[], wakesPerInterval?: number, clock?: ReturnType<typeof virtualClock>) {
  const updates: EndpointState[] = [];
  // its own Agent with room for many connections: the one-at-a-time is the poller's doing
  const pollAgent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  poller = new HealthPoller({
    dispatcherFor: () => pollAgent,
    onUpdate: (state) => updates.push(state),
    random: () => 0.5,
    wakesPerInterval,
    ...(clock ? { clock, timers: clock } : {}),
  });
  poller.start(clock ? deployments.map((d) => ({ ...d, timeoutMs: FETCH_TIMEOUT_MS })) : deployments);
  return updates;
}

/** Runs virtual time until `done` holds and every sweep is over; returns the wake-up times. */
async function runUntil(clock: ReturnType<typeof virtualClock>, done: () => boolean): Promise<number[]> {
  const wakes: number[] = [];
  while (!done()) wakes.push(await clock.wakeNext());
  await clock.idle();
  return wakes;
}

describe('HealthPoller sweeps', () => {
  it("polls a deployment's endpoints one after another, never two at once, and shows them due together", async () => {
    // virtual time: the grid is under test, and a loaded machine's late wake-ups would move it
    const clock = virtualClock(2);
    const updates = start([deployment('a', {}, 1_000), deployment('b', {}, 1_000)], undefined, clock);
    // three sweeps of both deployments
    await runUntil(clock, () => updates.filter((u) => u.status === 'ok').length >= 2 * 3 * ENDPOINTS.length);
    expect(updates.filter((u) => u.status === 'error')).toEqual([]);
    // the API never saw two polls of one deployment at the same time, though each took HOLD_MS
    expect(most.get('a')).toBe(1);
    expect(most.get('b')).toBe(1);
    // every endpoint of a deployment polled, each sweep in the same order
    expect(new Set(seen.filter((s) => s.deployment === 'a').map((s) => s.path)).size).toBe(ENDPOINTS.length);
    // after each sweep all of a deployment's endpoints are next due at one moment (the panel's
    // "next poll" agrees); only the sweep under way may have reached some of them so far
    for (const id of ['a', 'b']) {
      const byDue = new Map<string, Set<Endpoint>>();
      for (const u of updates.filter((u) => u.deploymentId === id)) byDue.set(u.nextPollAt!, (byDue.get(u.nextPollAt!) ?? new Set()).add(u.endpoint));
      const sweeps = [...byDue.values()];
      expect(sweeps.length).toBeGreaterThanOrEqual(3);
      for (const endpoints of sweeps.slice(0, -1)) expect(endpoints.size).toBe(ENDPOINTS.length);
    }
    // the two deployments are spread over the interval, not swept at the same moment
    const dueA = updates.filter((u) => u.deploymentId === 'a').at(-1)!.nextPollAt!;
    const dueB = updates.filter((u) => u.deploymentId === 'b').at(-1)!.nextPollAt!;
    expect(Math.abs(Date.parse(dueA) - Date.parse(dueB)) % 1_000).not.toBe(0);
  });

  it('a fleet larger than its wake-ups per interval is swept a few deployments at a time, the groups still spread', async () => {
    // five deployments, at most two starts a second: three each starting together, then two
    const ids = ['g1', 'g2', 'g3', 'g4', 'g5'];
    const clock = virtualClock(ids.length);
    const updates = start(
      ids.map((id) => deployment(id, {}, 1_000)),
      2,
      clock,
    );
    await runUntil(clock, () => ids.every((id) => updates.filter((u) => u.deploymentId === id && u.status === 'ok').length >= 2 * ENDPOINTS.length));
    expect(updates.filter((u) => u.status === 'error')).toEqual([]);
    const due = (id: string) => Date.parse(updates.filter((u) => u.deploymentId === id).at(-1)!.nextPollAt!) % 1_000;
    expect(due('g2')).toBe(due('g1'));
    expect(due('g3')).toBe(due('g1'));
    expect(due('g5')).toBe(due('g4'));
    // the two groups half an interval apart
    expect((due('g4') - due('g1') + 1_000) % 1_000).toBe(500);
    // starting together, each deployment still sends one request at a time
    for (const id of ids) expect(most.get(id)).toBe(1);
  });

  it('a fleet of up to sixteen gets a start each; fifty start four at a time at thirteen moments, evenly spread', () => {
    expect(sweepStartFractions(1, WAKES_PER_INTERVAL)).toEqual([0]);
    expect(sweepStartFractions(16, WAKES_PER_INTERVAL)).toEqual(Array.from({ length: 16 }, (_, i) => i / 16));
    const fifty = sweepStartFractions(50, WAKES_PER_INTERVAL);
    const starts = [...new Set(fifty)];
    expect(starts).toEqual(Array.from({ length: 13 }, (_, i) => i / 13));
    expect(starts.map((start) => fifty.filter((f) => f === start).length)).toEqual([...Array(12).fill(4), 2]);
    // seventeen is one over: pairs, not sixteen singles and a pair
    expect(new Set(sweepStartFractions(17, WAKES_PER_INTERVAL)).size).toBe(9);
    expect(sweepStartFractions(0, WAKES_PER_INTERVAL)).toEqual([]);
  });

  it('refuses a wake-up count that is not a whole number of at least one', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new HealthPoller({ dispatcherFor: () => agent, onUpdate: () => undefined, wakesPerInterval: bad })).toThrow(
        `wakesPerInterval must be a whole number of at least 1, not ${bad}`,
      );
    }
  });

  it('an endpoint with a three times longer interval joins every third sweep rather than being polled on its own', async () => {
    // Virtual time: the grid is the property under test, and on a loaded machine a sweep that
    // wakes more than one interval late rightly skips a grid point. The clock stands still while a
    // request is at the (real) server and moves only to the poller's next wake-up.
    const clock = virtualClock(1);
    const updates = start([deployment('c', { security: 1_800 }, 600)], undefined, clock);
    const wakes = await runUntil(clock, () => updates.filter((u) => u.endpoint === 'security').length >= 4);
    const at = (endpoint: Endpoint) => updates.filter((u) => u.endpoint === endpoint).map((u) => Date.parse(u.polledAt!));
    const security = at('security');
    const sla = new Set(at('sla'));
    // every security poll is part of a sweep of the 600 ms endpoints: never a wake-up of its own
    for (const polled of security) expect(sla.has(polled)).toBe(true);
    expect(wakes.length).toBe(sla.size);
    // and it keeps its own interval: 1.8 s between its polls, three of the others'
    expect(security.slice(1).map((t, i) => t - security[i]!)).toEqual([1_800, 1_800, 1_800]);
    expect(sla.size).toBeGreaterThanOrEqual(3 * (security.length - 1) + 1);
  });

  it('an endpoint that answers slowly is polled last, so it holds up none of the others', async () => {
    slowPaths.set('/api/health/brokers', 300);
    const updates = start([deployment('e', {}, 1_000)]);
    await expect.poll(() => seen.filter((s) => s.deployment === 'e').length, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(3 * ENDPOINTS.length);
    const paths = seen.filter((s) => s.deployment === 'e').map((s) => s.path);
    // the first sweep goes in the contract's order (nothing is known yet); brokers is not last there
    expect(paths.slice(0, ENDPOINTS.length).at(-1)).not.toBe('/api/health/brokers');
    // from then on it is last in every sweep
    expect(paths.slice(ENDPOINTS.length, 2 * ENDPOINTS.length).at(-1)).toBe('/api/health/brokers');
    expect(paths.slice(2 * ENDPOINTS.length, 3 * ENDPOINTS.length).at(-1)).toBe('/api/health/brokers');
    expect(updates.filter((u) => u.status === 'error')).toEqual([]);
  });

  it('pollNow during a sweep sweeps again once it ends: every endpoint answers after the request', async () => {
    const updates = start([deployment('d', {}, 60_000)]);
    // the first sweep is under way and two endpoints have answered (each answer takes HOLD_MS)
    await expect.poll(() => seen.length, { timeout: 5_000, interval: 5 }).toBeGreaterThanOrEqual(3);
    const asked = Date.now();
    expect(poller!.pollNow('d' as DeploymentId)).toBe(true);
    await expect
      .poll(() => ENDPOINTS.every((e) => updates.some((u) => u.endpoint === e && u.status === 'ok' && Date.parse(u.polledAt!) >= asked)), {
        timeout: 10_000,
        interval: 20,
      })
      .toBe(true);
    expect(most.get('d')).toBe(1);
    expect(poller!.pollNow('nope' as DeploymentId)).toBe(false);
  });
});
