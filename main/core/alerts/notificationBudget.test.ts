// The notification budget under a flood, through the real AlertEngine and AlertFolder wired as
// the app wires them: a fold wakes the engineer once for its group, and alerts nobody will see
// on their own (held back under a fold, acknowledged, snoozed) never spend the hour's budget, so
// the next real problem still gets through.
import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../../common/thresholds';
import { rateLimitsPoll, wireAlerts } from './alertsAsWired.fixture';

const T0 = Date.parse('2026-12-06T12:00:00Z');
const BUDGET = 15;

function setup(pendingSeconds: number) {
  return wireAlerts({ t0: T0, pendingSeconds, maxPerHour: BUDGET });
}

function rateLimits(deploymentId: string, names: readonly string[], used: number) {
  return rateLimitsPoll(deploymentId, names, used, '2026-12-06T12:01:00Z');
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
    expect(notes.slice(11).map((n) => n.title)).toEqual([
      'Warning: Deployment staging: source_a rate limit usage',
      'Warning: Deployment staging: source_b rate limit usage',
    ]);
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
