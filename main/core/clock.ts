// Time and timers as injectable dependencies, so services can be driven by tests and benches.
export interface Clock {
  now(): number;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The last two answers are kept: a sweep stamps its polls with the same next-poll time, and a
 * poll's time with its own, and formatting a Date was a few per cent of a poll's CPU.
 */
const recentMs = [NaN, NaN];
const recentIso = ['', ''];
let oldest = 0;
export function isoAt(ms: number): string {
  if (recentMs[0] === ms) return recentIso[0]!;
  if (recentMs[1] === ms) return recentIso[1]!;
  const iso = new Date(ms).toISOString();
  recentMs[oldest] = ms;
  recentIso[oldest] = iso;
  oldest ^= 1;
  return iso;
}
