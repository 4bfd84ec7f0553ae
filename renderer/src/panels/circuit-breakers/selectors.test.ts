import { describe, expect, it } from 'vitest';
import { endpointState, iso, NOW } from '../shared/fixtures';
import { selectBreakerRows } from './selectors';

const closed = { state: 'CLOSED', failure_count: 0, failure_threshold: 5, recovery_timeout_seconds: 60, opened_at: null, last_failure: null };
const row = (item: unknown, now = NOW) => selectBreakerRows(endpointState('circuitBreakers', { coingecko_api: item }), now)[0]!;

describe('circuit breaker selectors', () => {
  it('CLOSED is ok', () => {
    expect(row(closed)).toMatchObject({ name: 'coingecko_api', status: 'ok', reasons: [] });
    expect(row(closed).value!.halfOpenInSeconds).toBeNull();
  });

  it('OPEN fails with failures against threshold and the last failure, and counts down to HALF_OPEN', () => {
    const open = { ...closed, state: 'OPEN', failure_count: 7, opened_at: iso(-20), last_failure: 'HTTP 429' };
    const r = row(open);
    expect(r).toMatchObject({ status: 'fail', reasons: ['OPEN: 7/5 failures, last: HTTP 429'] });
    expect(r.value!.halfOpenInSeconds).toBe(40);
  });

  it('HALF_OPEN warns', () => {
    expect(row({ ...closed, state: 'HALF_OPEN', failure_count: 5 })).toMatchObject({
      status: 'warn',
      reasons: ['HALF_OPEN: trial requests after 5/5 failures'],
    });
  });

  it('an OPEN breaker past its recovery timeout says how overdue it is', () => {
    const r = row({ ...closed, state: 'OPEN', failure_count: 9, opened_at: iso(-90) });
    expect(r.value!.halfOpenInSeconds).toBe(-30);
    expect(r.reasons).toEqual(['OPEN: 9/5 failures', 'still OPEN 30 s past its 1 m 00 s recovery timeout']);
  });

  it('a breaker with an unknown state is unknown, and the other breakers still render', () => {
    const rows = selectBreakerRows(endpointState('circuitBreakers', { a_api: { ...closed, state: 'BROKEN' }, b_api: closed }), NOW);
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['a_api', 'unknown'],
      ['b_api', 'ok'],
    ]);
    expect(rows[0]!.reasons[0]).toMatch(/^unknown: state: /);
  });
});
