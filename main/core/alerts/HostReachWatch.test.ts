// HostReachWatch through the real AlertEngine: which link states say a host cannot be reached,
// and that the tick fires a host whose next attempt lies beyond the pending time. The link states
// are written here; hostUnreachable.int.test.ts produces them with a real sshd.
import { describe, expect, it } from 'vitest';
import type { ConnectionState, HostId } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { AlertEngine } from './AlertEngine';
import { DEFAULT_ALERTS_SETTINGS } from './alertRules';
import { HostReachWatch, hostReach } from './HostReachWatch';

const T0 = Date.parse('2026-12-06T12:00:00Z');
const link = (patch: Partial<ConnectionState>): ConnectionState => ({
  hostId: 'web-1' as HostId,
  state: 'connected',
  attempt: 0,
  nextRetryAt: null,
  error: null,
  since: new Date(T0).toISOString(),
  ...patch,
});

describe('hostReach', () => {
  it('a first attempt says nothing; a retry after an error, a failure or a frozen link holds; connected clears', () => {
    expect(hostReach(link({ state: 'connecting' }), 'Web 1', T0)).toBeNull();
    expect(hostReach(link({ state: 'idle' }), 'Web 1', T0)).toBeNull();
    const retry = hostReach(
      link({ state: 'connecting', error: 'connect ECONNREFUSED 10.0.0.1:22', attempt: 3, nextRetryAt: '2026-12-06T12:00:08.000Z' }),
      'Web 1',
      T0,
    );
    expect(retry).toMatchObject({ holds: true, hostId: 'web-1', deploymentId: null, endpoint: null, section: null });
    expect(retry!.reason).toBe('Web 1 cannot be reached: connect ECONNREFUSED 10.0.0.1:22; next attempt 12:00:08 UTC (attempt 3)');
    expect(hostReach(link({ state: 'unresponsive', error: 'no answer for 9 s' }), 'Web 1', T0 + 9000)!.reason).toMatch(/link unresponsive for 9 s/);
    expect(hostReach(link({ state: 'failed', error: 'host key mismatch' }), 'Web 1', T0)!.reason).toMatch(/host key mismatch; no retry/);
    expect(hostReach(link({}), 'Web 1', T0)).toMatchObject({ holds: false, reason: 'Web 1 answers again' });
  });
});

describe('HostReachWatch', () => {
  it('fires on its tick once the pending time has passed, though no new link state came', () => {
    const clock = { t: T0, now: () => clock.t };
    const changes: AlertRecord[] = [];
    const notes: string[] = [];
    const engine = new AlertEngine({
      settings: DEFAULT_ALERTS_SETTINGS,
      clock,
      onChange: (a) => changes.push(a),
      onNotify: (n) => notes.push(n.title),
      hostLabel: () => 'Web 1',
    });
    const ticks: (() => void)[] = [];
    const watch = new HostReachWatch({
      alerts: engine,
      clock,
      timers: { setTimeout: (cb) => ticks.push(cb), clearTimeout: () => {} },
      hostLabel: () => 'Web 1',
      pendingMs: 30_000,
    });
    watch.start();
    watch.observe(link({ state: 'connecting', error: 'connect ETIMEDOUT', attempt: 5, nextRetryAt: '2026-12-06T12:01:00.000Z' }));
    expect(engine.list()[0]).toMatchObject({ state: 'pending', hostId: 'web-1' });
    clock.t += 31_000;
    ticks.shift()!();
    expect(engine.list()[0]).toMatchObject({ state: 'firing', severity: 'critical', title: 'cannot be reached' });
    expect(notes).toEqual(['CRITICAL: host Web 1: cannot be reached']);
    watch.forget('web-1');
    expect(engine.list()[0]).toMatchObject({ state: 'resolved', reason: 'Web 1 left the fleet' });
  });
});
