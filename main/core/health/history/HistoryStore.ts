// Per deployment, the last 24 hours of the numbers the charts draw: SLA latency and success
// rate per source, rate-limit usage per API, queue depth per queue, error rate per source.
// The newest hour at the poll rate (a RingBuffer), the whole day as each minute's worst point
// (MinuteBuckets). Fed from every good poll; read by getHistory. Memory is fixed per series and
// the number of series is capped per metric and per deployment, so a hostile API that reports
// 500 made-up items on every endpoint cannot grow main (docs/alerts.md has the figures).
import type { EndpointState } from '../../../../common/contract';
import type { Endpoint } from '../../../../common/health';
import { DEFAULT_RULES, HISTORY_METRICS, METRIC_RULE, type HistoryMetric, type HistorySeries } from '../../../../common/thresholds';
import { MinuteBuckets } from './MinuteBuckets';
import { RingBuffer } from './RingBuffer';

export interface HistoryStoreOptions {
  /** how far back every series reaches at its poll rate */
  readonly windowMs?: number;
  /** hard cap on points per series, whatever the poll rate (1 s polls x 1 h = 3600) */
  readonly maxPoints?: number;
  /** how far back every series reaches at one point (its worst) per minute */
  readonly reachMs?: number;
  readonly maxSeriesPerDeployment?: number;
  /** items kept per metric, so one endpoint's flood of items leaves room for the others */
  readonly maxItemsPerMetric?: number;
}

/** Which way is worse for each metric: its alert rule's direction (success rate: lower). */
const WORSE = new Map<HistoryMetric, (a: number, b: number) => boolean>(
  HISTORY_METRICS.map((metric) => [
    metric,
    DEFAULT_RULES.find((r) => r.id === METRIC_RULE[metric])?.direction === 'below' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b,
  ]),
);

const FIELDS: Partial<Record<Endpoint, ReadonlyArray<[HistoryMetric, (value: Record<string, unknown>) => number | null]>>> = {
  sla: [
    ['sla.latency_p95_ms', (v) => finite(v.latency_p95_ms)],
    ['sla.latency_p99_ms', (v) => finite(v.latency_p99_ms)],
    ['sla.success_rate', (v) => finite(v.success_rate)],
  ],
  rateLimits: [
    [
      'rateLimits.usage',
      (v) => {
        const used = finite(v.used);
        const limit = finite(v.limit);
        return used === null || limit === null || limit <= 0 ? null : used / limit;
      },
    ],
  ],
  workers: [['workers.pending', (v) => finite(v.pending)]],
  freshness: [['freshness.error_rate', (v) => finite(v.error_rate)]],
};

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

interface DeploymentHistory {
  readonly series: Map<string, { metric: HistoryMetric; item: string; buffer: RingBuffer; minutes: MinuteBuckets }>;
  /** series held per metric, for the per-metric cap */
  readonly perMetric: Map<HistoryMetric, number>;
  dropped: number;
}

export class HistoryStore {
  private readonly deployments = new Map<string, DeploymentHistory>();
  private readonly windowMs: number;
  private readonly maxPoints: number;
  private readonly maxSeries: number;
  private readonly maxPerMetric: number;
  private readonly minutes: number;

  constructor(options: HistoryStoreOptions = {}) {
    this.windowMs = options.windowMs ?? 3_600_000;
    this.maxPoints = options.maxPoints ?? 3_600;
    // every metric's 16: 6 x 16
    this.maxSeries = options.maxSeriesPerDeployment ?? 96;
    this.maxPerMetric = options.maxItemsPerMetric ?? 16;
    // +1 so both ends of the day are in, as for the hour
    this.minutes = Math.ceil((options.reachMs ?? 86_400_000) / 60_000) + 1;
  }

  /** Points needed to hold the window at this interval (+1 so both ends of the hour are in). */
  capacityFor(intervalMs: number): number {
    return Math.min(this.maxPoints, Math.ceil(this.windowMs / Math.max(1, intervalMs)) + 1);
  }

  /** Minute buckets per series: the day's reach at one point a minute. */
  get minuteCapacity(): number {
    return this.minutes;
  }

  /** Record one poll's numbers. Errors and pending polls add nothing: a gap shows as a gap. */
  record(state: EndpointState): void {
    const fields = FIELDS[state.endpoint];
    if (!fields || state.status !== 'ok' || !state.lastGoodAt) return;
    const at = Date.parse(state.lastGoodAt);
    if (Number.isNaN(at)) return;
    let deployment = this.deployments.get(state.deploymentId);
    if (!deployment) {
      deployment = { series: new Map(), perMetric: new Map(), dropped: 0 };
      this.deployments.set(state.deploymentId, deployment);
    }
    for (const [item, itemState] of Object.entries(state.items)) {
      if (!itemState.ok) continue;
      for (const [metric, read] of fields) {
        const value = read(itemState.value);
        if (value === null) continue;
        const key = `${metric}\u0000${item}`;
        let series = deployment.series.get(key);
        if (!series) {
          const held = deployment.perMetric.get(metric) ?? 0;
          if (deployment.series.size >= this.maxSeries || held >= this.maxPerMetric) {
            deployment.dropped += 1;
            continue;
          }
          series = { metric, item, buffer: new RingBuffer(this.capacityFor(state.intervalMs)), minutes: new MinuteBuckets(this.minutes, WORSE.get(metric)!) };
          deployment.series.set(key, series);
          deployment.perMetric.set(metric, held + 1);
        }
        series.buffer.push(at, value);
        series.minutes.push(at, value);
      }
    }
  }

  /**
   * Points at or after sinceMs, oldest first: each minute's worst (at the minute's start) before
   * the newest hour held at the poll rate, then every point of that hour.
   */
  read(deploymentId: string, metrics: readonly HistoryMetric[] = HISTORY_METRICS, sinceMs?: number): HistorySeries[] {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return [];
    const wanted = new Set(metrics);
    const out: HistorySeries[] = [];
    for (const { metric, item, buffer, minutes } of deployment.series.values()) {
      if (!wanted.has(metric)) continue;
      // the minutes before the one the hour begins in (that one is partly in the hour's points)
      const older = minutes.read(sinceMs, Math.floor(buffer.oldest / 60_000) * 60_000);
      const recent = buffer.read(sinceMs);
      out.push({ metric, item, points: older.length === 0 ? recent : older.concat(recent) });
    }
    return out.sort((a, b) => a.metric.localeCompare(b.metric) || a.item.localeCompare(b.item));
  }

  /** Whether a deployment (or one endpoint of it) has any series yet. */
  has(deploymentId: string, endpoint?: Endpoint): boolean {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment || endpoint === undefined) return deployment !== undefined;
    const metrics = FIELDS[endpoint]?.map(([metric]) => metric) ?? [];
    return metrics.some((metric) => (deployment.perMetric.get(metric) ?? 0) > 0);
  }

  /** What the buffers hold: fixed once every series exists, however many polls follow. */
  stats(): { series: number; points: number; bytes: number; droppedSeries: number } {
    let series = 0;
    let points = 0;
    let bytes = 0;
    let droppedSeries = 0;
    for (const deployment of this.deployments.values()) {
      droppedSeries += deployment.dropped;
      for (const { buffer, minutes } of deployment.series.values()) {
        series += 1;
        points += buffer.size + minutes.size;
        bytes += buffer.bytes + minutes.bytes;
      }
    }
    return { series, points, bytes, droppedSeries };
  }
}
