import { describe, expect, it } from 'vitest';
import { endpointState, iso, NOW } from '../shared/fixtures';
import { selectRateLimitRows } from './selectors';

const calm = { used: 10, limit: 50, remaining: 40, window_seconds: 60, reset_at: iso(42), recent_429: 0, tier: 'free' };
const row = (item: unknown) => selectRateLimitRows(endpointState('rateLimits', { coingecko: item }), NOW)[0]!;

describe('rate limit selectors', () => {
  it('low usage without 429s is ok, with usage and reset countdown derived', () => {
    const r = row(calm);
    expect(r).toMatchObject({ status: 'ok', reasons: [] });
    expect(r.value).toMatchObject({ usage: 0.2, resetInSeconds: 42 });
  });

  it('usage over 80 % warns; exactly 80 % does not', () => {
    expect(row({ ...calm, used: 45, remaining: 5 })).toMatchObject({ status: 'warn', reasons: ['usage 90 % > 80 %'] });
    expect(row({ ...calm, used: 40, remaining: 10 }).status).toBe('ok');
  });

  it('any recent 429 warns, counted in words', () => {
    expect(row({ ...calm, recent_429: 1 }).reasons).toEqual(['1 recent 429 response']);
    expect(row({ ...calm, used: 45, remaining: 5, recent_429: 3 })).toMatchObject({ status: 'warn', reasons: ['usage 90 % > 80 %', '3 recent 429 responses'] });
  });

  it('nothing remaining fails as exhausted', () => {
    expect(row({ ...calm, used: 50, remaining: 0, recent_429: 12 })).toMatchObject({
      status: 'fail',
      reasons: ['exhausted: 0 of 50 left', '12 recent 429 responses'],
    });
  });

  it('a zero limit is unknown instead of a division by zero', () => {
    expect(row({ ...calm, limit: 0 })).toMatchObject({ status: 'unknown', reasons: [expect.stringMatching(/^unknown: limit: /)] });
  });
});
