import type { BreakerItem } from '../common/health';

export type BreakerState = BreakerItem['state'];

export interface BreakerConfig {
  readonly failureThreshold: number;
  readonly recoveryTimeoutSeconds: number;
  /** While CLOSED and the upstream is failing, one counted failure per this many seconds. */
  readonly failureIntervalSeconds: number;
  /** How long after entering HALF_OPEN the trial request completes. */
  readonly trialDelaySeconds: number;
}

interface Upstream {
  failing: boolean;
  reason: string;
}

// Guards against a clock that jumps by years: at >= 35 s per OPEN/HALF_OPEN cycle this
// covers more than a month of simulated time, far beyond any gap between two requests.
const MAX_TRANSITIONS_PER_ADVANCE = 100_000;

/**
 * One circuit breaker of the autotrader API, as the runbook describes it: failures while
 * CLOSED trip it to OPEN at the threshold; OPEN moves to HALF_OPEN after the recovery timeout;
 * the HALF_OPEN trial request closes it when the upstream is healthy and re-opens it when not.
 * Transitions are computed lazily from the injected time on every read, so the machine needs
 * no timers and a test can jump the clock.
 */
export class CircuitBreaker {
  state: BreakerState = 'CLOSED';
  failureCount = 0;
  openedAt: number | null = null;
  halfOpenAt: number | null = null;
  lastFailure: string | null = null;
  private lastEventAt: number;
  private upstream: Upstream = { failing: false, reason: '' };

  constructor(
    readonly name: string,
    readonly config: BreakerConfig,
    now: number,
  ) {
    this.lastEventAt = now;
  }

  /** Apply every transition due at or before `now`. */
  advance(now: number): void {
    for (let i = 0; i < MAX_TRANSITIONS_PER_ADVANCE; i++) {
      const at = this.nextEventAt();
      if (at === null || at > now) return;
      this.fire(at);
    }
  }

  /** Tell the breaker whether calls to its upstream now fail (scenario change). */
  setUpstream(now: number, failing: boolean, reason = 'upstream error'): void {
    this.advance(now);
    this.upstream = { failing, reason };
    this.lastEventAt = now;
  }

  get upstreamFailing(): boolean {
    return this.upstream.failing;
  }

  /** Manual reset, as `breaker.reset()` in the runbook or the API's reset endpoint. */
  reset(now: number): void {
    this.advance(now);
    this.state = 'CLOSED';
    this.failureCount = 0;
    this.openedAt = null;
    this.halfOpenAt = null;
    this.lastEventAt = now;
  }

  /** Put the breaker straight into a state (scenario entry, the control API's flips). */
  force(now: number, state: BreakerState, opts: { failureCount?: number; lastFailure?: string } = {}): void {
    this.advance(now);
    this.state = state;
    this.lastEventAt = now;
    if (opts.lastFailure !== undefined) this.lastFailure = opts.lastFailure;
    if (state === 'CLOSED') {
      this.failureCount = opts.failureCount ?? 0;
      this.openedAt = null;
      this.halfOpenAt = null;
      return;
    }
    this.failureCount = opts.failureCount ?? Math.max(this.failureCount, this.config.failureThreshold);
    this.openedAt = now;
    this.halfOpenAt = state === 'HALF_OPEN' ? now : null;
    if (this.lastFailure === null) this.lastFailure = this.upstream.reason || 'upstream error';
  }

  snapshot(now: number): BreakerItem {
    this.advance(now);
    return {
      state: this.state,
      failure_count: this.failureCount,
      failure_threshold: this.config.failureThreshold,
      recovery_timeout_seconds: this.config.recoveryTimeoutSeconds,
      opened_at: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
      last_failure: this.lastFailure,
    };
  }

  private nextEventAt(): number | null {
    const c = this.config;
    switch (this.state) {
      case 'CLOSED':
        return this.upstream.failing ? this.lastEventAt + c.failureIntervalSeconds * 1000 : null;
      case 'OPEN':
        return (this.openedAt ?? this.lastEventAt) + c.recoveryTimeoutSeconds * 1000;
      case 'HALF_OPEN':
        return (this.halfOpenAt ?? this.lastEventAt) + c.trialDelaySeconds * 1000;
    }
  }

  private fire(at: number): void {
    this.lastEventAt = at;
    switch (this.state) {
      case 'CLOSED':
        this.failureCount += 1;
        this.lastFailure = this.upstream.reason;
        if (this.failureCount >= this.config.failureThreshold) {
          this.state = 'OPEN';
          this.openedAt = at;
        }
        return;
      case 'OPEN':
        this.state = 'HALF_OPEN';
        this.halfOpenAt = at;
        return;
      case 'HALF_OPEN':
        if (this.upstream.failing) {
          this.state = 'OPEN';
          this.openedAt = at;
          this.halfOpenAt = null;
          this.failureCount += 1;
          this.lastFailure = this.upstream.reason;
        } else {
          this.state = 'CLOSED';
          this.failureCount = 0;
          this.openedAt = null;
          this.halfOpenAt = null;
        }
        return;
    }
  }
}
