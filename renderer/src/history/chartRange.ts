// The charts' time range: the last N minutes of what the page holds, as recharts rows: main's
// minutes before the live hour, then the live hour's points.
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

/** Ranges up to this are drawn from the live hour alone; longer ones ask main for the rest. */
export const LIVE_MINUTES = 60;

export const rangeLabel = (minutes: number): string => CHART_RANGES.find((r) => r.minutes === minutes)?.label ?? `${minutes} min`;

/** One chart row: the time and each line's value by its index in the chart's names. */
export interface ChartRow {
  t: number;
  v: Array<number | null>;
}

/**
 * Rows for the points within `minutes` of the newest one. Measured from the newest point, not
 * the clock, so a paused poll still shows its last stretch. `older` (main's answer for a long
 * range) fills in before the live series' first point. Values are held by line index and read
 * with accessor functions: an item's name from the health API is never a key here ("t",
 * "__proto__" or "a.b", which recharts would read as a path).
 */
export function pointsInRange(series: Series | undefined, names: readonly string[], minutes: number, older?: Series): ChartRow[] {
  const live = series && series.at.length > 0 ? series : undefined;
  const before = older && older.at.length > 0 ? older : undefined;
  if (!live && !before) return [];
  const newest = live ? live.at[live.at.length - 1]! : before!.at[before!.at.length - 1]!;
  const from = newest - minutes * 60_000;
  const rows: ChartRow[] = [];
  if (before) {
    const until = live ? live.at[0]! : Infinity;
    const lines = names.map((n) => (Object.hasOwn(before.lines, n) ? before.lines[n]! : undefined));
    for (let i = firstAtOrAfter(before.at, from); i < before.at.length && before.at[i]! < until; i++) {
      rows.push({ t: before.at[i]!, v: lines.map((line) => line?.[i] ?? null) });
    }
  }
  if (live) {
    const lines = names.map((n) => (Object.hasOwn(live.lines, n) ? live.lines[n]! : undefined));
    for (let i = firstAtOrAfter(live.at, from); i < live.at.length; i++) rows.push({ t: live.at[i]!, v: lines.map((line) => line?.[i] ?? null) });
  }
  return rows;
}

/** The index of the first time at or after `from` in ascending `times` (binary search). */
function firstAtOrAfter(times: readonly number[], from: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
