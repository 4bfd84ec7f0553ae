import { describe, expect, it } from 'vitest';
import { timeTickFor } from './chartFormats';

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
});
