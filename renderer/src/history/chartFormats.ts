// Value formatters for the history charts. Module-level, so a chart's props are the same
// objects on every render and its memo holds (an inline lambda is a new prop each time).
export const wholeNumber = (value: number): string => String(Math.round(value));

/** A ratio (0.953) on a percent axis: "95.3". */
export const ratioAsPercent = (ratio: number): string => String(Math.round(ratio * 1000) / 10);

const minutes = (t: number): string => new Date(t).toISOString().slice(11, 16);
const seconds = (t: number): string => new Date(t).toISOString().slice(11, 19);

/** below this span a minutes-only axis would print the same label on several ticks */
const SECONDS_BELOW_MS = 10 * 60_000;

/** The time axis's tick label for a chart whose points span spanMs: UTC "12:34", or "12:34:56" over short spans. */
export const timeTickFor = (spanMs: number): ((t: number) => string) => (spanMs < SECONDS_BELOW_MS ? seconds : minutes);

/** Tick steps in minutes, each a round figure on a clock. */
const TICK_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360];

/**
 * Tick times for an axis from `from` to `to`: whole multiples of the smallest round step that
 * gives at most `most` ticks (every 2 min over 15 min, 10 min over an hour, 3 h over a day),
 * so a 24 h chart reads "03:00 06:00 09:00" and not the odd minutes its first points fall on.
 */
export function timeTicks(from: number, to: number, most = 8): number[] {
  if (!(to > from)) return [];
  const step = (TICK_STEPS_MIN.find((m) => (to - from) / (m * 60_000) <= most) ?? TICK_STEPS_MIN.at(-1)!) * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}
