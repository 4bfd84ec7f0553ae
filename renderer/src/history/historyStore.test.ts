import { beforeEach, describe, expect, it } from 'vitest';
import { endpointState, iso } from '../panels/shared/fixtures';
import { HOSTILE_NAMES } from '../../../common/hostileNames.fixture';
import { resetAllStores } from '../store/createStore';
import { appendPoint, recordHealth, seedHistory, seedRange, seriesFromMain, seriesKey, useHistoryStore } from './historyStore';
import { pointsInRange } from './chartRange';

const sla = (p95: number, at: string) =>
  endpointState(
    'sla',
    {
      coingecko: {
        status: 'HEALTHY',
        latency_p50_ms: 1,
        latency_p95_ms: p95,
        latency_p99_ms: 2 * p95,
        success_rate: 0.99,
        thresholds: { latency_p95_ms: 2000, latency_p99_ms: 5000, success_rate: 0.95 },
      },
    },
    { lastGoodAt: at },
  );

beforeEach(() => resetAllStores());

describe('history ring', () => {
  it('keeps at most cap points, dropping the oldest, and pads items that appear later', () => {
    let s = appendPoint(undefined, 1, { a: 10 }, 3);
    s = appendPoint(s, 2, { a: 11, b: 5 }, 3);
    s = appendPoint(s, 3, { a: 12, b: 6 }, 3);
    s = appendPoint(s, 4, { a: 13 }, 3);
    expect(s).toEqual({ at: [2, 3, 4], lines: { a: [11, 12, 13], b: [5, 6, null] } });
  });

  it('records one point per new lastGoodAt, not per re-sent state', () => {
    recordHealth([sla(900, iso(-10))]);
    recordHealth([sla(900, iso(-10))]);
    recordHealth([sla(2400, iso(-5))]);
    const series = useHistoryStore.getState().series[seriesKey('prod', 'sla.latency_p95_ms')]!;
    expect(series.lines.coingecko).toEqual([900, 2400]);
    expect(useHistoryStore.getState().series[seriesKey('prod', 'sla.latency_p99_ms')]!.lines.coingecko).toEqual([1800, 4800]);
  });

  it('an unreadable item is a gap, not a zero', () => {
    recordHealth([endpointState('workers', { scanner: 'pending: expected number' }, { lastGoodAt: iso(-1) })]);
    expect(useHistoryStore.getState().series[seriesKey('prod', 'workers.pending')]!.lines.scanner).toEqual([null]);
  });

  it('endpoints without a charted metric record nothing', () => {
    recordHealth([endpointState('brokers', {}, { lastGoodAt: iso(-1) })]);
    expect(useHistoryStore.getState().series).toEqual({});
  });
});

describe('history from main', () => {
  it("merges main's per-item series on shared timestamps with gaps as null, and later polls append after them", () => {
    seedHistory(
      'prod',
      [
        {
          metric: 'workers.pending',
          item: 'scanner',
          points: [
            [1000, 5],
            [2000, 60],
          ],
        },
        { metric: 'workers.pending', item: 'alerts', points: [[2000, 1]] },
      ],
      { 'workers.pending': 40 },
    );
    const key = seriesKey('prod', 'workers.pending');
    expect(useHistoryStore.getState().series[key]).toEqual({ at: [1000, 2000], lines: { scanner: [5, 60], alerts: [null, 1] } });
    expect(useHistoryStore.getState().thresholds.prod).toEqual({ 'workers.pending': 40 });
    const poll = (at: number, pending: number) =>
      endpointState(
        'workers',
        { scanner: { pending, processing_time_p50_ms: 1, processing_time_p95_ms: 2, workers: 1, status: 'healthy' } },
        { lastGoodAt: new Date(at).toISOString() },
      );
    recordHealth([poll(2000, 60)]);
    recordHealth([poll(3000, 70)]);
    expect(useHistoryStore.getState().series[key]).toEqual({ at: [1000, 2000, 3000], lines: { scanner: [5, 60, 70], alerts: [null, 1, null] } });
  });

  it('keeps only the newest points of a long history', () => {
    const points = Array.from({ length: 10 }, (_, i) => [i, i] as [number, number]);
    expect(seriesFromMain([{ metric: 'sla.success_rate', item: 'coingecko', points }], 4)).toEqual({ at: [6, 7, 8, 9], lines: { coingecko: [6, 7, 8, 9] } });
  });
});

describe('item names from a hostile health API', () => {
  // The items arrive as JSON over the WebSocket (or a structured clone over IPC): "__proto__"
  // is then an own key, as JSON.parse makes it.
  const pending = (n: number) => ({ pending: n, processing_time_p50_ms: 1, processing_time_p95_ms: 2, workers: 1, status: 'healthy' });
  const hostileWorkers = (n: number, at: number) => {
    const items = JSON.parse(JSON.stringify(Object.fromEntries([...HOSTILE_NAMES, 'scanner'].map((name) => [name, pending(n)]))));
    return endpointState('workers', items as Record<string, unknown>, { lastGoodAt: new Date(at).toISOString() });
  };

  it('records every name as its own line and keeps the neighbours, poll after poll', () => {
    recordHealth([hostileWorkers(1, 1000)]);
    recordHealth([hostileWorkers(2, 2000)]);
    const series = useHistoryStore.getState().series[seriesKey('prod', 'workers.pending')]!;
    expect(Object.keys(series.lines).sort()).toEqual([...HOSTILE_NAMES, 'scanner'].sort());
    for (const name of [...HOSTILE_NAMES, 'scanner']) expect(series.lines[name], name).toEqual([1, 2]);
    expect(({} as Record<string, unknown>)[0]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('0');
  });

  it('pads a hostile name that appears late, and does not read Object.prototype for one that is missing', () => {
    let s = appendPoint(undefined, 1, { a: 1 });
    s = appendPoint(s, 2, { a: 2, constructor: 7, __proto__: 8 } as Record<string, number>);
    // an object literal's "__proto__:" sets the prototype: that value is not an item
    expect(Object.keys(s.lines).sort()).toEqual(['a', 'constructor']);
    s = appendPoint(s, 3, JSON.parse('{"__proto__": 9, "toString": 3}'));
    expect(s.lines.constructor).toEqual([null, 7, null]);
    expect(s.lines.__proto__).toEqual([null, null, 9]);
    expect(s.lines.toString).toEqual([null, null, 3]);
    expect(s.lines.a).toEqual([1, 2, null]);
  });

  it("seeds main's history for hostile names without touching Object.prototype", () => {
    seedHistory(
      'prod',
      HOSTILE_NAMES.map((item, i) => ({ metric: 'workers.pending', item, points: [[1000, i]] })),
      {},
    );
    const series = useHistoryStore.getState().series[seriesKey('prod', 'workers.pending')]!;
    HOSTILE_NAMES.forEach((name, i) => expect(series.lines[name], name).toEqual([i]));
    expect(Object.prototype).not.toHaveProperty('0');
  });

  it("keeps main's answer for a long range apart from the live hour, hostile names as their own lines", () => {
    const live = HOSTILE_NAMES.map((item, i) => ({ metric: 'workers.pending' as const, item, points: [[3_600_000, i] as [number, number]] }));
    seedHistory('prod', live, {});
    seedRange(
      'prod',
      HOSTILE_NAMES.map((item, i) => ({
        metric: 'workers.pending',
        item,
        points: [[60_000, 100 + i] as [number, number], [3_600_000, i] as [number, number]],
      })),
    );
    const key = seriesKey('prod', 'workers.pending');
    const { series, older } = useHistoryStore.getState();
    expect(series[key]!.at).toEqual([3_600_000]);
    const rows = pointsInRange(series[key], HOSTILE_NAMES, 24 * 60, older[key]);
    expect(rows.map((r) => r.t)).toEqual([60_000, 3_600_000]);
    expect(rows[0]!.v).toEqual(HOSTILE_NAMES.map((_, i) => 100 + i));
    expect(Object.prototype).not.toHaveProperty('0');
  });
});
