import { describe, expect, it } from 'vitest';
import { timeTickFor, timeTicks } from './chartFormats';

// ticks recharts would place on a 5-minute chart 110 px high and ~600 px wide: about one a minute or less
const t0 = Date.parse('2026-12-07T03:04:05Z');
const ticks = (spanMs: number, n: number) => Array.from({ length: n }, (_, i) => t0 + Math.round((spanMs * i) / (n - 1)));

describe('the charts time axis', () => {
  it('never prints the same label twice on a short chart (seconds shown)', () => {
    for (const span of [20_000, 90_000, 5 * 60_000, 9 * 60_000]) {
      const labels = ticks(span, 8).map(timeTickFor(span));
      expect(new Set(labels).size, `${span} ms`).toBe(labels.length);
    }
    expect(timeTickFor(90_000)(t0)).toBe('03:04:05');
  });

  it('prints hours and minutes over longer spans', () => {
    expect(timeTickFor(60 * 60_000)(t0)).toBe('03:04');
    const labels = ticks(60 * 60_000, 8).map(timeTickFor(60 * 60_000));
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('puts the ticks on round clock times that fit the span: 2 min over 15 min, 10 min over an hour, 3 h over a day', () => {
    const labels = (minutes: number) => timeTicks(t0 - minutes * 60_000, t0).map(timeTickFor(minutes * 60_000));
    expect(labels(15)).toEqual(['02:50', '02:52', '02:54', '02:56', '02:58', '03:00', '03:02', '03:04']);
    expect(labels(60)).toEqual(['02:10', '02:20', '02:30', '02:40', '02:50', '03:00']);
    expect(labels(180)).toEqual(['00:30', '01:00', '01:30', '02:00', '02:30', '03:00']);
    expect(labels(12 * 60)).toEqual(['16:00', '18:00', '20:00', '22:00', '00:00', '02:00']);
    expect(labels(24 * 60)).toEqual(['06:00', '09:00', '12:00', '15:00', '18:00', '21:00', '00:00', '03:00']);
    expect(timeTicks(t0, t0)).toEqual([]);
  });
});
