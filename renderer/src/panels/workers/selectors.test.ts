import { describe, expect, it } from 'vitest';
import { endpointState } from '../shared/fixtures';
import { selectQueueRows } from './selectors';

const healthy = { pending: 3, processing_time_p50_ms: 300, processing_time_p95_ms: 900, workers: 2, status: 'healthy', oldest_job_age_seconds: 4 };
const row = (item: unknown) => selectQueueRows(endpointState('workers', { scanner: item }))[0]!;

describe('worker queue selectors', () => {
  it('a short healthy queue is ok', () => {
    expect(row(healthy)).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('pending over 50 warns; 50 does not', () => {
    expect(row({ ...healthy, pending: 51 })).toMatchObject({ status: 'warn', reasons: ['pending 51 > 50'] });
    expect(row({ ...healthy, pending: 50 }).status).toBe('ok');
  });

  it('the runbook backlog of 120 with status degraded warns with both reasons', () => {
    expect(row({ ...healthy, pending: 120, status: 'degraded' })).toMatchObject({ status: 'warn', reasons: ['pending 120 > 50', 'queue degraded'] });
  });

  it('stalled fails, and so do jobs with no workers', () => {
    expect(row({ ...healthy, status: 'stalled' })).toMatchObject({ status: 'fail', reasons: ['queue stalled'] });
    expect(row({ ...healthy, workers: 0 })).toMatchObject({ status: 'fail', reasons: ['no workers for 3 pending jobs'] });
    expect(row({ ...healthy, workers: 0, pending: 0 }).status).toBe('ok');
  });
});
