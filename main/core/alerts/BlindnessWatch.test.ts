// Blindness as alerts: endpoint states as the HealthPoller reports them after each kind of fault
// (HTTP 500, a hang, a reset, bad JSON all end as status "error" with their kind), and data that
// grows stale with no poll at all. The clock is driven by the test; the timer tick is real.
import { describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import type { AlertNotification, AlertRecord } from '../../../common/thresholds';
import { isoAt } from '../clock';
import { DEFAULT_ALERTS_SETTINGS } from './alertRules';
import { AlertEngine } from './AlertEngine';
import { BLIND_PENDING_MS } from './blindness';
import { BlindnessWatch } from './BlindnessWatch';

const T0 = Date.parse('2026-11-26T12:00:00Z');

function setup() {
  const clock = {
    t: T0,
    now() {
      return this.t;
    },
  };
  const changes: AlertRecord[] = [];
  const notes: AlertNotification[] = [];
  const engine = new AlertEngine({
    settings: DEFAULT_ALERTS_SETTINGS,
    clock,
    onChange: (a) => changes.push(a),
    onNotify: (n) => notes.push(n),
    deploymentName: (id) => `Deployment ${id}`,
  });
  const timers = { setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
  const watch = new BlindnessWatch({ alerts: engine, clock, timers, tickMs: 20 });
  return { clock, engine, changes, notes, watch };
}

function polled(endpoint: EndpointState['endpoint'], now: number, fault: EndpointState['error'], lastGoodAt: number | null): EndpointState {
  return {
    deploymentId: 'prod' as DeploymentId,
    endpoint,
    status: fault ? 'error' : 'ok',
    error: fault,
    polledAt: isoAt(now),
    lastGoodAt: lastGoodAt === null ? null : isoAt(lastGoodAt),
    intervalMs: 5000,
    nextPollAt: null,
    latencyMs: 3,
    meta: {},
    items: {},
  };
}

describe('blindness is an alert', () => {
  it('an endpoint that cannot be read is pending, then firing and notified, with its reason; it resolves when it answers', () => {
    const { clock, engine, notes, watch } = setup();
    watch.observe(polled('sla', clock.t, null, clock.t));
    expect(engine.list()).toEqual([]);
    const faults: NonNullable<EndpointState['error']>[] = [
      { kind: 'http', message: 'HTTP 500' },
      { kind: 'timeout', message: 'no answer in 5 s' },
      { kind: 'reset', message: 'socket hang up' },
      { kind: 'bad-json', message: 'body is not JSON' },
    ];
    const lastGood = clock.t;
    for (let t = 5000; t <= BLIND_PENDING_MS + 5000; t += 5000) {
      clock.t = T0 + t;
      watch.observe(polled('sla', clock.t, faults[(t / 5000) % 4]!, lastGood));
      if (t < BLIND_PENDING_MS) expect(engine.list().find((a) => a.ruleId === 'api-unreadable')?.state).toBe('pending');
    }
    const blind = engine.list().find((a) => a.ruleId === 'api-unreadable')!;
    expect(blind).toMatchObject({
      state: 'firing',
      endpoint: 'sla',
      section: 'sla-violations',
      title: 'health API cannot be read',
      severity: 'warning',
      pendingSince: isoAt(T0 + 5000),
    });
    expect(blind.reason).toMatch(/^sla cannot be read \(.+\); last good data 35 s ago$/);
    expect(notes.map((n) => n.title)).toContain('Warning: Deployment prod: sla health API cannot be read');
    // the data behind it went stale too: its own alert
    expect(engine.list().find((a) => a.ruleId === 'data-stale')).toMatchObject({
      state: 'firing',
      reason: 'sla data is 35 s old (more than 2 poll intervals of 5 s)',
    });

    clock.t += 5000;
    watch.observe(polled('sla', clock.t, null, clock.t));
    expect(engine.list().filter((a) => a.state !== 'resolved')).toEqual([]);
    expect(engine.list().find((a) => a.ruleId === 'api-unreadable')).toMatchObject({ state: 'resolved', reason: 'sla answers again' });
  });

  it('a single failed poll does not fire', () => {
    const { clock, engine, notes, watch } = setup();
    watch.observe(polled('workers', clock.t, { kind: 'http', message: 'HTTP 500' }, clock.t - 1000));
    clock.t += 5000;
    watch.observe(polled('workers', clock.t, null, clock.t));
    expect(notes).toEqual([]);
    expect(engine.list().filter((a) => a.state === 'firing')).toEqual([]);
  });

  it('data that grows stale with no poll at all raises its alert on the tick', async () => {
    const { clock, engine, watch } = setup();
    watch.observe(polled('brokers', clock.t, null, clock.t));
    watch.start();
    clock.t += 11_000;
    await new Promise((r) => setTimeout(r, 100));
    watch.stop();
    expect(engine.list().find((a) => a.ruleId === 'data-stale')).toMatchObject({
      state: 'firing',
      section: 'broker-connectivity',
      reason: 'brokers data is 11 s old (more than 2 poll intervals of 5 s)',
    });
  });
});
