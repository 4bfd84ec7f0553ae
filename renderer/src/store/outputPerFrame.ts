// Run output reaches the store at most once per animation frame, however many batches came in
// it. Every store update draws the follow dock (and the run dialog) again, synchronously: two
// batches landing in one frame drew twice in it, and under a burst that frame ran to 50-70 ms.
// Batches are held in arrival order and applied together at the next frame; nothing is merged
// away, so the view gets every line. A page whose frames stop (a hidden tab) still gets its
// output: a timer applies what is held if no frame comes first.
import type { EventPayload } from '../../../common/contract';

type Output = EventPayload<'onRunOutput'>;

export interface FrameScheduler {
  /** runs `fn` at the next frame; returns a cancel */
  nextFrame(fn: () => void): () => void;
  /** runs `fn` after `ms`, for when frames do not come; returns a cancel */
  after(fn: () => void, ms: number): () => void;
}

export const browserFrames: FrameScheduler = {
  nextFrame(fn) {
    const handle = requestAnimationFrame(fn);
    return () => cancelAnimationFrame(handle);
  },
  after(fn, ms) {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

/** A hidden page has no frames; its output is applied this long after it came at the latest. */
export const NO_FRAME_MS = 250;

export interface OutputPerFrame {
  push(payload: Output): void;
  /** apply what is held now (a status event must not overtake the output before it) */
  flush(): void;
  /** drop what is held and the scheduled flush (unsubscribing) */
  close(): void;
}

export function outputPerFrame(apply: (payloads: readonly Output[]) => void, frames: FrameScheduler = browserFrames): OutputPerFrame {
  let held: Output[] = [];
  let cancels: Array<() => void> = [];
  const flush = () => {
    for (const cancel of cancels) cancel();
    cancels = [];
    if (!held.length) return;
    const payloads = held;
    held = [];
    apply(payloads);
  };
  return {
    push(payload) {
      held.push(payload);
      if (cancels.length) return;
      cancels = [frames.nextFrame(flush), frames.after(flush, NO_FRAME_MS)];
    },
    flush,
    close() {
      for (const cancel of cancels) cancel();
      cancels = [];
      held = [];
    },
  };
}
