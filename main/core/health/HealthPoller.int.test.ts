// The real poller against the real simulator (in-process, on loopback, through a real undici
// Agent): every fault the simulator can inject gives its own clear error state, the poller
// backs off while it fails and recovers when the fault ends, keeping the time of the last
// good data; and the history fed from the polls stays within its fixed capacity.
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import { ENDPOINTS, type Endpoint } from '../../../common/health';
import { startSimServer, type SimServer } from '../../../sim/simServer';
import { HealthPoller, type PolledDeployment } from './HealthPoller';
import { HistoryStore } from './history/HistoryStore';

const INTERVAL_MS = 150;
const TIMEOUT_MS = 600;

let sim: SimServer;
let agent: Agent;
let poller: HealthPoller | null = null;

beforeAll(async () => {
  sim = await startSimServer({ port: 0 });
  agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
});

afterEach(async () => {
  poller?.stop();
  poller = null;
  await control('DELETE', '/_sim/fault');
});

afterAll(async () => {
  await agent.close();
  await sim.close();
});

async function control(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const res = await request(`${sim.url}${path}`, {
    method,
    dispatcher: agent,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
}

function start(overrides: Partial<PolledDeployment> = {}, history?: HistoryStore) {
  const updates: EndpointState[] = [];
  const deployment: PolledDeployment = {
    id: 'sim' as DeploymentId,
    url: sim.url,
    intervalsMs: Object.fromEntries(ENDPOINTS.map((e) => [e, INTERVAL_MS])) as Record<Endpoint, number>,
    timeoutMs: TIMEOUT_MS,
    maxBodyBytes: 1024 * 1024,
    maxBackoffMs: 5_000,
    ...overrides,
  };
  poller = new HealthPoller({
    dispatcherFor: () => agent,
    onUpdate: (state) => updates.push(state),
    onPolled: (_id, _endpoint, state) => history?.record(state),
    random: () => 0.5,
  });
  poller.start([deployment]);
  const sla = () => updates.filter((u) => u.endpoint === 'sla');
  return { updates, sla, latest: () => sla().at(-1) };
}

async function until<T>(what: string, read: () => T | undefined | null | false, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const FAULTS: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ['http-500', { kind: 'http-500' }, 'http', /^HTTP 500$/],
  ['reset', { kind: 'reset' }, 'reset', /ECONNRESET|socket|other side closed/i],
  ['malformed-json', { kind: 'malformed-json' }, 'bad-json', /^not JSON: /],
  ['oversized', { kind: 'oversized' }, 'too-large', /over the 1048576-byte cap/],
  ['hang', { kind: 'hang' }, 'timeout', /timeout/i],
  ['slow past the timeout', { kind: 'slow', ms: 3_000 }, 'timeout', /timeout/i],
];

describe('HealthPoller against the simulator faults', () => {
  it.each(FAULTS)('%s: its own error kind, last good time kept, back to ok when the fault ends', async (_name, fault, kind, message) => {
    const { latest } = start();
    const good = await until('first good poll', () => (latest()?.status === 'ok' ? latest() : null));
    await control('POST', '/_sim/fault', { ...fault, endpoint: 'sla' });
    const failed = await until(`error kind ${kind}`, () => (latest()?.status === 'error' ? latest() : null));
    expect(failed.error?.kind).toBe(kind);
    expect(failed.error?.message).toMatch(message);
    // The panel keeps showing what was last known, and since when.
    expect(Date.parse(failed.lastGoodAt!)).toBeGreaterThanOrEqual(Date.parse(good.lastGoodAt!));
    expect(Object.keys(failed.items)).toEqual(Object.keys(good.items));
    const lastGood = failed.lastGoodAt;
    await control('DELETE', '/_sim/fault');
    const recovered = await until('recovery', () => (latest()?.status === 'ok' ? latest() : null), 12_000);
    expect(recovered.error).toBeNull();
    expect(Date.parse(recovered.lastGoodAt!)).toBeGreaterThan(Date.parse(lastGood!));
  });

  it('bad-item: the poll succeeds and exactly one item reads unknown with why', async () => {
    const { latest } = start();
    await until('first good poll', () => latest()?.status === 'ok');
    await control('POST', '/_sim/fault', { kind: 'bad-item', endpoint: 'sla' });
    const polled = await until('a bad item', () => {
      const s = latest();
      return s && Object.values(s.items).some((i) => !i.ok) ? s : null;
    });
    expect(polled.status).toBe('ok');
    const bad = Object.entries(polled.items).filter(([, item]) => !item.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]![1]).toMatchObject({ ok: false, why: expect.stringMatching(/expected number/) });
    expect(Object.values(polled.items).filter((i) => i.ok).length).toBe(Object.keys(polled.items).length - 1);
  });

  it('backs off exponentially while failing, then polls at the interval again', async () => {
    await control('POST', '/_sim/fault', { kind: 'http-500', endpoint: 'sla' });
    const { sla, updates } = start();
    await until('four failed polls', () => sla().filter((s) => s.status === 'error').length >= 4 || null, 10_000);
    const gaps = sla()
      .filter((s) => s.status === 'error')
      .map((s) => Date.parse(s.nextPollAt!) - Date.parse(s.polledAt!));
    // random() is pinned to the middle of the jitter, so the delays are the schedule itself
    // (nextPollAt is stamped a moment after polledAt: a few ms of slack on a loaded machine).
    const schedule = [300, 600, 1200, 2400];
    gaps.slice(0, 4).forEach((gap, i) => expect(gap - schedule[i]!).toBeGreaterThanOrEqual(0));
    gaps.slice(0, 4).forEach((gap, i) => expect(gap - schedule[i]!).toBeLessThan(50));
    await control('DELETE', '/_sim/fault');
    const ok = await until('recovery', () => sla().find((s) => s.status === 'ok'), 10_000);
    // back on the deployment's sweep: due at the next point of its grid, with the endpoints that never failed
    const gap = Date.parse(ok.nextPollAt!) - Date.parse(ok.polledAt!);
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThanOrEqual(INTERVAL_MS);
    // brokers is due then too: when sla's recovery fell within a grid sweep and went first,
    // brokers reports that due time a moment later, in the same sweep (off the grid: never)
    await until('brokers due with sla', () => updates.some((u) => u.endpoint === 'brokers' && u.nextPollAt === ok.nextPollAt), 2_000);
    const okAfter = await until('the next good poll', () => sla().filter((s) => s.status === 'ok')[1], 10_000);
    expect(Date.parse(okAfter.nextPollAt!) - Date.parse(ok.nextPollAt!)).toBe(INTERVAL_MS);
  });

  it('a server that is not there is a connect error, not a crash', async () => {
    const { latest } = start({ url: 'http://127.0.0.1:1' });
    const failed = await until('connect error', () => (latest()?.status === 'error' ? latest() : null));
    expect(failed.error).toMatchObject({ kind: 'connect', message: expect.stringMatching(/ECONNREFUSED/) });
    expect(failed.lastGoodAt).toBeNull();
  });

  it('memory stays bounded: history buffers stop growing at capacity however many polls follow', async () => {
    // 1 s of history at 20 ms polls: capacity 51 points per series, reached within ~1 s.
    const history = new HistoryStore({ windowMs: 1_000 });
    const { sla } = start({ intervalsMs: Object.fromEntries(ENDPOINTS.map((e) => [e, 20])) as Record<Endpoint, number> }, history);
    await until('history full', () => history.stats().series > 0 && sla().length > 60, 10_000);
    const full = history.stats();
    const polls = sla().length;
    await until('many more polls', () => sla().length > polls + 60 || null, 15_000);
    const later = history.stats();
    expect(later.series).toBe(full.series);
    expect(later.bytes).toBe(full.bytes);
    expect(later.points).toBeLessThanOrEqual(later.series * (history.capacityFor(20) + history.minuteCapacity));
    // the newest second at the poll rate, and before it at most the worst of each minute it began in
    const [p95] = history.read('sim', ['sla.latency_p95_ms']);
    expect(p95!.points.length).toBeGreaterThanOrEqual(history.capacityFor(20));
    expect(p95!.points.length).toBeLessThanOrEqual(history.capacityFor(20) + 2);
  });
});
