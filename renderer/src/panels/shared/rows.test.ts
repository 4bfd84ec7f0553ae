import { describe, expect, it } from 'vitest';
import { recordFrom } from '../../../../common/emptyRecord';
import { selectBreakerRows } from '../circuit-breakers/selectors';
import { selectSlaRows } from '../sla/selectors';
import { endpointState, iso, NOW } from './fixtures';

const thresholds = { latency_p95_ms: 2000, latency_p99_ms: 5000, success_rate: 0.95 };
const sla = (p95: number) => ({ status: 'HEALTHY', latency_p50_ms: 1, latency_p95_ms: p95, latency_p99_ms: 2, success_rate: 1, thresholds });

describe('rows read once per endpoint state', () => {
  it('the same state gives the same rows (a clock tick redraws none); the next poll gives new ones', () => {
    const state = endpointState('sla', { a: sla(100), b: sla(2500) });
    const rows = selectSlaRows(state);
    expect(selectSlaRows(state)).toBe(rows);
    // (the runbook's named sources the API left out follow as unknown)
    expect(rows.filter((r) => r.name.length === 1).map((r) => [r.name, r.status])).toEqual([
      ['b', 'warn'],
      ['a', 'ok'],
    ]);
    const next = endpointState('sla', { a: sla(2500), b: sla(100) });
    expect(selectSlaRows(next)).not.toBe(rows);
    expect(selectSlaRows(next).find((r) => r.name === 'a')!.status).toBe('warn');
  });

  it('a countdown is judged again at each tick from the same state', () => {
    const breaker = { state: 'OPEN', failure_count: 7, failure_threshold: 5, recovery_timeout_seconds: 60, opened_at: iso(-30), last_failure: 'HTTP 429' };
    const state = endpointState('circuitBreakers', { coingecko: breaker });
    expect(selectBreakerRows(state, NOW)[0]!.status).toBe('fail');
    expect(selectBreakerRows(state, NOW)[0]!.reasons).toHaveLength(1);
    // 60 s later the breaker is overdue for HALF_OPEN: a second reason, from the same parsed item
    expect(selectBreakerRows(state, NOW + 60_000)[0]!.reasons[1]).toMatch(/^still OPEN 30 s past/);
  });

  it('items named like Object.prototype members stay items of their own', () => {
    const state = endpointState('sla', {});
    const items = recordFrom<(typeof state.items)[string]>([
      ['__proto__', { ok: true, value: sla(2500) }],
      ['constructor', { ok: false, why: 'latency_p95_ms: expected number' }],
    ]);
    const rows = selectSlaRows({ ...state, items });
    expect(rows.find((r) => r.name === '__proto__')!.status).toBe('warn');
    expect(rows.find((r) => r.name === 'constructor')!.reasons).toEqual(['unknown: latency_p95_ms: expected number']);
  });
});
