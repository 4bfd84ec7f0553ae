import { describe, expect, it } from 'vitest';
import { bundledCatalog } from './Catalog';
import { interpretEffectCheck } from './effectCheck';

const show = (id: string, state: string, activeEnter: number, inactiveEnter = 0) =>
  `Id=${id}\nActiveState=${state}\nActiveEnterTimestampMonotonic=${activeEnter}\nInactiveEnterTimestampMonotonic=${inactiveEnter}\n\n`;

describe('interpretEffectCheck', () => {
  const started = { check: 'unit-started' as const, units: ['a', 'b'] };
  // host monotonic now = 100 s; the intent was 5 s ago on the console's clock
  it('settles a start only when every unit entered active after the intent', () => {
    expect(interpretEffectCheck(started, show('a.service', 'active', 97e6) + show('b.service', 'active', 96e6) + 'now=100000000\n', 5000)).toEqual({
      state: 'succeeded',
      evidence: 'verified: ActiveEnterTimestamp moved',
    });
    expect(interpretEffectCheck(started, show('a.service', 'active', 97e6) + show('b.service', 'active', 90e6) + 'now=100000000\n', 5000)).toEqual({
      state: 'failed',
      evidence: "verified: b.service's ActiveEnterTimestamp did not move",
    });
    expect(interpretEffectCheck(started, show('a.service', 'failed', 97e6) + 'now=100000000\n', 5000)).toEqual({
      state: 'failed',
      evidence: 'verified: a.service is failed',
    });
  });
  it('does not settle on a unit still on its way, or on output it cannot read', () => {
    expect(interpretEffectCheck(started, show('a.service', 'activating', 0) + 'now=100000000\n', 5000)).toBeNull();
    expect(interpretEffectCheck(started, 'garbage', 5000)).toBeNull();
    expect(interpretEffectCheck({ check: 'script', script: 'x', args: [] }, 'maybe\n', 5000)).toBeNull();
  });
  it('reads a stop and a script check', () => {
    expect(interpretEffectCheck({ check: 'unit-stopped', units: ['a'] }, show('a.service', 'inactive', 1e6, 99e6) + 'now=100000000\n', 5000)).toEqual({
      state: 'succeeded',
      evidence: 'verified: InactiveEnterTimestamp moved',
    });
    expect(interpretEffectCheck({ check: 'script', script: 'x', args: [] }, 'not done: worker:q holds 3 jobs\n', 5000)).toEqual({
      state: 'failed',
      evidence: 'verified: worker:q holds 3 jobs',
    });
  });
});

it('every bundled action that changes a host says how its effect is checked, or why it cannot be', () => {
  const catalog = bundledCatalog();
  const missing = catalog
    .list()
    .filter((a) => a.risk !== 'read-only' && !catalog.get(a.id)!.effect)
    .map((a) => a.id);
  expect(missing).toEqual([]);
});
