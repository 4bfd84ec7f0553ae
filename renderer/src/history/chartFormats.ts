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
