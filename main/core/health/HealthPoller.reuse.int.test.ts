// The poller skips work for what has not changed since the last poll (a byte-identical body is
// not parsed again, an unchanged item keeps its checked and redacted result). These tests pin
// what must not be lost with it, against a real HTTP server whose bodies each test sets (the
// simulator stamps every body with generated_at, so it never sends the same bytes twice):
// every poll is still a fresh sample, a change is shown at once, a bad item still reads
// "unknown: why", secrets stay redacted, and an error keeps the last good data and its time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import { ENDPOINT_PATHS, ENDPOINTS, type Endpoint } from '../../../common/health';
import { Redactor } from '../redact/Redactor';
import { SECRET_CASES } from '../redact/secretCorpus';
import { HealthPoller } from './HealthPoller';
import { HistoryStore } from './history/HistoryStore';

const INTERVAL_MS = 60;

/** what the server answers, by path; a path with nothing set answers 404 */
const answers = new Map<string, { status: number; text: string }>();
let server: Server;
let url: string;
let agent: Agent;
let poller: HealthPoller | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = answers.get(req.url ?? '') ?? { status: 404, text: '{}' };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
});

afterEach(() => {
  poller?.stop();
  poller = null;
  answers.clear();
});

afterAll(async () => {
  await agent.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const serve = (endpoint: Endpoint, body: unknown, status = 200) => answers.set(ENDPOINT_PATHS[endpoint], { status, text: JSON.stringify(body) });

const slaItem = (p95: unknown) => ({
  status: 'HEALTHY',
  latency_p50_ms: 10,
  latency_p95_ms: p95,
  latency_p99_ms: 30,
  success_rate: 0.999,
  thresholds: { latency_p95_ms: 100, latency_p99_ms: 200, success_rate: 0.95 },
});

function start(history?: HistoryStore) {
  const updates: EndpointState[] = [];
  const redactor = new Redactor();
  poller = new HealthPoller({
    dispatcherFor: () => agent,
    onUpdate: (state) => updates.push(state),
    onPolled: (_id, _endpoint, state) => history?.record(state),
    redact: (text) => redactor.redact(text),
    random: () => 0.5,
  });
  poller.start([
    {
      id: 'd' as DeploymentId,
      url,
      intervalsMs: Object.fromEntries(ENDPOINTS.map((e) => [e, INTERVAL_MS])) as Record<Endpoint, number>,
      timeoutMs: 2_000,
      maxBodyBytes: 1024 * 1024,
      maxBackoffMs: 500,
    },
  ]);
  const of = (endpoint: Endpoint) => updates.filter((u) => u.endpoint === endpoint);
  return { of, ok: (endpoint: Endpoint) => of(endpoint).filter((u) => u.status === 'ok'), latest: (endpoint: Endpoint) => of(endpoint).at(-1) };
}

const POLL = { timeout: 15_000, interval: 20 };

describe('HealthPoller, when a body or an item has not changed since the last poll', () => {
  it('an identical body is still a fresh sample: a newer polledAt and lastGoodAt, a pushed state and a history point every poll', async () => {
    serve('sla', { window_seconds: 3600, sources: { coingecko: slaItem(20) } });
    const history = new HistoryStore();
    const { ok } = start(history);
    await expect.poll(() => ok('sla').length, POLL).toBeGreaterThanOrEqual(5);
    poller!.stop();
    const polls = ok('sla');
    for (const [i, state] of polls.entries()) {
      expect(state.items).toEqual({ coingecko: { ok: true, value: slaItem(20) } });
      expect(state.meta).toEqual({ window_seconds: 3600 });
      if (i === 0) continue;
      // what the freshness display reads: each identical answer moves "last good data" on
      expect(Date.parse(state.lastGoodAt!)).toBeGreaterThan(Date.parse(polls[i - 1]!.lastGoodAt!));
      expect(Date.parse(state.polledAt!)).toBeGreaterThan(Date.parse(polls[i - 1]!.polledAt!));
    }
    // the charts get a point for every poll, changed or not
    const [p95] = history.read('d', ['sla.latency_p95_ms']);
    expect(p95!.points).toEqual(polls.map((state) => [Date.parse(state.lastGoodAt!), 20]));
  });

  it('a body that changes after identical ones is shown, an item turned bad reads unknown with why while its unchanged neighbour stays', async () => {
    serve('sla', { sources: { coingecko: slaItem(20), dexscreener: slaItem(40) } });
    const { ok, latest } = start();
    await expect.poll(() => ok('sla').length, POLL).toBeGreaterThanOrEqual(3);

    serve('sla', { sources: { coingecko: slaItem(25), dexscreener: slaItem(40) } });
    await expect.poll(() => latest('sla')?.items.coingecko, POLL).toEqual({ ok: true, value: slaItem(25) });
    expect(latest('sla')!.items.dexscreener).toEqual({ ok: true, value: slaItem(40) });

    serve('sla', { sources: { coingecko: slaItem('fast'), dexscreener: slaItem(40) } });
    await expect.poll(() => latest('sla')?.items.coingecko?.ok, POLL).toBe(false);
    expect(latest('sla')!.status).toBe('ok');
    expect(latest('sla')!.items.coingecko).toEqual({ ok: false, why: expect.stringMatching(/^latency_p95_ms: .*expected number/) });
    expect(latest('sla')!.items.dexscreener).toEqual({ ok: true, value: slaItem(40) });

    // and back: the item is checked again, not left as it was before it went bad
    serve('sla', { sources: { coingecko: slaItem(20), dexscreener: slaItem(40) } });
    await expect.poll(() => latest('sla')?.items.coingecko, POLL).toEqual({ ok: true, value: slaItem(20) });

    // an item that disappears is gone from the next state, not kept from the last body
    serve('sla', { sources: { dexscreener: slaItem(40) } });
    await expect.poll(() => Object.keys(latest('sla')?.items ?? {}), POLL).toEqual(['dexscreener']);
  });

  it('items whose names are secrets stay apart once redacted, and every secret of the corpus in a detail is hidden', async () => {
    const names = ['DU1234567', 'DU7654321', `AKIA${'Q'.repeat(16)}`, 'alpaca'];
    const detail = SECRET_CASES.map((c) => c.text).join(' | ');
    serve('brokers', { brokers: Object.fromEntries(names.map((name) => [name, { status: 'online', last_checked: '2026-11-26T12:00:00Z', detail }])) });
    const { ok } = start();
    await expect.poll(() => ok('brokers').length, POLL).toBeGreaterThanOrEqual(2);
    const items = ok('brokers').at(-1)!.items;
    expect(Object.keys(items).sort()).toEqual(['[REDACTED]', '[REDACTED] #2', '[REDACTED] #3', 'alpaca']);
    const shown = JSON.stringify(items);
    expect(SECRET_CASES.filter((c) => shown.includes(c.secret)).map((c) => c.kind)).toEqual([]);
  });

  it('secrets stay redacted in bodies and items taken over from the last poll, item names included', async () => {
    const tokenName = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
    const broker = (checked: string) => ({ status: 'online', last_checked: checked, detail: 'reconnected with token=s3cr3tValue99' });
    serve('brokers', { brokers: { alpaca: broker('2026-11-26T12:00:00Z'), [tokenName]: broker('2026-11-26T12:00:00Z') } });
    const { ok } = start();
    await expect.poll(() => ok('brokers').length, POLL).toBeGreaterThanOrEqual(3);
    // alpaca changes (checked again), the other item does not: one is parsed anew, one reused
    serve('brokers', { brokers: { alpaca: broker('2026-11-26T12:00:05Z'), [tokenName]: broker('2026-11-26T12:00:00Z') } });
    await expect.poll(() => ok('brokers').at(-1)?.items.alpaca, POLL).toMatchObject({ ok: true, value: { last_checked: '2026-11-26T12:00:05Z' } });
    const after = ok('brokers').length;
    await expect.poll(() => ok('brokers').length, POLL).toBeGreaterThanOrEqual(after + 2);
    for (const state of ok('brokers')) {
      const shown = JSON.stringify(state);
      expect(shown).not.toContain('s3cr3tValue99');
      expect(shown).not.toContain(tokenName);
      expect(state.items.alpaca).toMatchObject({ ok: true, value: { detail: 'reconnected with token=[REDACTED]' } });
      expect(state.items['[REDACTED]']).toMatchObject({ ok: true, value: { detail: 'reconnected with token=[REDACTED]' } });
    }
  });

  it('an item named "__proto__" stays an item, on the first poll and when it changes', async () => {
    const body = (p95: number) => JSON.stringify({ sources: { ['__proto__']: slaItem(p95), coingecko: slaItem(20) } });
    answers.set(ENDPOINT_PATHS.sla, { status: 200, text: body(20) });
    const { ok } = start();
    await expect.poll(() => ok('sla').length, POLL).toBeGreaterThanOrEqual(2);
    answers.set(ENDPOINT_PATHS.sla, { status: 200, text: body(25) });
    await expect.poll(() => Object.getOwnPropertyDescriptor(ok('sla').at(-1)!.items, '__proto__')?.value, POLL).toEqual({ ok: true, value: slaItem(25) });
    for (const state of ok('sla')) {
      expect(Object.keys(state.items)).toEqual(['__proto__', 'coingecko']);
      // no prototype: an item the API did not send ("constructor", "toString") reads as absent
      expect(Object.getPrototypeOf(state.items)).toBeNull();
      expect(state.items['constructor']).toBeUndefined();
    }
  });

  it('an error between two identical bodies: the error shows the last good data and its time, then the same body is fresh again', async () => {
    serve('sla', { sources: { coingecko: slaItem(20) } });
    const { of, latest } = start();
    await expect.poll(() => latest('sla')?.status, POLL).toBe('ok');
    serve('sla', { error: 'boom' }, 500);
    await expect.poll(() => latest('sla')?.status, POLL).toBe('error');
    const failed = latest('sla')!;
    const lastGood = of('sla')
      .filter((s) => s.status === 'ok')
      .at(-1)!;
    expect(failed.error).toEqual({ kind: 'http', message: 'HTTP 500' });
    expect(failed.lastGoodAt).toBe(lastGood.lastGoodAt);
    expect(failed.items).toEqual(lastGood.items);

    serve('sla', { sources: { coingecko: slaItem(20) } });
    await expect.poll(() => latest('sla')?.status, POLL).toBe('ok');
    const again = latest('sla')!;
    expect(again.error).toBeNull();
    expect(again.items).toEqual({ coingecko: { ok: true, value: slaItem(20) } });
    expect(Date.parse(again.lastGoodAt!)).toBeGreaterThan(Date.parse(failed.polledAt!));
  });
});
