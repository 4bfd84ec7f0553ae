// A host the console cannot reach is an alert like any other: its SSH link failing (sshd killed
// or refusing, the host powered off) or frozen ("unresponsive") for longer than the pending time
// raises a host-level alert naming the link error and the next attempt; the link answering
// again resolves it. Fed by the pool's connection states, and by a tick, so a host whose next
// attempt lies beyond the pending time still fires on time.
import { linkUnreachable, type ConnectionState } from '../../../common/contract';
import type { Clock, Timers } from '../clock';
import type { Condition } from './blindness';

/** a link that fails this long is an alert: a single refused attempt or a brief blip is not yet */
export const HOST_UNREACHABLE_PENDING_MS = 30_000;

export interface HostReachWatchDeps {
  alerts: { observe(condition: Condition): void };
  clock: Clock;
  timers: Timers;
  hostLabel: (hostId: string) => string;
  pendingMs?: number;
  /** how often a failing host is looked at between connection changes */
  tickMs?: number;
}

const clockOf = (iso: string) => iso.slice(11, 19);

/** The host's reachability as a condition; null while it says nothing new (connecting, idle). */
export function hostReach(state: ConnectionState, label: string, now: number, pendingMs = HOST_UNREACHABLE_PENDING_MS): Condition | null {
  const base = {
    key: `host:${state.hostId}/host-unreachable/${state.hostId}`,
    deploymentId: null,
    endpoint: null,
    hostId: state.hostId as string,
    ruleId: 'host-unreachable' as const,
    item: label,
    section: null,
    title: 'cannot be reached',
    severity: 'critical' as const,
    pendingMs,
  };
  if (state.state === 'connected') return { ...base, holds: false, reason: `${label} answers again` };
  if (!linkUnreachable(state)) return null;
  const since = Math.max(0, Math.round((now - Date.parse(state.since)) / 1000));
  const why = state.state === 'unresponsive' ? `link unresponsive for ${since} s` : (state.error ?? 'connection failed');
  const next = state.nextRetryAt
    ? `next attempt ${clockOf(state.nextRetryAt)} UTC`
    : state.state === 'connecting'
      ? 'trying now'
      : state.state === 'failed'
        ? 'no retry (Retry in the Hosts view)'
        : 'waiting for the link';
  return { ...base, holds: true, reason: `${label} cannot be reached: ${why}; ${next} (attempt ${state.attempt})` };
}

export class HostReachWatch {
  /** hosts whose last word was failing, to re-check on the tick */
  private readonly failing = new Map<string, ConnectionState>();
  private timer: unknown = null;

  constructor(private readonly deps: HostReachWatchDeps) {}

  observe(state: ConnectionState): void {
    const c = hostReach(state, this.deps.hostLabel(state.hostId), this.deps.clock.now(), this.deps.pendingMs);
    if (!c) return;
    if (c.holds) this.failing.set(state.hostId, state);
    else this.failing.delete(state.hostId);
    this.deps.alerts.observe(c);
  }

  /** A host left the fleet: its alert resolves. */
  forget(hostId: string): void {
    const state = this.failing.get(hostId);
    if (!state) return;
    this.failing.delete(hostId);
    const c = hostReach(state, this.deps.hostLabel(hostId), this.deps.clock.now(), this.deps.pendingMs);
    if (c) this.deps.alerts.observe({ ...c, holds: false, reason: `${c.item} left the fleet` });
  }

  start(): void {
    const tick = () => {
      for (const state of [...this.failing.values()]) this.observe(state);
      this.timer = this.deps.timers.setTimeout(tick, this.deps.tickMs ?? 5_000);
    };
    this.timer ??= this.deps.timers.setTimeout(tick, this.deps.tickMs ?? 5_000);
  }

  stop(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
