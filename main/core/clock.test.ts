import { describe, expect, it } from 'vitest';
import { isoAt } from './clock';

describe('isoAt', () => {
  it('formats every time right while it remembers the last two', () => {
    const times = [0, 1_764_201_303_166, 0, 1_764_201_303_167, 1_764_201_303_166, 86_400_000, 0, 0];
    expect(times.map(isoAt)).toEqual(times.map((ms) => new Date(ms).toISOString()));
  });

  it('refuses a time that is not one, as Date does', () => {
    expect(() => isoAt(NaN)).toThrow(RangeError);
  });
});
