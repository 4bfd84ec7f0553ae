// The charts' time range: the last N minutes of what the page keeps, as recharts rows.
import type { Series } from './historyStore';

/** The ranges offered above the charts, in minutes. */
export const CHART_RANGES: ReadonlyArray<{ minutes: number; label: string }> = [
  { minutes: 15, label: '15 min' },
  { minutes: 60, label: '1 h' },
  { minutes: 180, label: '3 h' },
  { minutes: 720, label: '12 h' },
  { minutes: 1440, label: '24 h' },
];

export const DEFAULT_CHART_RANGE_MINUTES = 60;

/** One chart row: the time and each line's value by its index in the chart's names. */
export interface ChartRow {
  t: number;
  v: Array<number | null>;
}

/**
 * Rows for the points within `minutes` of the newest one. Measured from the newest point, not
 * the clock, so a paused poll still shows its last stretch. Values are held by line index and
 * read with accessor functions: an item's name from the health API is never a key here ("t",
 * "__proto__" or "a.b", which recharts would read as a path).
 */
export function pointsInRange(series: Series | undefined, names: readonly string[], minutes: number): ChartRow[] {
  if (!series || series.at.length === 0) return [];
  const newest = series.at[series.at.length - 1]!;
  const from = newest - minutes * 60_000;
  let first = 0;
  while (first < series.at.length && series.at[first]! < from) first++;
  const rows: ChartRow[] = [];
  for (let i = first; i < series.at.length; i++) rows.push({ t: series.at[i]!, v: names.map((n) => series.lines[n]![i] ?? null) });
  return rows;
}
