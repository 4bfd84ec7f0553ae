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

const MINUTE = 60_000;
const DAY_OF_5S_POLLS = (24 * 60 * MINUTE) / 5000;
/** bytes of one series at 5 s polls: the hour's 721 points and the day's 1441 minutes, two Float64s each */
const SERIES_BYTES = (721 + 1441) * 16;

function workers(at: number, items: Record<string, number>): EndpointState {
  return {
    ...sla(at, 0, []),
    endpoint: 'workers',
    items: Object.fromEntries(
      Object.entries(items).map(([name, pending]) => [
        name,
        { ok: true, value: { pending, processing_time_p50_ms: 1, processing_time_p95_ms: 2, workers: 1, status: 'healthy' } },
      ]),
    ),
  };
}

describe('HistoryStore', () => {
  it('holds the newest hour at the poll rate (721 points at 5 s) and each earlier minute as its worst value', () => {
    const store = new HistoryStore();
    for (let i = 0; i < 1000; i++) store.record(sla(T0 + i * 5000, 100 + i));
    const [p95] = store.read('prod', ['sla.latency_p95_ms']);
    const hourFrom = T0 + 279 * 5000;
    const recent = p95!.points.filter(([t]) => t >= hourFrom);
    expect(recent).toHaveLength(721);
    expect(recent.at(-1)).toEqual([T0 + 999 * 5000, 1099]);
    // before the hour: minutes 0 to 22 at their start, each its highest latency (its last point
    // here); minute 23, which the hour begins in, is left to the hour's points
    const older = p95!.points.filter(([t]) => t < hourFrom);
    expect(older).toHaveLength(23);
    expect(older[0]).toEqual([T0, 111]);
    expect(older.at(-1)).toEqual([T0 + 22 * MINUTE, 100 + 22 * 12 + 11]);
    const before = store.stats().bytes;
    for (let i = 1000; i < 3000; i++) store.record(sla(T0 + i * 5000, 100));
    expect(store.stats().bytes).toBe(before);
  });

  it('keeps a 5 s spike and a success-rate dip of 22 hours ago through a day of 5 s polls, in their minute', () => {
    const store = new HistoryStore();
    const spike = 2 * 60 * 12 + 7; // 2 h 0 min 35 s into the day
    for (let i = 0; i < DAY_OF_5S_POLLS; i++) {
      const state = sla(T0 + i * 5000, i === spike ? 9000 : 100 + (i % 3));
      if (i === spike) (state.items.coingecko as unknown as { value: { success_rate: number } }).value.success_rate = 0.5;
      store.record(state);
    }
    const [p95, , success] = store.read('prod', ['sla.latency_p95_ms', 'sla.latency_p99_ms', 'sla.success_rate']);
    expect(p95!.metric).toBe('sla.latency_p95_ms');
    expect(success!.metric).toBe('sla.success_rate');
    expect(p95!.points).toContainEqual([T0 + 120 * MINUTE, 9000]);
    expect(success!.points).toContainEqual([T0 + 120 * MINUTE, 0.5]);
    // the minutes around it keep their own worst, not the spike smeared over them
    const minuteOf = (t: number) => Math.floor((t - T0) / MINUTE);
    expect(p95!.points.filter(([t]) => minuteOf(t) === 119 || minuteOf(t) === 121).map(([, v]) => v)).toEqual([102, 102]);
    // 1379 minutes before the one the newest hour begins in, then its 721 points: 2100 where 17280 were read
    expect(p95!.points).toHaveLength(1379 + 721);
    for (let i = 1; i < p95!.points.length; i++) expect(p95!.points[i]![0]).toBeGreaterThan(p95!.points[i - 1]![0]);
    // a range asks from its start: 3 h is two hours of minutes (but the one the hour begins in), then the hour
    const threeHours = store.read('prod', ['sla.latency_p95_ms'], T0 + DAY_OF_5S_POLLS * 5000 - 3 * 60 * MINUTE)[0]!;
    expect(threeHours.points).toHaveLength(119 + 721);
  });

  it('stays at its size through a second day: the oldest minutes are overwritten', () => {
    const store = new HistoryStore();
    for (let i = 0; i < DAY_OF_5S_POLLS; i++) store.record(sla(T0 + i * 5000, 100));
    const day = store.stats();
    expect(day).toMatchObject({ series: 3, bytes: 3 * SERIES_BYTES });
    for (let i = DAY_OF_5S_POLLS; i < 2 * DAY_OF_5S_POLLS; i++) store.record(sla(T0 + i * 5000, i === DAY_OF_5S_POLLS + 1 ? 5000 : 100));
    // one minute more than a day fills the last bucket; not one byte more
    expect(store.stats()).toEqual({ ...day, points: 3 * (721 + 1441) });
    const [p95] = store.read('prod', ['sla.latency_p95_ms']);
    // nothing older than a day before the newest minute
    expect(p95!.points[0]![0]).toBeGreaterThanOrEqual(T0 + DAY_OF_5S_POLLS * 5000 - 1441 * MINUTE);
    expect(p95!.points).toContainEqual([T0 + 1440 * MINUTE, 5000]);
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

  it('holds 500 items on every endpoint in a bounded size, and one endpoint cannot crowd out the others', () => {
    const store = new HistoryStore();
    const names = Array.from({ length: 500 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
    // the buffers are allocated whole with a series' first point: a few minutes of polls show the size
    for (let i = 0; i < 60; i++) {
      store.record(sla(T0 + i * 5000, 100, names));
      store.record(workers(T0 + i * 5000, Object.fromEntries(names.map((n) => [n, i]))));
    }
    const stats = store.stats();
    // 16 items for each of the three SLA metrics, and the queues still get theirs
    expect(stats.series).toBe(64);
    expect(store.read('prod', ['workers.pending'])).toHaveLength(16);
    expect(store.read('prod', ['sla.latency_p95_ms'])).toHaveLength(16);
    expect(stats.bytes).toBe(64 * SERIES_BYTES);
    // the bound per deployment, whatever the API reports: 16 items for each of the 6 metrics,
    // 96 series of 34,592 bytes, 3.2 MiB
    expect(96 * SERIES_BYTES).toBe(3_320_832);
  });
});
