import { describe, expect, it } from 'vitest';
import { brokenSeq, outcomeStatus, outcomeText } from './auditRows';

describe('audit rows', () => {
  it('says a repeated outcome once', () => {
    expect(outcomeText('cancelled: cancelled')).toBe('cancelled');
    expect(outcomeText('failed: exit 3')).toBe('failed: exit 3');
    expect(outcomeText(null)).toBe('—');
  });

  it('gives each record an outcome at a glance, never ok for what did not succeed', () => {
    expect(outcomeStatus({ kind: 'result', outcome: 'succeeded', exitCode: 0 })).toEqual({ status: 'ok', word: 'succeeded' });
    expect(outcomeStatus({ kind: 'result', outcome: 'failed', exitCode: 3 })).toEqual({ status: 'fail', word: 'failed' });
    expect(outcomeStatus({ kind: 'result', outcome: 'succeeded', exitCode: 1 })).toEqual({ status: 'fail', word: 'failed' });
    expect(outcomeStatus({ kind: 'result', outcome: 'cancelled: cancelled', exitCode: null })).toEqual({ status: 'warn', word: 'cancelled' });
    expect(outcomeStatus({ kind: 'intent', outcome: null, exitCode: null })).toEqual({ status: 'unknown', word: 'started' });
    expect(outcomeStatus({ kind: 'result', outcome: 'unknown: connection lost', exitCode: null }).status).toBe('unknown');
  });

  it('finds the record a broken chain names', () => {
    expect(brokenSeq('line 7: record 12 was altered (hash mismatch)')).toBe(12);
    expect(brokenSeq('records 5 to 7 were written by this session and are gone (file truncated)')).toBe(5);
    expect(brokenSeq('line 3: not JSON')).toBeNull();
    expect(brokenSeq(null)).toBeNull();
  });
});
