// The audit table's derived values: the outcome at a glance, and which record a broken chain names.
import type { AuditRecord } from '../../../common/contract';
import type { Status } from '../status/status';

/** "cancelled: cancelled" -> "cancelled": main's outcome is "<state>: <error>", and the error often repeats the state. */
export function outcomeText(outcome: string | null): string {
  if (!outcome) return '—';
  const m = /^([a-z]+): (.*)$/s.exec(outcome);
  return m && m[1] === m[2] ? m[1]! : outcome;
}

/** The outcome as a status: colour, shape and word in the first column. */
export function outcomeStatus(r: Pick<AuditRecord, 'kind' | 'outcome' | 'exitCode'>): { status: Status; word: string } {
  if (r.kind === 'intent') return { status: 'unknown', word: 'started' };
  const first = (r.outcome ?? '').split(':')[0]!.trim();
  if (r.kind === 'note') return { status: 'unknown', word: first || 'note' };
  if (first === 'succeeded' && (r.exitCode === 0 || r.exitCode === null)) return { status: 'ok', word: 'succeeded' };
  if (first === 'cancelled') return { status: 'warn', word: 'cancelled' };
  if (first === 'failed' || (r.exitCode !== null && r.exitCode !== 0)) return { status: 'fail', word: 'failed' };
  return { status: 'unknown', word: first || 'unknown' };
}

/** The record a broken chain names ("line 7: record 12 was altered"), or null. */
export function brokenSeq(chainError: string | null): number | null {
  const m = chainError ? /\brecords? (\d+)/.exec(chainError) : null;
  return m ? Number(m[1]) : null;
}
