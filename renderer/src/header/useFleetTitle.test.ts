import { describe, expect, it } from 'vitest';
import { fleetTitle } from './useFleetTitle';

describe('window title', () => {
  it('leads with failing and warning deployment counts', () => {
    expect(fleetTitle({ fail: 2, warn: 1, unknown: 0, ok: 4 }, false)).toBe('■ 2 failing · ▲ 1 warning — Opsdeck');
  });
  it('says all ok only when every deployment is known and ok, and marks the demo', () => {
    expect(fleetTitle({ fail: 0, warn: 0, unknown: 0, ok: 3 }, true)).toBe('● all ok — Opsdeck (DEMO)');
    expect(fleetTitle({ fail: 0, warn: 0, unknown: 1, ok: 3 }, false)).toBe('◌ 1 blind/unknown — Opsdeck');
  });
  it('counts deployments the console cannot read apart from ok and next to failing ones', () => {
    expect(fleetTitle({ fail: 1, warn: 0, unknown: 2, ok: 0 }, false)).toBe('■ 1 failing · ◌ 2 blind/unknown — Opsdeck');
  });
});
