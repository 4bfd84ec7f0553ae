import { describe, expect, it } from 'vitest';
import { endpointState, iso } from '../shared/fixtures';
import { selectFreshnessRows } from './selectors';

const fresh = { freshness: 'fresh', last_updated: iso(-30), data_age_seconds: 30, update_frequency_seconds: 60, error_rate: 0.01, requests_last_hour: 60 };
const rows = (items: Record<string, unknown>) => selectFreshnessRows(endpointState('freshness', items));
const byName = (items: Record<string, unknown>, name: string) => rows(items).find((r) => r.name === name)!;

describe('freshness selectors', () => {
  it('a fresh source with a low error rate is ok with no reasons', () => {
    expect(byName({ coingecko: fresh }, 'coingecko')).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('"stale" warns and "outdated" fails, saying so', () => {
    expect(byName({ coingecko: { ...fresh, freshness: 'stale' } }, 'coingecko')).toMatchObject({ status: 'warn', reasons: ['freshness stale'] });
    expect(byName({ coingecko: { ...fresh, freshness: 'outdated' } }, 'coingecko')).toMatchObject({ status: 'fail', reasons: ['freshness outdated'] });
  });

  it('flags an error rate above 5 % but not at 5 %', () => {
    expect(byName({ blockscout: { ...fresh, error_rate: 0.12 } }, 'blockscout')).toMatchObject({ status: 'warn', reasons: ['error rate 12 % > 5 %'] });
    expect(byName({ blockscout: { ...fresh, error_rate: 0.05 } }, 'blockscout').status).toBe('ok');
  });

  it('warns when data age is well past the update frequency (over 2x)', () => {
    expect(byName({ dexscreener: { ...fresh, data_age_seconds: 150 } }, 'dexscreener')).toMatchObject({
      status: 'warn',
      reasons: ['data age 2 m 30 s > 2× update frequency 1 m 00 s'],
    });
    expect(byName({ dexscreener: { ...fresh, data_age_seconds: 120 } }, 'dexscreener').status).toBe('ok');
  });

  it('lists every reason, worst first', () => {
    expect(byName({ coingecko: { ...fresh, freshness: 'outdated', error_rate: 0.2, data_age_seconds: 900 } }, 'coingecko').reasons).toEqual([
      'freshness outdated',
      'data age 15 m 00 s > 2× update frequency 1 m 00 s',
      'error rate 20 % > 5 %',
    ]);
  });

  it('a bad item is "unknown: <why>" while the rest still renders, and expected sources missing from the API show as unknown', () => {
    const result = rows({ coingecko: fresh, dexscreener: 'data_age_seconds: expected number, received string', blockscout: { ...fresh, error_rate: 7 } });
    expect(result.map((r) => [r.name, r.status, r.reasons[0] ?? ''])).toEqual([
      ['dexscreener', 'unknown', 'unknown: data_age_seconds: expected number, received string'],
      ['blockscout', 'unknown', expect.stringMatching(/^unknown: error_rate: /)],
      ['ethereum_rpc', 'unknown', 'unknown: not reported'],
      ['coingecko', 'ok', ''],
    ]);
  });

  it('sorts failing rows above warnings above ok', () => {
    const result = rows({
      coingecko: fresh,
      dexscreener: { ...fresh, freshness: 'stale' },
      blockscout: { ...fresh, freshness: 'outdated' },
      ethereum_rpc: fresh,
    });
    expect(result.map((r) => r.name)).toEqual(['blockscout', 'dexscreener', 'coingecko', 'ethereum_rpc']);
  });
});
