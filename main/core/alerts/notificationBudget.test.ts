// The notification budget under a flood, through the real AlertEngine and AlertFolder wired as
// the app wires them: a fold wakes the engineer once for its group, and alerts nobody will see
// on their own (held back under a fold, acknowledged, snoozed) never spend the hour's budget, so
// the next real problem still gets through.
import { describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import type { AlertNotification, AlertRecord } from '../../../common/thresholds';
import { HistoryStore } from '../health/history/HistoryStore';
import { AlertEngine } from './AlertEngine';
import { AlertFolder } from './AlertFolder';
import { historyAndAlertHandlers } from './alertHandlers';
import { DEFAULT_ALERTS_SETTINGS } from './alertRules';

const T0 = Date.parse('2026-12-06T12:00:00Z');
const BUDGET = 15;

function setup(pendingSeconds: number) {
  const clock = {
    t: T0,
    now() {
      return this.t;
    },
  };
  const notes: AlertNotification[] = [];
  const shown = new Map<string, AlertRecord>();
  const folder: AlertFolder = new AlertFolder({
    clock,
    onChange: (a) => shown.set(a.id, a),
    onNotify: (n) => notes.push(n),
    takeNotification: (key) => engine.takeNotification(key),
  });
  const engine: AlertEngine = new AlertEngine({
    settings: { ...DEFAULT_ALERTS_SETTINGS, pendingSeconds, notifications: { enabled: true, perAlertSeconds: 600, maxPerHour: BUDGET } },
    clock,
    onChange: folder.change,
    onNotify: folder.notify,
    shownAlone: folder.shownAlone,
  });
  const handlers = historyAndAlertHandlers({ history: new HistoryStore(), alerts: engine, folder, user: 'oncall', hasDeployment: () => true });
  const active = () => [...shown.values()].filter((a) => a.state !== 'resolved');
  return { clock, engine, handlers, notes, active };
}

function rateLimits(deploymentId: string, names: readonly string[], used: number): EndpointState {
  const item = { used, limit: 100, remaining: 100 - used, window_seconds: 60, reset_at: '2026-12-06T12:01:00Z', recent_429: 0 };
  return {
    deploymentId: deploymentId as DeploymentId,
    endpoint: 'rateLimits',
    status: 'ok',
    error: null,
    polledAt: null,
    lastGoodAt: null,
    intervalMs: 5000,
    nextPollAt: null,
    latencyMs: 3,
    meta: {},
    items: Object.fromEntries(names.map((n) => [n, { ok: true, value: item }])),
  };
}

const flood = Array.from({ length: 500 }, (_, i) => `source_${i}`);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('notification budget under a flood', () => {
  it('500 failing items send the ten shown ones and one for the fold; the next problem still notifies', async () => {
    const { engine, notes } = setup(0);
    engine.evaluate(rateLimits('prod', flood, 95));
    await settle();
    const folds = notes.filter((n) => n.title.includes('500 items failing'));
    expect(folds).toHaveLength(1);
    expect(notes).toHaveLength(11);
    // the 490 held back were never offered to the limiter: nothing counted as held back either
    expect(engine.suppressedNotifications).toBe(0);

    engine.evaluate(rateLimits('staging', ['source_a', 'source_b'], 95));
    await settle();
    expect(notes.slice(11).map((n) => n.title)).toEqual(['Warning: staging: source_a rate limit usage', 'Warning: staging: source_b rate limit usage']);
  });

  it('a second flood past the budget is held back and counted, never sent', async () => {
    const { engine, notes } = setup(0);
    for (const d of ['a', 'b']) engine.evaluate(rateLimits(d, flood.slice(0, 12), 95));
    await settle();
    // a: 10 shown + fold = 11; b: 4 more reach the budget of 15, the rest are counted
    expect(notes).toHaveLength(BUDGET);
    expect(engine.suppressedNotifications).toBe(7);
  });

  it('acknowledged and snoozed alerts fire without spending the budget', async () => {
    const { clock, engine, handlers, notes, active } = setup(30);
    engine.evaluate(rateLimits('prod', flood.slice(0, 40), 95));
    engine.evaluate(rateLimits('staging', ['source_x'], 95));
    await settle();
    const fold = active().find((a) => a.item === '*')!;
    await handlers.acknowledgeAlert({ id: fold.id as AlertRecord['id'] });
    const lone = active().find((a) => a.deploymentId === 'staging')!;
    await handlers.snoozeAlert({ id: lone.id as AlertRecord['id'], minutes: 60 });

    clock.t += 31_000;
    engine.evaluate(rateLimits('prod', flood.slice(0, 40), 95));
    engine.evaluate(rateLimits('staging', ['source_x'], 95));
    await settle();
    expect(active().filter((a) => a.state === 'firing').length).toBeGreaterThan(10);
    expect(notes).toEqual([]);
    expect(engine.suppressedNotifications).toBe(0);

    // the whole budget is still there for what nobody has looked at yet
    engine.evaluate(rateLimits('canary', flood.slice(0, BUDGET - 1), 95));
    clock.t += 31_000;
    engine.evaluate(rateLimits('canary', flood.slice(0, BUDGET - 1), 95));
    await settle();
    expect(notes).toHaveLength(11);
    expect(notes.some((n) => n.title.includes('14 items failing'))).toBe(true);
  });
});
