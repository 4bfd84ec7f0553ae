import { describe, expect, it } from 'vitest';
import { fleetTitle } from './useFleetTitle';

describe('window title', () => {
  it('leads with failing and warning deployment counts', () => {
    expect(fleetTitle({ fail: 2, warn: 1, unknown: 0, ok: 4 }, false)).toBe('■ 2 failing · ▲ 1 warning — Opsdeck');
  });
  it('says all ok only when every deployment is known and ok, and marks the demo', () => {
    expect(fleetTitle({ fail: 0, warn: 0, unknown: 0, ok: 3 }, true)).toBe('● all ok — Opsdeck (DEMO)');
    expect(fleetTitle({ fail: 0, warn: 0, unknown: 1, ok: 3 }, false)).toBe('Opsdeck');
  });
});
