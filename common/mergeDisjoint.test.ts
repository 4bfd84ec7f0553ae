import { describe, expect, it } from 'vitest';
import { mergeDisjoint } from './mergeDisjoint';

describe('mergeDisjoint', () => {
  it('merges parts whose names do not meet, keeping every entry and its type', () => {
    const merged = mergeDisjoint({ getFleet: 1 } as const, { pollNow: 'a', onHealth: true } as const);
    expect(merged).toEqual({ getFleet: 1, pollNow: 'a', onHealth: true });
    const typed: 'a' = merged.pollNow;
    expect(typed).toBe('a');
  });

  it('refuses a name in two parts at compile time (tsc checks this file) and at run time', () => {
    const fleet = { getFleet: 1, getSnapshot: 2 } as const;
    const health = { pollNow: 3, getFleet: 4 } as const;
    // @ts-expect-error getFleet is in both parts: "each name once: this one is also in another part"
    expect(() => mergeDisjoint(fleet, health)).toThrow('"getFleet" is defined twice: each name once');
    // a part typed loosely gets past the compiler, not past the merge
    const loose: object = { getSnapshot: 5 };
    expect(() => mergeDisjoint(fleet, loose)).toThrow('"getSnapshot" is defined twice: each name once');
  });
});
