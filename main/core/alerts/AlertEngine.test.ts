import { describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import type { AlertNotification, AlertRecord } from '../../../common/thresholds';
import type { Endpoint } from '../../../common/health';
import { DEFAULT_ALERTS_SETTINGS, effectiveRules, type AlertsSettings } from './alertRules';
import { AlertEngine } from './AlertEngine';

const T0 = Date.parse('2026-11-26T12:00:00Z');

function setup(overrides: Partial<AlertsSettings> = {}) {
  const clock = {
    t: T0,
    now() {
      return this.t;
    },
  };
  const changes: AlertRecord[] = [];
  const notes: AlertNotification[] = [];
  const engine = new AlertEngine({
    settings: { ...DEFAULT_ALERTS_SETTINGS, pendingSeconds: 10, ...overrides },
    clock,
    onChange: (a) => changes.push(a),
    onNotify: (n) => notes.push(n),
    deploymentName: (id) => `Deployment ${id}`,
  });
  return { clock, engine, changes, notes };
}

const rateLimit = (used: number, recent429 = 0, deploymentId = 'prod'): EndpointState =>
  state(
    'rateLimits',
    {
      coingecko: { used, limit: 100, remaining: 100 - used, window_seconds: 60, reset_at: '2026-11-26T12:01:00Z', recent_429: recent429 },
    },
    deploymentId,
  );

function state(endpoint: Endpoint, items: Record<string, Record<string, unknown> | string>, deploymentId = 'prod'): EndpointState {
  return {
    deploymentId: deploymentId as DeploymentId,
    endpoint,
    status: 'ok',
    error: null,
    polledAt: null,
    lastGoodAt: null,
    intervalMs: 5000,
    nextPollAt: null,
    latencyMs: 3,
    meta: {},
    items: Object.fromEntries(Object.entries(items).map(([k, v]) => [k, typeof v === 'string' ? { ok: false, why: v } : { ok: true, value: v }])),
  };
}

const usageAlerts = (engine: AlertEngine) => engine.list().filter((a) => a.ruleId === 'rate-limit-usage');

describe('AlertEngine: pending period', () => {
  it('holds a condition as pending until it has lasted the pending period, then fires once and notifies once', () => {
    const { clock, engine, notes } = setup();
    engine.evaluate(rateLimit(90));
    expect(usageAlerts(engine)).toMatchObject([{ state: 'pending', reason: 'rate limit usage 90 % > 80 %', section: 'rate-limits' }]);
    clock.t += 5_000;
    engine.evaluate(rateLimit(91));
    expect(usageAlerts(engine)[0]!.state).toBe('pending');
    clock.t += 5_000;
    engine.evaluate(rateLimit(92));
    const [alert] = usageAlerts(engine);
    expect(alert).toMatchObject({ state: 'firing', firedAt: new Date(T0 + 10_000).toISOString(), pendingSince: new Date(T0).toISOString(), notified: 1 });
    clock.t += 5_000;
    engine.evaluate(rateLimit(93));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      title: 'Warning: Deployment prod: coingecko rate limit usage',
      body: 'rate limit usage 92 % > 80 % (runbook: rate-limits)',
    });
  });

  it('drops a pending alert that dips below the fire line before the period ends: nothing fires', () => {
    const { clock, engine, notes } = setup();
    engine.evaluate(rateLimit(90));
    clock.t += 5_000;
    engine.evaluate(rateLimit(79));
    clock.t += 10_000;
    engine.evaluate(rateLimit(79));
    expect(usageAlerts(engine)).toEqual([]);
    expect(notes).toEqual([]);
  });

  it('fires at the first poll when the pending period is 0', () => {
    const { engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(rateLimit(81));
    expect(usageAlerts(engine)[0]!.state).toBe('firing');
  });
});

describe('AlertEngine: hysteresis', () => {
  it('keeps firing between the clear and fire lines, resolves only at or under the clear line', () => {
    const { clock, engine, notes } = setup({ pendingSeconds: 0 });
    engine.evaluate(rateLimit(85));
    // A value flapping around 80 % (the fire line) must not flap the alert.
    for (const used of [79, 81, 78, 80, 76, 82, 77]) {
      clock.t += 1_000;
      engine.evaluate(rateLimit(used));
      expect(usageAlerts(engine).map((a) => a.state)).toEqual(['firing']);
    }
    clock.t += 1_000;
    engine.evaluate(rateLimit(75));
    expect(usageAlerts(engine)).toMatchObject([{ state: 'resolved', resolvedAt: new Date(T0 + 8_000).toISOString() }]);
    expect(notes).toHaveLength(1);
  });

  it('a refire after resolving is a new instance with its own start time', () => {
    const { clock, engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(rateLimit(85));
    clock.t += 1000;
    engine.evaluate(rateLimit(10));
    clock.t += 1000;
    engine.evaluate(rateLimit(95));
    const alerts = usageAlerts(engine);
    expect(alerts.map((a) => a.state)).toEqual(['firing', 'resolved']);
    expect(alerts[0]!.id).not.toBe(alerts[1]!.id);
    expect(alerts[0]!.firedAt).toBe(new Date(T0 + 2000).toISOString());
  });

  it('level rules: a breaker HALF_OPEN keeps the alert (warning), CLOSED clears it; OPEN is critical', () => {
    const { clock, engine } = setup({ pendingSeconds: 0 });
    const breaker = (s: string) =>
      state('circuitBreakers', { coingecko_api: { state: s, failure_count: 7, failure_threshold: 5, recovery_timeout_seconds: 60 } });
    engine.evaluate(breaker('OPEN'));
    expect(engine.list()).toMatchObject([{ state: 'firing', severity: 'critical', reason: 'OPEN', section: 'circuit-breakers' }]);
    clock.t += 1000;
    engine.evaluate(breaker('HALF_OPEN'));
    expect(engine.list()).toMatchObject([{ state: 'firing', severity: 'warning', reason: 'HALF_OPEN' }]);
    clock.t += 1000;
    engine.evaluate(breaker('CLOSED'));
    expect(engine.list()).toMatchObject([{ state: 'resolved' }]);
  });
});

describe('AlertEngine: what it ignores and what it ends', () => {
  it('a failed poll or an unreadable item changes nothing; an item no longer reported resolves', () => {
    const { clock, engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(rateLimit(90));
    clock.t += 1000;
    engine.evaluate({ ...rateLimit(0), status: 'error', error: { kind: 'timeout', message: 'x' } });
    engine.evaluate(state('rateLimits', { coingecko: 'used: expected number' }));
    expect(usageAlerts(engine).map((a) => a.state)).toEqual(['firing']);
    engine.evaluate(state('rateLimits', {}));
    expect(usageAlerts(engine)).toMatchObject([{ state: 'resolved', reason: 'coingecko no longer reported' }]);
  });

  it('keeps deployments apart', () => {
    const { engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(rateLimit(90, 0, 'a'));
    engine.evaluate(rateLimit(10, 0, 'b'));
    expect(usageAlerts(engine).map((a) => `${a.deploymentId}:${a.state}`)).toEqual(['a:firing']);
    // b's API dropping the item ends nothing of a's
    engine.evaluate(state('rateLimits', {}, 'b'));
    expect(usageAlerts(engine).map((a) => `${a.deploymentId}:${a.state}`)).toEqual(['a:firing']);
    engine.evaluate(state('rateLimits', {}, 'a'));
    expect(usageAlerts(engine).map((a) => `${a.deploymentId}:${a.state}`)).toEqual(['a:resolved']);
  });
});

describe('AlertEngine: every runbook area has a rule that fires on its scenario values', () => {
  const cases: Array<[string, EndpointState, string, string]> = [
    [
      'data-freshness',
      state('freshness', {
        coingecko: { freshness: 'stale', last_updated: '2026-11-26T11:00:00Z', data_age_seconds: 100, update_frequency_seconds: 60, error_rate: 0.12 },
      }),
      'freshness-error-rate',
      'source error rate 12 % > 5 %',
    ],
    [
      'broker-connectivity',
      state('brokers', { ibkr: { status: 'offline', last_checked: '2026-11-26T12:00:00Z', detail: 'gateway port 4001 closed' } }),
      'broker-status',
      'offline: gateway port 4001 closed',
    ],
    [
      'broker-connectivity',
      state('brokers', { questrade: { status: 'online', last_checked: '2026-11-26T12:00:00Z', token_expires_at: '2026-11-25T12:00:00Z' } }),
      'broker-token-expiry',
      'token expiry: expired 24 h ago',
    ],
    [
      'sla-violations',
      state('sla', {
        coingecko: {
          status: 'DEGRADED',
          latency_p50_ms: 1,
          latency_p95_ms: 2400,
          latency_p99_ms: 10,
          success_rate: 0.93,
          thresholds: { latency_p95_ms: 2000, latency_p99_ms: 5000, success_rate: 0.95 },
        },
      }),
      'sla-success-rate',
      'success rate 93 % < 95 %',
    ],
    [
      'worker-queues',
      state('workers', { scanner: { pending: 120, processing_time_p50_ms: 1, processing_time_p95_ms: 1, workers: 2, status: 'degraded' } }),
      'queue-pending',
      'pending jobs 120 > 50',
    ],
    [
      'security-checks',
      state('security', { ibkr_fa_scrubbing: { status: 'failing', severity: 'critical' } }),
      'security-check',
      'failing with critical/high findings',
    ],
    ['rate-limits', rateLimit(10, 3), 'rate-limit-429', 'recent HTTP 429s 3 > 0'],
  ];
  it.each(cases)('%s: %s', (section, polled, ruleId, reason) => {
    const { engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(polled);
    const alert = engine.list().find((a) => a.ruleId === ruleId);
    expect(alert).toMatchObject({ state: 'firing', section, reason });
  });
});

describe('AlertEngine: acknowledge, snooze and notification limits', () => {
  it('acknowledge marks the instance; snooze holds back notifications for the same problem after a refire', () => {
    const { clock, engine, notes } = setup({ pendingSeconds: 0 });
    engine.evaluate(rateLimit(90));
    const id = usageAlerts(engine)[0]!.id;
    expect(engine.acknowledge(id, 'alice')).toMatchObject({ acknowledgedBy: 'alice', acknowledgedAt: new Date(T0).toISOString() });
    expect(engine.snooze(id, 30).snoozedUntil).toBe(new Date(T0 + 30 * 60_000).toISOString());
    clock.t += 1000;
    engine.evaluate(rateLimit(10));
    clock.t += 11 * 60_000;
    engine.evaluate(rateLimit(90));
    expect(usageAlerts(engine)[0]).toMatchObject({ state: 'firing', acknowledgedAt: null, notified: 0 });
    expect(notes).toHaveLength(1);
    expect(() => engine.snooze(id, -1)).toThrow(/snooze minutes must be between 0 and/);
    expect(() => engine.acknowledge(id, 'x')).toThrow(/already resolved/);
    expect(() => engine.acknowledge('a-999', 'x')).toThrow(/no alert a-999/);
  });

  it('at most one notification per problem in 10 minutes, and a global cap per hour', () => {
    const { clock, engine, notes } = setup({ pendingSeconds: 0, notifications: { enabled: true, perAlertSeconds: 600, maxPerHour: 3 } });
    for (let i = 0; i < 4; i++) {
      engine.evaluate(rateLimit(90));
      clock.t += 1000;
      engine.evaluate(rateLimit(10));
      clock.t += 60_000;
    }
    expect(usageAlerts(engine).filter((a) => a.state === 'resolved')).toHaveLength(4);
    expect(notes).toHaveLength(1);
    for (const name of ['a', 'b', 'c', 'd', 'e']) engine.evaluate(rateLimit(90, 0, name));
    expect(notes).toHaveLength(3);
    expect(engine.suppressedNotifications).toBe(3 + 3);
  });
});

describe('effectiveRules: config overrides', () => {
  it('moves the clear line with the fire line when only fire is given', () => {
    const rules = effectiveRules({ ...DEFAULT_ALERTS_SETTINGS, rules: { 'rate-limit-usage': { fire: 0.9 } } });
    expect(rules.find((r) => r.id === 'rate-limit-usage')).toMatchObject({ fire: 0.9, clear: 0.85 });
  });
  it('refuses a clear line on the wrong side, an unknown rule, and drops a disabled one', () => {
    expect(() => effectiveRules({ ...DEFAULT_ALERTS_SETTINGS, rules: { 'rate-limit-usage': { fire: 0.8, clear: 0.9 } } })).toThrow(
      'alerts.rules.rate-limit-usage: clear (0.9) must be at or below fire (0.8)',
    );
    expect(() => effectiveRules({ ...DEFAULT_ALERTS_SETTINGS, rules: { 'sla-success-rate': { clear: 0.9 } } })).toThrow(/must be at or above fire/);
    expect(() => effectiveRules({ ...DEFAULT_ALERTS_SETTINGS, rules: { nope: {} } })).toThrow(/alerts.rules.nope: no such rule/);
    expect(effectiveRules({ ...DEFAULT_ALERTS_SETTINGS, rules: { 'rate-limit-429': { enabled: false } } }).some((r) => r.id === 'rate-limit-429')).toBe(false);
  });
});

describe('alert reasons in words', () => {
  it('a resolved alert states the true comparison of its last value', () => {
    const { clock, engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(rateLimit(90));
    clock.t += 1000;
    engine.evaluate(rateLimit(40));
    expect(usageAlerts(engine)[0]).toMatchObject({ state: 'resolved', reason: 'rate limit usage 40 % ≤ 80 %' });
  });

  // the incident timeline's "fired" line is read from these after the value has moved on
  it('keeps what it fired on, and for which item, while the value worsens and after it recovers', () => {
    const { clock, engine } = setup();
    engine.evaluate(rateLimit(90));
    clock.t += 10_000;
    engine.evaluate(rateLimit(92));
    const fired = { item: 'coingecko', firedReason: 'rate limit usage 92 % > 80 %', firedValue: 0.92 };
    expect(usageAlerts(engine)[0]).toMatchObject({ state: 'firing', ...fired });
    clock.t += 5_000;
    engine.evaluate(rateLimit(99));
    expect(usageAlerts(engine)[0]).toMatchObject({ state: 'firing', reason: 'rate limit usage 99 % > 80 %', value: 0.99, ...fired });
    clock.t += 5_000;
    engine.evaluate(rateLimit(40));
    expect(usageAlerts(engine)[0]).toMatchObject({ state: 'resolved', reason: 'rate limit usage 40 % ≤ 80 %', value: 0.4, ...fired });
  });
});

describe('AlertEngine: SLA items carry their own thresholds', () => {
  const sla = (p95: number, thresholdP95: number) =>
    state('sla', {
      coingecko: {
        status: 'HEALTHY',
        latency_p50_ms: 100,
        latency_p95_ms: p95,
        latency_p99_ms: 1000,
        success_rate: 0.99,
        thresholds: { latency_p95_ms: thresholdP95, latency_p99_ms: 5000, success_rate: 0.95 },
      },
    });
  const p95 = (engine: AlertEngine) => engine.list().filter((a) => a.ruleId === 'sla-latency-p95');

  it('fires on the item threshold the panel shows, not only on the runbook default', () => {
    const { engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(sla(1200, 1000)); // over its own 1000 ms, under the default 2000 ms
    expect(p95(engine).map((a) => a.state)).toEqual(['firing']);
    expect(p95(engine)[0]!.reason).toContain('1000');
    engine.evaluate(sla(850, 1000)); // back under 90 % of its own line: resolves
    expect(p95(engine).map((a) => a.state)).toEqual(['resolved']);
  });

  it('stays quiet for an item whose own line is above the value, even past the default', () => {
    const { engine } = setup({ pendingSeconds: 0 });
    engine.evaluate(sla(2500, 3000));
    expect(p95(engine)).toEqual([]);
  });

  it('a fire line set in the config wins over the item', () => {
    const { engine } = setup({ pendingSeconds: 0, rules: { 'sla-latency-p95': { fire: 2000 } } });
    engine.evaluate(sla(1200, 1000));
    expect(p95(engine)).toEqual([]);
  });
});
