// Which items a history chart draws. A chart of 500 lines says nothing an engineer can read (7
// colours, a legend longer than the panel), and recharts pays per line on every mount and
// unmount (a view switch with 500 items per endpoint spent seconds there). So a chart draws at
// most MAX_CHART_LINES items: the ones furthest on the bad side of the metric's alert rule at
// their newest point; the rest are counted in the caption and read in the panel's table.
import { DEFAULT_RULES, METRIC_RULE } from '../../../common/thresholds';
import type { Metric, Series } from './historyStore';

/** One colour each in the chart's palette. */
export const MAX_CHART_LINES = 7;

/** 'above': a higher value is worse (latency, usage); 'below': a lower one is (success rate). */
export function badDirection(metric: Metric): 'above' | 'below' {
  return DEFAULT_RULES.find((r) => r.id === METRIC_RULE[metric])?.direction ?? 'above';
}

/** The item's newest value that is a number, or null when it has none. */
function newest(line: ReadonlyArray<number | null>): number | null {
  for (let i = line.length - 1; i >= 0; i--) if (line[i] != null) return line[i]!;
  return null;
}

/**
 * The names to draw, sorted by name (so an item keeps its colour while the set holds), and how
 * many items the series has in all. Worst first when there are too many; an item with no value
 * yet comes after every item with one; ties keep the name order.
 */
export function chartLines(series: Series | undefined, metric: Metric, max = MAX_CHART_LINES): { names: string[]; total: number } {
  const all = Object.keys(series?.lines ?? {}).sort();
  if (all.length <= max) return { names: all, total: all.length };
  const sign = badDirection(metric) === 'above' ? -1 : 1;
  const ranked = all
    .map((name) => ({ name, value: newest(series!.lines[name]!) }))
    .sort((a, b) => (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) || (a.value === null || b.value === null ? 0 : sign * (a.value - b.value)));
  return {
    names: ranked
      .slice(0, max)
      .map((r) => r.name)
      .sort(),
    total: all.length,
  };
}
