import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../../common/thresholds';
import { alertReason } from './alertReason';

const rule = (id: string) => DEFAULT_RULES.find((r) => r.id === id)!;

describe('alertReason', () => {
  it("a broker alert carries the panel's reason: its status and its detail", () => {
    expect(alertReason(rule('broker-status'), 1, { status: 'offline', detail: 'gateway port 4001 closed' })).toBe('offline: gateway port 4001 closed');
  });

  it('without a detail the level stays in words', () => {
    expect(alertReason(rule('broker-status'), 1, { status: 'error', detail: null })).toBe('offline or error');
    expect(alertReason(rule('broker-status'), 1, { status: 'error', detail: '  ' })).toBe('offline or error');
  });

  it('a cleared level and a numeric rule keep the metric words', () => {
    expect(alertReason(rule('broker-status'), 0, { status: 'online', detail: 'ok since 12:00' })).toBe('online');
    expect(alertReason(rule('rate-limit-usage'), 0.9, { detail: 'x' })).toMatch(/^rate limit usage 90 %/);
  });
});
