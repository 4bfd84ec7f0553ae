// Per deployment, the last hour (at least) of the numbers the charts draw: SLA latency and
// success rate per source, rate-limit usage per API, queue depth per queue, error rate per
// source. Fed from every good poll; read by getHistory. Memory is fixed per series (a
// RingBuffer) and the number of series per deployment is capped, so a hostile API that
// reports 500 made-up items cannot grow main.
import type { EndpointState } from '../../../../common/contract';
import type { Endpoint } from '../../../../common/health';
import { HISTORY_METRICS, type HistoryMetric, type HistorySeries } from '../../../../common/thresholds';
import { RingBuffer } from './RingBuffer';

export interface HistoryStoreOptions {
  /** how far back every series reaches at its poll rate */
  readonly windowMs?: number;
  /** hard cap on points per series, whatever the poll rate (1 s polls x 1 h = 3600) */
  readonly maxPoints?: number;
  readonly maxSeriesPerDeployment?: number;
}

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
  readonly series: Map<string, { metric: HistoryMetric; item: string; buffer: RingBuffer }>;
  dropped: number;
}

export class HistoryStore {
  private readonly deployments = new Map<string, DeploymentHistory>();
  private readonly windowMs: number;
  private readonly maxPoints: number;
  private readonly maxSeries: number;

  constructor(options: HistoryStoreOptions = {}) {
    this.windowMs = options.windowMs ?? 3_600_000;
    this.maxPoints = options.maxPoints ?? 3_600;
    this.maxSeries = options.maxSeriesPerDeployment ?? 64;
  }

  /** Points needed to hold the window at this interval (+1 so both ends of the hour are in). */
  capacityFor(intervalMs: number): number {
    return Math.min(this.maxPoints, Math.ceil(this.windowMs / Math.max(1, intervalMs)) + 1);
  }

  /** Record one poll's numbers. Errors and pending polls add nothing: a gap shows as a gap. */
  record(state: EndpointState): void {
    const fields = FIELDS[state.endpoint];
    if (!fields || state.status !== 'ok' || !state.lastGoodAt) return;
    const at = Date.parse(state.lastGoodAt);
    if (Number.isNaN(at)) return;
    let deployment = this.deployments.get(state.deploymentId);
    if (!deployment) {
      deployment = { series: new Map(), dropped: 0 };
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
          if (deployment.series.size >= this.maxSeries) {
            deployment.dropped += 1;
            continue;
          }
          series = { metric, item, buffer: new RingBuffer(this.capacityFor(state.intervalMs)) };
          deployment.series.set(key, series);
        }
        series.buffer.push(at, value);
      }
    }
  }

  read(deploymentId: string, metrics: readonly HistoryMetric[] = HISTORY_METRICS, sinceMs?: number): HistorySeries[] {
    const deployment = this.deployments.get(deploymentId);
    if (!deployment) return [];
    const wanted = new Set(metrics);
    const out: HistorySeries[] = [];
    for (const { metric, item, buffer } of deployment.series.values()) {
      if (wanted.has(metric)) out.push({ metric, item, points: buffer.read(sinceMs) });
    }
    return out.sort((a, b) => a.metric.localeCompare(b.metric) || a.item.localeCompare(b.item));
  }

  has(deploymentId: string): boolean {
    return this.deployments.has(deploymentId);
  }

  /** What the buffers hold: fixed once every series exists, however many polls follow. */
  stats(): { series: number; points: number; bytes: number; droppedSeries: number } {
    let series = 0;
    let points = 0;
    let bytes = 0;
    let droppedSeries = 0;
    for (const deployment of this.deployments.values()) {
      droppedSeries += deployment.dropped;
      for (const { buffer } of deployment.series.values()) {
        series += 1;
        points += buffer.size;
        bytes += buffer.bytes;
      }
    }
    return { series, points, bytes, droppedSeries };
  }
}
