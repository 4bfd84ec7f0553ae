// Value formatters for the history charts. Module-level, so a chart's props are the same
// objects on every render and its memo holds (an inline lambda is a new prop each time).
export const wholeNumber = (value: number): string => String(Math.round(value));

/** A ratio (0.953) on a percent axis: "95.3". */
export const ratioAsPercent = (ratio: number): string => String(Math.round(ratio * 1000) / 10);
