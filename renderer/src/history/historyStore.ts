// The panel charts' history. `series`: the live hour, a bounded ring of points per (deployment,
// metric), seeded from main when a deployment opens (`seedHistory`) and appended from onHealth
// updates. `older`: main's answer for a range longer than the hour (`seedRange`), each minute's
// worst point before the hour; replaced whole when asked again, never appended to, so a poll
// costs what it cost with the hour alone. Kept apart from the main store so an append
// re-renders only charts.
import type { EndpointState } from '../../../common/contract';
import { RateLimitItem, SlaItem, WorkerQueueItem, FreshnessItem } from '../../../common/health';
import type { Endpoint } from '../../../common/health';
import { HISTORY_METRICS } from '../../../common/thresholds';
import { createStore } from '../store/createStore';
import type { HistoryMetric, HistorySeries } from '../../../common/thresholds';
import { emptyRecord } from '../../../common/emptyRecord';

/** One hour at the default 5 s poll interval. */
export const HISTORY_POINTS = 720;

/** A day from main: its minutes (1441) and its hour at up to 1 s polls (3600). */
export const RANGE_POINTS = 1441 + 3600;

export interface Series {
  /** epoch ms of each point (the poll's lastGoodAt) */
  at: number[];
  /** item name -> value per point (null: the item was missing or unreadable then); a
   *  null-prototype object, since item names are the health API's ("__proto__" included) */
  lines: Record<string, Array<number | null>>;
}

/** The same metric names as main's history ring buffers (common/thresholds.ts). */
export type Metric = HistoryMetric;

/** The metrics each endpoint feeds, read from its items with the item schema. */
const EXTRACTORS: Partial<Record<Endpoint, Array<{ metric: Metric; read: (value: unknown) => number | null }>>> = {
  sla: [
    { metric: 'sla.latency_p95_ms', read: (v) => SlaItem.safeParse(v).data?.latency_p95_ms ?? null },
    { metric: 'sla.latency_p99_ms', read: (v) => SlaItem.safeParse(v).data?.latency_p99_ms ?? null },
    { metric: 'sla.success_rate', read: (v) => SlaItem.safeParse(v).data?.success_rate ?? null },
  ],
  rateLimits: [
    {
      metric: 'rateLimits.usage',
      read: (v) => {
        const item = RateLimitItem.safeParse(v).data;
        return item ? item.used / item.limit : null;
      },
    },
  ],
  workers: [{ metric: 'workers.pending', read: (v) => WorkerQueueItem.safeParse(v).data?.pending ?? null }],
  freshness: [{ metric: 'freshness.error_rate', read: (v) => FreshnessItem.safeParse(v).data?.error_rate ?? null }],
};

export const seriesKey = (deploymentId: string, metric: Metric): string => `${deploymentId}/${metric}`;

interface HistoryState {
  series: Record<string, Series>;
  /** seriesKey -> main's history over the chosen range (read before the live hour's first point) */
  older: Record<string, Series>;
  /** deploymentId -> metric -> alert fire line, from main (overrides the config may set) */
  thresholds: Record<string, Partial<Record<Metric, number>>>;
  /** lastGoodAt already recorded per deployment/endpoint, so a re-sent state is not a new point */
  recorded: Record<string, string>;
}

export const useHistoryStore = createStore<HistoryState>(() => ({ series: {}, older: {}, thresholds: {}, recorded: {} }));

/** Append one point to a series, keeping at most `cap` points. Pure: returns a new series. */
export function appendPoint(series: Series | undefined, at: number, values: Record<string, number | null>, cap = HISTORY_POINTS): Series {
  const previous = series ?? { at: [], lines: emptyRecord<Array<number | null>>() };
  // A point main already sent in its history (or a re-sent poll) is not appended twice.
  if (previous.at.length > 0 && at <= previous.at[previous.at.length - 1]!) return previous;
  const drop = Math.max(0, previous.at.length + 1 - cap);
  const at2 = [...previous.at.slice(drop), at];
  const lines = emptyRecord<Array<number | null>>();
  const names = new Set([...Object.keys(previous.lines), ...Object.keys(values)]);
  // Item names come from the health API: only own properties count ("constructor" is an item).
  for (const name of names) {
    const old = Object.hasOwn(previous.lines, name) ? previous.lines[name]! : new Array<number | null>(previous.at.length).fill(null);
    lines[name] = [...old.slice(drop), (Object.hasOwn(values, name) ? values[name] : null) ?? null];
  }
  return { at: at2, lines };
}

export function recordHealth(updates: readonly EndpointState[]): void {
  const extractable = updates.filter((u) => u.lastGoodAt && EXTRACTORS[u.endpoint]);
  if (extractable.length === 0) return;
  useHistoryStore.setState((s) => {
    let series = s.series;
    let recorded = s.recorded;
    for (const update of extractable) {
      const key = `${update.deploymentId}/${update.endpoint}`;
      if (recorded[key] === update.lastGoodAt) continue;
      const at = Date.parse(update.lastGoodAt!);
      if (Number.isNaN(at)) continue;
      recorded = { ...recorded, [key]: update.lastGoodAt! };
      for (const { metric, read } of EXTRACTORS[update.endpoint]!) {
        const values = emptyRecord<number | null>();
        for (const [name, item] of Object.entries(update.items)) values[name] = item.ok ? read(item.value) : null;
        const k = seriesKey(update.deploymentId, metric);
        series = { ...series, [k]: appendPoint(series[k], at, values) };
      }
    }
    return series === s.series ? s : { series, recorded };
  });
}

/** Main's history for one metric, as the chart's series: timestamps merged, gaps as null. */
export function seriesFromMain(series: readonly HistorySeries[], cap = HISTORY_POINTS): Series {
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b).slice(-cap);
  const index = new Map(times.map((t, i) => [t, i]));
  const lines = emptyRecord<Array<number | null>>();
  for (const s of series) {
    let line = lines[s.item];
    if (line === undefined) lines[s.item] = line = new Array<number | null>(times.length).fill(null);
    for (const [t, value] of s.points) {
      const i = index.get(t);
      if (i !== undefined) line[i] = value;
    }
  }
  return { at: times, lines };
}

/** Replace one deployment's series with main's ring buffers; later polls append as before. */
export function seedHistory(deploymentId: string, series: readonly HistorySeries[], thresholds: Record<string, number>): void {
  useHistoryStore.setState((s) => {
    const next = { ...s.series };
    for (const metric of HISTORY_METRICS) {
      const mine = series.filter((x) => x.metric === metric);
      if (mine.length > 0) next[seriesKey(deploymentId, metric)] = seriesFromMain(mine);
    }
    const known: Partial<Record<Metric, number>> = {};
    for (const metric of HISTORY_METRICS) if (typeof thresholds[metric] === 'number') known[metric] = thresholds[metric];
    return { series: next, thresholds: { ...s.thresholds, [deploymentId]: known } };
  });
}

/** Main's history over a chosen range, for the part of the charts before the live hour. */
export function seedRange(deploymentId: string, series: readonly HistorySeries[]): void {
  useHistoryStore.setState((s) => {
    const older = { ...s.older };
    for (const metric of HISTORY_METRICS) {
      const mine = series.filter((x) => x.metric === metric);
      if (mine.length > 0) older[seriesKey(deploymentId, metric)] = seriesFromMain(mine, RANGE_POINTS);
    }
    return { older };
  });
}
