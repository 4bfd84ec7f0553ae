// The handshake gate: how many SSH handshakes run at once. A handshake takes a slot and gives
// it back when it ends; the cap shrinks while the event loop stalls and grows back when it
// keeps up, so a fleet connecting at once never freezes the console.
import { systemTimers } from '../clock';
import type { SshLogger } from './types';

const DEFAULT_MAX_HANDSHAKES = 16;
const DEFAULT_LAG_LIMIT_MS = 100;
/** the lag sampler's period, and how many samples make one window for raising the cap */
const LAG_SAMPLE_MS = 20;
const LAG_WINDOW_SAMPLES = 10;
const MIN_ADAPTIVE_HANDSHAKES = 2;

export interface HandshakeGateDeps {
  logger: SshLogger;
  /** handshakes in flight at once (default 16); the most the adaptive cap grows back to */
  maxConcurrentHandshakes?: number;
  /** a stall longer than this halves the cap; 0 keeps it fixed (default 100 ms) */
  handshakeLagLimitMs?: number;
}

export class HandshakeGate {
  private readonly logger: SshLogger;
  private readonly maxHandshakes: number;
  private handshakes = 0;
  /** the cap now: maxHandshakes, lowered while the event loop stalls (handshakeLagLimitMs) */
  private handshakeCap: number;
  private readonly lagLimitMs: number;
  private lagTimer: unknown = null;
  /** the lowest the cap went since the last time no handshake ran (for the bench and the log) */
  private lowestCap: number;
  private readonly handshakeQueue: (() => void)[] = [];
  private closed = false;

  constructor(deps: HandshakeGateDeps) {
    this.logger = deps.logger;
    this.maxHandshakes = Math.max(1, deps.maxConcurrentHandshakes ?? DEFAULT_MAX_HANDSHAKES);
    this.handshakeCap = this.maxHandshakes;
    this.lowestCap = this.maxHandshakes;
    this.lagLimitMs = Math.max(0, deps.handshakeLagLimitMs ?? DEFAULT_LAG_LIMIT_MS);
  }

  /** The handshake cap now and the lowest it went during the current burst of handshakes. */
  load(): { cap: number; lowestCap: number; running: number; queued: number } {
    return { cap: this.handshakeCap, lowestCap: this.lowestCap, running: this.handshakes, queued: this.handshakeQueue.length };
  }

  /** Waits for a slot; the returned function gives it back (calling it twice is harmless). */
  async slot(): Promise<() => void> {
    this.startLagWatch();
    // a waiter is woken with its slot already counted (pump)
    if (this.handshakes >= this.handshakeCap) await new Promise<void>((r) => this.handshakeQueue.push(r));
    else this.handshakes++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handshakes--;
      this.pump();
    };
  }

  /** The pool is closing: wake every waiter (each then runs into the closed check and fails). */
  close(): void {
    this.closed = true;
    for (const next of this.handshakeQueue.splice(0)) {
      this.handshakes++;
      next();
    }
    this.stopLagWatch();
  }

  private pump(): void {
    while (this.handshakes < this.handshakeCap && this.handshakeQueue.length) {
      this.handshakes++;
      this.handshakeQueue.shift()!();
    }
  }

  /**
   * The cap adapts to the event loop: handshakes keep flowing, but when their CPU work (key
   * exchange, signatures, socket writes) or anything else stalls the loop past the limit, fewer
   * run at once (halved), and the cap creeps back (+1 per quiet window) once the loop keeps up.
   * Sampled with a timer's drift only while handshakes run or wait, so an idle pool costs nothing.
   * Always on the real clock and timers, not the injected ones: it measures this process's real
   * event loop, which a test's manual clock knows nothing about.
   */
  private startLagWatch(): void {
    if (!this.lagLimitMs || this.lagTimer || this.closed) return;
    this.lowestCap = this.handshakeCap;
    const now = () => performance.now();
    let expected = now() + LAG_SAMPLE_MS;
    let samples = 0;
    let worst = 0;
    const tick = () => {
      const at = now();
      const lag = Math.max(0, at - expected);
      expected = at + LAG_SAMPLE_MS;
      worst = Math.max(worst, lag);
      samples++;
      if (lag > this.lagLimitMs && this.handshakeCap > MIN_ADAPTIVE_HANDSHAKES) {
        this.handshakeCap = Math.max(MIN_ADAPTIVE_HANDSHAKES, Math.floor(this.handshakeCap / 2));
        this.lowestCap = Math.min(this.lowestCap, this.handshakeCap);
        this.logger.info(`ssh: the event loop stalled ${Math.round(lag)} ms; at most ${this.handshakeCap} handshakes at once for now`);
        samples = 0;
        worst = 0;
      } else if (samples >= LAG_WINDOW_SAMPLES) {
        if (worst <= this.lagLimitMs / 2 && this.handshakeCap < this.maxHandshakes) {
          this.handshakeCap++;
          this.pump();
        }
        samples = 0;
        worst = 0;
      }
      if (this.handshakes === 0 && this.handshakeQueue.length === 0) {
        this.stopLagWatch();
        return;
      }
      this.lagTimer = systemTimers.setTimeout(tick, LAG_SAMPLE_MS);
    };
    this.lagTimer = systemTimers.setTimeout(tick, LAG_SAMPLE_MS);
  }

  private stopLagWatch(): void {
    if (this.lagTimer) systemTimers.clearTimeout(this.lagTimer);
    this.lagTimer = null;
    // the next burst starts at the full cap: a stall an hour ago says little about now
    this.handshakeCap = this.maxHandshakes;
  }
}
