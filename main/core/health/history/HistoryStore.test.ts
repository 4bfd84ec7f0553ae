import { describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../../common/contract';
import { HistoryStore } from './HistoryStore';
import { RingBuffer } from './RingBuffer';

const T0 = Date.parse('2026-11-26T12:00:00Z');

function sla(at: number, p95: number, items = ['coingecko']): EndpointState {
  return {
    deploymentId: 'prod' as DeploymentId,
    endpoint: 'sla',
    status: 'ok',
    error: null,
    polledAt: new Date(at).toISOString(),
    lastGoodAt: new Date(at).toISOString(),
    intervalMs: 5000,
    nextPollAt: null,
    latencyMs: 2,
    meta: {},
    items: Object.fromEntries(
      items.map((name) => [
        name,
        { ok: true, value: { status: 'HEALTHY', latency_p50_ms: 1, latency_p95_ms: p95, latency_p99_ms: p95 * 2, success_rate: 0.99, thresholds: {} } },
      ]),
    ),
  };
}

describe('RingBuffer', () => {
  it('keeps the newest capacity points, oldest first, and never grows', () => {
    const ring = new RingBuffer(3);
    const bytes = ring.bytes;
    for (let i = 1; i <= 5; i++) ring.push(i * 1000, i);
    expect(ring.read()).toEqual([
      [3000, 3],
      [4000, 4],
      [5000, 5],
    ]);
    expect(ring.read(4000)).toEqual([
      [4000, 4],
      [5000, 5],
    ]);
    expect(ring.bytes).toBe(bytes);
    expect(() => new RingBuffer(0)).toThrow('ring buffer capacity must be a positive integer, got 0');
  });
});

describe('HistoryStore', () => {
  it('holds an hour at the poll rate: 721 points at 5 s, then overwrites the oldest', () => {
    const store = new HistoryStore();
    for (let i = 0; i < 1000; i++) store.record(sla(T0 + i * 5000, 100 + i));
    const [p95] = store.read('prod', ['sla.latency_p95_ms']);
    expect(p95!.points).toHaveLength(721);
    expect(p95!.points[0]).toEqual([T0 + 279 * 5000, 379]);
    expect(p95!.points.at(-1)).toEqual([T0 + 999 * 5000, 1099]);
    const before = store.stats().bytes;
    for (let i = 1000; i < 3000; i++) store.record(sla(T0 + i * 5000, 100));
    expect(store.stats().bytes).toBe(before);
  });

  it('adds nothing for failed polls or unreadable items, and caps series per deployment', () => {
    const store = new HistoryStore({ maxSeriesPerDeployment: 6 });
    store.record({ ...sla(T0, 100), status: 'error' });
    expect(store.has('prod')).toBe(false);
    // A hostile API inventing many sources cannot grow the store past its cap.
    store.record(sla(T0, 100, ['a', 'b', 'c', 'd', 'e']));
    expect(store.stats()).toMatchObject({ series: 6, droppedSeries: 9 });
    expect(store.read('prod', ['sla.success_rate']).map((s) => s.item)).toEqual(['a', 'b']);
  });
});
