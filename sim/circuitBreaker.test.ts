import { describe, expect, it } from 'vitest';
import { BreakerItem } from '../common/health';
import { CircuitBreaker } from './circuitBreaker';
import { ManualClock } from './clock';

const T0 = Date.parse('2026-11-26T12:00:00Z');
const config = { failureThreshold: 5, recoveryTimeoutSeconds: 60, failureIntervalSeconds: 10, trialDelaySeconds: 5 };

function setup() {
  const clock = new ManualClock(T0);
  const breaker = new CircuitBreaker('coingecko_api', config, clock.now());
  const read = () => BreakerItem.parse(breaker.snapshot(clock.now()));
  return { clock, breaker, read };
}

describe('CircuitBreaker', () => {
  it('trips to OPEN when a failing upstream reaches the failure threshold', () => {
    const { clock, breaker, read } = setup();
    breaker.setUpstream(clock.now(), true, 'HTTP 429');
    clock.advanceSeconds(39);
    expect(read()).toMatchObject({ state: 'CLOSED', failure_count: 3, last_failure: 'HTTP 429' });
    clock.advanceSeconds(11);
    expect(read()).toMatchObject({ state: 'OPEN', failure_count: 5, opened_at: new Date(T0 + 50_000).toISOString() });
  });

  it('moves OPEN -> HALF_OPEN after the recovery timeout and closes on a successful trial', () => {
    const { clock, breaker, read } = setup();
    breaker.force(clock.now(), 'OPEN', { failureCount: 7, lastFailure: 'HTTP 429' });
    clock.advanceSeconds(59);
    expect(read().state).toBe('OPEN');
    clock.advanceSeconds(1);
    expect(read().state).toBe('HALF_OPEN');
    clock.advanceSeconds(5);
    expect(read()).toMatchObject({ state: 'CLOSED', failure_count: 0, opened_at: null });
  });

  it('re-opens when the HALF_OPEN trial fails because the upstream is still failing', () => {
    const { clock, breaker, read } = setup();
    breaker.setUpstream(clock.now(), true, 'HTTP 429');
    breaker.force(clock.now(), 'OPEN', { failureCount: 7 });
    clock.advanceSeconds(65);
    expect(read()).toMatchObject({ state: 'OPEN', failure_count: 8, opened_at: new Date(T0 + 65_000).toISOString() });
    // and again one full cycle later, computed lazily across a long gap
    clock.advanceSeconds(65 * 10);
    expect(read()).toMatchObject({ state: 'OPEN', failure_count: 18 });
  });

  it('closes at once on a manual reset, and a still-failing upstream trips it again later', () => {
    const { clock, breaker, read } = setup();
    breaker.setUpstream(clock.now(), true, 'HTTP 429');
    breaker.force(clock.now(), 'OPEN', { failureCount: 7 });
    clock.advanceSeconds(10);
    breaker.reset(clock.now());
    expect(read()).toMatchObject({ state: 'CLOSED', failure_count: 0 });
    clock.advanceSeconds(49);
    expect(read()).toMatchObject({ state: 'CLOSED', failure_count: 4 });
    clock.advanceSeconds(1);
    expect(read().state).toBe('OPEN');
  });

  it('stays CLOSED with no failures while the upstream is healthy, however long', () => {
    const { clock, read } = setup();
    clock.advanceSeconds(86_400 * 30);
    expect(read()).toMatchObject({ state: 'CLOSED', failure_count: 0, last_failure: null });
  });

  it('a forced HALF_OPEN closes after the trial delay when the upstream is healthy', () => {
    const { clock, breaker, read } = setup();
    breaker.force(clock.now(), 'HALF_OPEN');
    expect(read().state).toBe('HALF_OPEN');
    clock.advanceSeconds(5);
    expect(read().state).toBe('CLOSED');
  });
});
