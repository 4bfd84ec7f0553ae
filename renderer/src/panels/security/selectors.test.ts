import { describe, expect, it } from 'vitest';
import { endpointState } from '../shared/fixtures';
import { selectSecurityRows } from './selectors';

const rows = (items: Record<string, unknown>) => selectSecurityRows(endpointState('security', items));
const row = (item: unknown) => rows({ api_key_validation: item }).find((r) => r.name === 'api_key_validation')!;

describe('security selectors', () => {
  it('passing with no findings is ok', () => {
    expect(row({ status: 'passing', severity: 'info' })).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('a failing critical or high check fails with its detail', () => {
    expect(row({ status: 'failing', severity: 'critical', detail: 'FA account pattern found in logs' })).toMatchObject({
      status: 'fail',
      reasons: ['failing (critical): FA account pattern found in logs'],
    });
    expect(row({ status: 'failing', severity: 'high' }).status).toBe('fail');
  });

  it('a failing medium check warns and names the missing keys', () => {
    expect(row({ status: 'failing', severity: 'medium', missing: ['GROQ_API_KEY', 'ETHERSCAN_API_KEY'] })).toMatchObject({
      status: 'warn',
      reasons: ['failing (medium)', 'missing GROQ_API_KEY, ETHERSCAN_API_KEY'],
    });
  });

  it('critical or high findings fail even when the check reports passing', () => {
    expect(row({ status: 'passing', severity: 'low', critical: 0, high: 2, medium: 5 })).toMatchObject({ status: 'fail', reasons: ['2 high findings'] });
    expect(row({ status: 'passing', severity: 'low', critical: 1 })).toMatchObject({ status: 'fail', reasons: ['1 critical finding'] });
    expect(row({ status: 'passing', severity: 'low', medium: 5 }).status).toBe('ok');
  });

  it('the three runbook checks are always listed; a missing one is unknown', () => {
    const result = rows({ ibkr_fa_scrubbing: { status: 'passing', severity: 'info' } });
    expect(result.map((r) => [r.name, r.status])).toEqual([
      ['dependency_vulnerabilities', 'unknown'],
      ['api_key_validation', 'unknown'],
      ['ibkr_fa_scrubbing', 'ok'],
    ]);
  });
});
