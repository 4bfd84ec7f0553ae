// The hosts as witnesses of the local audit log. Every run's journal records on a host carry the
// hash of the run's intent record in this console's chain. A local log that was cut, rewritten
// or added to after the fact therefore disagrees with what the hosts wrote down at the time:
//
// - a head a host recorded that the local log does not contain: records were cut from the log,
//   or rewritten (every hash from the first changed record on is different);
// - a head that names another record than the run the host saw: rewritten;
// - a local intent for a host that was being followed at the time, with no record on that host:
//   added to the log (or the record on the host was lost: a host without journald never has one,
//   so only hosts with at least one record of this console count).
import type { RunRecord } from './teamRecords';

/** The few fields of a local audit record this check reads. */
export interface LocalRecord {
  seq: number;
  at: string;
  kind: string;
  runId: string | null;
  hostId: string | null;
  hash: string;
  outcome?: string | null;
}

export interface AnchorProblem {
  kind: 'missing-locally' | 'mismatch' | 'not-on-host';
  hostId: string;
  runId: string;
  /** the local record's seq where there is one */
  seq: number | null;
  message: string;
}

export interface AnchorReport {
  /** host records of this console compared with the log */
  checked: number;
  /** hosts whose journals held records of this console */
  hosts: number;
  problems: AnchorProblem[];
}

export function checkAnchors(local: readonly LocalRecord[], hostRecords: readonly RunRecord[], consoleName: string): AnchorReport {
  const byHash = new Map(local.map((r) => [r.hash, r]));
  const mine = hostRecords.filter((r) => r.console === consoleName && r.event === 'intent');
  const problems: AnchorProblem[] = [];
  const seenOnHost = new Set<string>();
  // the earliest record of this console each host holds: before it, the host cannot witness
  const coveredSince = new Map<string, number>();
  for (const r of mine) {
    seenOnHost.add(`${r.hostId}\u0000${r.runId}`);
    coveredSince.set(r.hostId, Math.min(coveredSince.get(r.hostId) ?? Infinity, r.at));
    const record = byHash.get(r.chainHead);
    const when = new Date(r.at).toISOString();
    if (!record) {
      problems.push({
        kind: 'missing-locally',
        hostId: r.hostId,
        runId: r.runId,
        seq: null,
        message: `${r.hostId} recorded ${r.actionId} (${r.runId}) by ${r.user} at ${when}, but the local log has no record with its chain head: records were cut from the log or rewritten`,
      });
    } else if (record.kind !== 'intent' || record.runId !== r.runId || record.hostId !== r.hostId) {
      problems.push({
        kind: 'mismatch',
        hostId: r.hostId,
        runId: r.runId,
        seq: record.seq,
        message: `${r.hostId} recorded ${r.runId} at ${when} with the head of local record ${record.seq}, which is ${record.kind} of ${record.runId ?? 'no run'} on ${record.hostId ?? 'no host'}: the log was rewritten`,
      });
    }
  }
  // a run the host's envelope refused (another console held its lock) ran nothing and left no record there
  const refused = new Set(local.filter((r) => r.kind === 'result' && /not run:/.test(r.outcome ?? '')).map((r) => `${r.hostId}\u0000${r.runId}`));
  for (const record of local) {
    if (record.kind !== 'intent' || !record.runId || !record.hostId) continue;
    if (refused.has(`${record.hostId}\u0000${record.runId}`)) continue;
    const since = coveredSince.get(record.hostId);
    if (since === undefined || Date.parse(record.at) < since) continue;
    if (!seenOnHost.has(`${record.hostId}\u0000${record.runId}`)) {
      problems.push({
        kind: 'not-on-host',
        hostId: record.hostId,
        runId: record.runId,
        seq: record.seq,
        message: `local record ${record.seq} says ${record.runId} ran on ${record.hostId} at ${record.at}, but that host's journal has no record of it: the log was added to`,
      });
    }
  }
  return { checked: mine.length, hosts: coveredSince.size, problems };
}
