import { describe, expect, it } from 'vitest';
import { endpointState } from '../shared/fixtures';
import { selectSlaRows } from './selectors';

const thresholds = { latency_p95_ms: 2000, latency_p99_ms: 5000, success_rate: 0.95 };
const healthy = { status: 'HEALTHY', latency_p50_ms: 180, latency_p95_ms: 900, latency_p99_ms: 1500, success_rate: 0.999, thresholds };
const row = (item: unknown) => selectSlaRows(endpointState('sla', { coingecko: item })).find((r) => r.name === 'coingecko')!;

describe('SLA selectors', () => {
  it('healthy within every threshold is ok', () => {
    expect(row(healthy)).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('DEGRADED warns and FAILED fails', () => {
    expect(row({ ...healthy, status: 'DEGRADED' })).toMatchObject({ status: 'warn', reasons: ['SLA DEGRADED'] });
    expect(row({ ...healthy, status: 'FAILED' })).toMatchObject({ status: 'fail', reasons: ['SLA FAILED'] });
  });

  it('the runbook example reads "success rate 93 % < 95 %" and names both latency breaches', () => {
    expect(row({ status: 'DEGRADED', latency_p50_ms: 180, latency_p95_ms: 2400, latency_p99_ms: 5100, success_rate: 0.93, thresholds }).reasons).toEqual([
      'SLA DEGRADED',
      'success rate 93 % < 95 %',
      'p95 2400 ms > 2000 ms',
      'p99 5100 ms > 5000 ms',
    ]);
  });

  it('exactly at a threshold is not a breach', () => {
    expect(row({ ...healthy, latency_p95_ms: 2000, latency_p99_ms: 5000, success_rate: 0.95 }).status).toBe('ok');
  });

  it('uses the thresholds the API sends for that source', () => {
    expect(row({ ...healthy, success_rate: 0.97, thresholds: { ...thresholds, success_rate: 0.99 } }).reasons).toEqual(['success rate 97 % < 99 %']);
  });

  it('a missing thresholds object is unknown, naming the field', () => {
    const { thresholds: _t, ...noThresholds } = healthy;
    expect(row(noThresholds)).toMatchObject({ status: 'unknown', reasons: [expect.stringMatching(/^unknown: thresholds: /)] });
  });
});
