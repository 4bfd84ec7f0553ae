// Status vocabulary shared by every panel. Colour alone fails colour-blind users and grey
// night-mode monitors, so each status also has a shape and a word (see StatusBadge).

import { STATUS_RANK, worst, type Status } from '../../../common/status';

export { STATUS_RANK, worst, type Status };

export const STATUS_SHAPE: Record<Status, string> = { ok: '●', warn: '▲', fail: '■', unknown: '◌' };
export const STATUS_WORD: Record<Status, string> = { ok: 'ok', warn: 'warning', fail: 'failing', unknown: 'unknown' };

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
