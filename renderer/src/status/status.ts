// Status vocabulary shared by every panel. Colour alone fails colour-blind users and grey
// night-mode monitors, so each status also has a shape and a word (see StatusBadge).

export type Status = 'ok' | 'warn' | 'fail' | 'unknown';

/** Higher is worse. Unknown ranks above ok: missing data at 3 a.m. needs a look. */
export const STATUS_RANK: Record<Status, number> = { ok: 0, unknown: 1, warn: 2, fail: 3 };

export const STATUS_SHAPE: Record<Status, string> = { ok: '●', warn: '▲', fail: '■', unknown: '◌' };
export const STATUS_WORD: Record<Status, string> = { ok: 'ok', warn: 'warning', fail: 'failing', unknown: 'unknown' };

export function worst(statuses: Iterable<Status>): Status {
  let result: Status | null = null;
  for (const status of statuses) {
    if (result === null || STATUS_RANK[status] > STATUS_RANK[result]) result = status;
  }
  return result ?? 'unknown';
}

/** One derived item: what a panel row shows and why it is the colour it is. */
export interface Verdict {
  status: Status;
  /** in words, worst first, e.g. "success rate 93 % < 95 %"; empty when ok */
  reasons: string[];
}

export function verdict(findings: Array<{ status: Status; reason: string }>): Verdict {
  const bad = findings.filter((f) => f.status !== 'ok').sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status]);
  return { status: worst(findings.map((f) => f.status).concat('ok')), reasons: bad.map((f) => f.reason) };
}
