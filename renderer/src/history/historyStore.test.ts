import { beforeEach, describe, expect, it } from 'vitest';
import { endpointState, iso } from '../panels/shared/fixtures';
import { appendPoint, recordHealth, resetHistory, seriesKey, useHistory } from './historyStore';

const sla = (p95: number, at: string) =>
  endpointState(
    'sla',
    { coingecko: { status: 'HEALTHY', latency_p50_ms: 1, latency_p95_ms: p95, latency_p99_ms: 2 * p95, success_rate: 0.99, thresholds: { latency_p95_ms: 2000, latency_p99_ms: 5000, success_rate: 0.95 } } },
    { lastGoodAt: at },
  );

beforeEach(() => resetHistory());

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
    const series = useHistory.getState().series[seriesKey('prod', 'sla.latency_p95_ms')]!;
    expect(series.lines.coingecko).toEqual([900, 2400]);
    expect(useHistory.getState().series[seriesKey('prod', 'sla.latency_p99_ms')]!.lines.coingecko).toEqual([1800, 4800]);
  });

  it('an unreadable item is a gap, not a zero', () => {
    recordHealth([endpointState('workers', { scanner: 'pending: expected number' }, { lastGoodAt: iso(-1) })]);
    expect(useHistory.getState().series[seriesKey('prod', 'workers.pending')]!.lines.scanner).toEqual([null]);
  });

  it('endpoints without a charted metric record nothing', () => {
    recordHealth([endpointState('brokers', {}, { lastGoodAt: iso(-1) })]);
    expect(useHistory.getState().series).toEqual({});
  });
});
