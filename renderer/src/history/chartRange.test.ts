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

  it("fills a long range from main's minutes before the live hour, a spike among them kept, and not twice where they meet", () => {
    const liveFrom = T0;
    const olderLines = Object.create(null) as Series['lines'];
    // main's answer: 2 h of one point a minute (a 9000 spike at 40 s into one), then its own copy of the hour
    const at = [...Array.from({ length: 120 }, (_, i) => T0 - (120 - i) * 60_000 + (i === 30 ? 40_000 : 0)), ...hour.at];
    olderLines.coingecko = at.map((t, i) => (i === 30 ? 9000 : i < 120 ? 1 : 59));
    const older: Series = { at, lines: olderLines };
    const rows = pointsInRange(hour, ['coingecko'], 3 * 60, older);
    expect(rows).toHaveLength(120 + 720);
    expect(rows[30]).toEqual({ t: T0 - 90 * 60_000 + 40_000, v: [9000] });
    expect(rows[120]!.t).toBe(liveFrom);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.t).toBeGreaterThan(rows[i - 1]!.t);
    // within the hour, main's minutes are not read
    expect(pointsInRange(hour, ['coingecko'], 60, older)).toHaveLength(720);
    // an item only main has is a gap in the rows, not a crash
    expect(pointsInRange(hour, ['gone'], 3 * 60, { ...older, lines: Object.create(null) as Series['lines'] }).slice(0, 1)).toEqual([{ t: at[0], v: [null] }]);
  });
});
