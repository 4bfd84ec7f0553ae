import { describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../../common/contract';
import { HistoryStore } from './HistoryStore';
import { backfillHistory } from './backfillHistory';

const NOW = Date.parse('2026-12-07T04:40:00Z');
const state: EndpointState = {
  deploymentId: 'demo' as DeploymentId,
  endpoint: 'sla',
  status: 'ok',
  error: null,
  polledAt: new Date(NOW).toISOString(),
  lastGoodAt: new Date(NOW).toISOString(),
  intervalMs: 5000,
  nextPollAt: null,
  latencyMs: 2,
  meta: {},
  items: {
    coingecko: {
      ok: true,
      value: { status: 'HEALTHY', latency_p50_ms: 50, latency_p95_ms: 100, latency_p99_ms: 200, success_rate: 0.99, thresholds: {} },
    },
  },
};

describe('the e2e specs’ made-up history', () => {
  it('puts a day behind the first poll, oldest first, with one spike 20 h back, and the poll itself still records after it', () => {
    const store = new HistoryStore();
    backfillHistory(store, state, 24);
    store.record(state);
    const [p95, success] = store.read('demo', ['sla.latency_p95_ms', 'sla.success_rate']);
    expect(p95!.points[0]![0]).toBe(NOW - 24 * 3_600_000);
    expect(p95!.points.at(-1)).toEqual([NOW, 100]);
    expect(p95!.points).toContainEqual([NOW - 20 * 3_600_000, 300]);
    for (const [, value] of p95!.points.filter(([t]) => t !== NOW - 20 * 3_600_000)) expect(value).toBeLessThanOrEqual(100);
    // a ratio stays a ratio
    expect(new Set(success!.points.map(([, v]) => v))).toEqual(new Set([0.99]));
  });
});
