import { describe, expect, it } from 'vitest';
import { CHART_RANGES, pointsInRange } from './chartRange';
import type { Series } from './historyStore';

const T0 = Date.parse('2026-12-06T20:00:00Z');
/** an hour of 5 s polls of one SLA item, its value the minute of the point */
const hour: Series = {
  at: Array.from({ length: 720 }, (_, i) => T0 + i * 5_000),
  lines: Object.assign(Object.create(null) as Series['lines'], { coingecko: Array.from({ length: 720 }, (_, i) => Math.floor(i / 12)) }),
};
const newest = T0 + 719 * 5_000;

describe('the chart time range', () => {
  it('offers 15 minutes to 24 hours', () => {
    expect(CHART_RANGES.map((r) => r.label)).toEqual(['15 min', '1 h', '3 h', '12 h', '24 h']);
  });

  it('keeps the points within the range of the newest one, not of the clock', () => {
    const rows = pointsInRange(hour, ['coingecko'], 15);
    expect(rows[0]!.t).toBe(newest - 15 * 60_000);
    expect(rows.at(-1)!.t).toBe(newest);
    expect(rows).toHaveLength(15 * 12 + 1);
    expect(rows.at(-1)!.v).toEqual([59]);
  });

  it('shows all that is kept when the range reaches further back than the history', () => {
    expect(pointsInRange(hour, ['coingecko'], 24 * 60)).toHaveLength(720);
  });

  it('reads a line missing at a point as a gap, and an item name that is not a plain key as its own line', () => {
    const lines = Object.create(null) as Series['lines'];
    lines['__proto__'] = [1];
    lines['t'] = [null, 2];
    const odd: Series = { at: [T0, T0 + 5_000], lines };
    expect(pointsInRange(odd, ['__proto__', 't'], 15)).toEqual([
      { t: T0, v: [1, null] },
      { t: T0 + 5_000, v: [null, 2] },
    ]);
  });
});
