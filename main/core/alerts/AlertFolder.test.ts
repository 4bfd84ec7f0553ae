// A flood of item alerts through the real AlertEngine and the folder after it: what reaches the
// page (records and notifications) stays bounded, and nothing failing is shown as fine.
import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../../common/thresholds';
import { HOSTILE_VALID_NAMES } from '../../../common/hostileNames.fixture';
import { rateLimitsPoll, wireAlerts } from './alertsAsWired.fixture';

const T0 = Date.parse('2026-11-26T12:00:00Z');

function setup(bound = 10, pendingSeconds = 0) {
  return wireAlerts({ t0: T0, bound, pendingSeconds });
}

function rateLimits(names: readonly string[], used: (name: string) => number, deploymentId = 'prod') {
  return rateLimitsPoll(deploymentId, names, used, '2026-11-26T12:01:00Z');
}

const names = Array.from({ length: 500 }, (_, i) => `source_${i}`);

describe('AlertFolder', () => {
  it('folds 500 failing items of one endpoint into the first ten and one "500 items failing" alert', async () => {
    const { engine, active, notes, records } = setup();
    engine.evaluate(rateLimits(names, () => 95));
    await Promise.resolve();
    engine.evaluate(rateLimits(names, () => 96));
    await Promise.resolve();
    const list = active();
    expect(list).toHaveLength(11);
    const fold = list.find((a) => a.item === '*')!;
    expect(fold).toMatchObject({ state: 'firing', title: '500 items failing', value: 500, severity: 'warning' });
    expect(fold.reason).toMatch(/^490 not listed one by one: source_10, source_11, source_12, source_13, source_14 and 485 more$/);
    expect(notes).toHaveLength(11);
    expect(notes.at(-1)!.title).toBe('Warning: Deployment prod: 500 items failing (rateLimits)');
    // a poll with the values moved sends the ten shown and nothing for the 490 held back
    expect(records()).toBeLessThan(40);
    // the engine still knows every one of them: the record (incident export) is complete
    expect(engine.list().filter((a) => a.state === 'firing')).toHaveLength(500);
  });

  it('lists for the page what it pushed: held-back alerts left out, the fold in', async () => {
    const { engine, folder } = setup();
    engine.evaluate(rateLimits(names, () => 95));
    await Promise.resolve();
    const listed = folder.list(engine.list());
    expect(listed.filter((a) => a.state !== 'resolved')).toHaveLength(11);
    expect(listed[0]!.title).toBe('500 items failing');
  });

  it('keeps each deployment and endpoint its own group', () => {
    const { engine, active } = setup();
    engine.evaluate(rateLimits(names.slice(0, 8), () => 95, 'a'));
    engine.evaluate(rateLimits(names.slice(0, 8), () => 95, 'b'));
    expect(active()).toHaveLength(16);
    expect(active().some((a) => a.item === '*')).toBe(false);
  });

  it('shows the rest on their own again and ends the fold when the flood recedes, and resolves everything when it is over', () => {
    const { engine, active } = setup();
    engine.evaluate(rateLimits(names, () => 95));
    // most recover; five of the held-back ones still fail
    const still = new Set(names.slice(100, 105));
    engine.evaluate(rateLimits(names, (n) => (still.has(n) ? 95 : 10)));
    const left = active();
    expect(left.map((a) => a.item).sort()).toEqual([...still].sort());
    engine.evaluate(rateLimits(names, () => 10));
    expect(active()).toEqual([]);
  });

  it('acknowledges every alert a fold stands for through the contract call', async () => {
    const { engine, handlers, active } = setup();
    engine.evaluate(rateLimits(names.slice(0, 30), () => 95));
    const fold = active().find((a) => a.item === '*')!;
    const acked = await handlers.acknowledgeAlert({ id: fold.id as AlertRecord['id'] });
    expect(acked.acknowledgedBy).toBe('oncall');
    expect(engine.list().filter((a) => a.state === 'firing' && a.acknowledgedBy !== 'oncall')).toEqual([]);
  });

  it('folds hostile item names like any other', async () => {
    const { engine, active } = setup(3);
    engine.evaluate(rateLimits(HOSTILE_VALID_NAMES, () => 95));
    await Promise.resolve();
    const fold = active().find((a) => a.item === '*')!;
    expect(fold.title).toBe(`${HOSTILE_VALID_NAMES.length} items failing`);
    expect(active()).toHaveLength(4);
  });

  it('notifies once for a fold that opened while its members were pending, when they fire', async () => {
    const { clock, notes, engine: pendingEngine } = setup(10, 10);
    pendingEngine.evaluate(rateLimits(names.slice(0, 30), () => 95));
    await Promise.resolve();
    expect(notes).toEqual([]);
    clock.t += 10_000;
    pendingEngine.evaluate(rateLimits(names.slice(0, 30), () => 95));
    await Promise.resolve();
    expect(notes.filter((n) => n.title.includes('30 items failing'))).toHaveLength(1);
    clock.t += 5_000;
    pendingEngine.evaluate(rateLimits(names.slice(0, 30), () => 96));
    await Promise.resolve();
    expect(notes.filter((n) => n.title.includes('items failing'))).toHaveLength(1);
  });
});
