// Feeds the blindness conditions to the alert engine: on every poll (good or failed), and on a
// tick, so data that goes stale because no poll comes at all still raises its alert.
import type { EndpointState } from '../../../common/contract';
import type { Clock, Timers } from '../clock';
import { blindness, type Condition } from './blindness';

export interface BlindnessWatchDeps {
  alerts: { observe(condition: Condition): void };
  clock: Clock;
  timers: Timers;
  /** how often staleness is looked at between polls */
  tickMs?: number;
  /** how long an endpoint fails before its alert fires (blindness.ts's default unless given) */
  pendingMs?: number;
}

export class BlindnessWatch {
  private readonly latest = new Map<string, EndpointState>();
  private timer: unknown = null;

  constructor(private readonly deps: BlindnessWatchDeps) {}

  observe(state: EndpointState): void {
    this.latest.set(`${state.deploymentId}/${state.endpoint}`, state);
    for (const c of blindness(state, this.deps.clock.now(), this.deps.pendingMs)) this.deps.alerts.observe(c);
  }

  /** Stop watching a deployment that left the fleet (its alerts resolve). */
  forget(deploymentId: string): void {
    for (const [key, state] of this.latest) {
      if (state.deploymentId !== deploymentId) continue;
      this.latest.delete(key);
      for (const c of blindness(state, this.deps.clock.now())) this.deps.alerts.observe({ ...c, holds: false, reason: `${deploymentId} left the fleet` });
    }
  }

  start(): void {
    const tick = () => {
      const now = this.deps.clock.now();
      for (const state of this.latest.values())
        for (const c of blindness(state, now, this.deps.pendingMs)) if (c.ruleId === 'data-stale') this.deps.alerts.observe(c);
      this.timer = this.deps.timers.setTimeout(tick, this.deps.tickMs ?? 5_000);
    };
    this.timer ??= this.deps.timers.setTimeout(tick, this.deps.tickMs ?? 5_000);
  }

  stop(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
