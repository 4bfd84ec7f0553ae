// The four statuses every check and every view speaks, and how they order. Main assesses hosts
// with them and the renderer's panels colour rows with them: one ranking, so "worst" means the
// same on both sides of the contract.

export const STATUSES = ['ok', 'warn', 'fail', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

/** Higher is worse. Unknown ranks above ok: missing data at 3 a.m. needs a look. */
export const STATUS_RANK: Readonly<Record<Status, number>> = { ok: 0, unknown: 1, warn: 2, fail: 3 };

/** The worst of them; 'unknown' when there are none (nothing read is not good news). */
export function worst(statuses: Iterable<Status>): Status {
  let result: Status | null = null;
  for (const status of statuses) {
    if (result === null || STATUS_RANK[status] > STATUS_RANK[result]) result = status;
  }
  return result ?? 'unknown';
}
