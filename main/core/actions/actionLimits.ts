// The bounds every run keeps: how many hosts, how long a preview lives, how much output is held
// for the view. ActionService takes these defaults; tests and benches pass their own to it.
export interface ActionLimits {
  /** hosts running at once within one run */
  concurrency: number;
  /** most hosts one run may touch (an action's own maxHosts may lower it) */
  maxHosts: number;
  previewTtlMs: number;
  /** open previews kept; beyond it the oldest are forgotten (a hostile renderer cannot fill memory) */
  maxOpenPreviews: number;
  outputIntervalMs: number;
  /**
   * a follow's batch: at most this many lines go to the view per interval, and while more are
   * held its channel is not read (back-pressure); nothing is dropped
   */
  maxBufferedLines: number;
  /**
   * lines held for an action that ends by itself (a tail of 5000 lines): higher, so what the
   * engineer asked for arrives whole; beyond it the oldest are dropped and counted
   */
  maxBufferedLinesFinite: number;
  /** extra time past an action's timeout before the run stops waiting on the executor */
  timeoutGraceMs: number;
  /** a resumable follow: reconnect attempts in a row without an entry getting through */
  maxResumes: number;
  resumeDelayMs: number;
  resumeMaxDelayMs: number;
}

export const DEFAULT_LIMITS: ActionLimits = {
  concurrency: 20,
  maxHosts: 50,
  previewTtlMs: 5 * 60_000,
  maxOpenPreviews: 200,
  outputIntervalMs: 100,
  maxBufferedLines: 4000,
  maxBufferedLinesFinite: 10_000,
  timeoutGraceMs: 10_000,
  maxResumes: 8,
  resumeDelayMs: 500,
  resumeMaxDelayMs: 10_000,
};
