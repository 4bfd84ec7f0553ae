// The panel-level view of one endpoint: is there data, is the last poll an error, is the
// data older than two poll intervals. Pure, so the staleness rule is tested without a page.
import type { EndpointState } from '../../../../common/contract';
import { duration, relative } from '../../status/format';
import type { Status } from '../../status/status';
import { STATUS_RANK, worst } from '../../status/status';
import { STALE_INTERVALS } from './thresholds';

export interface PanelState {
  /** no state at all / polled but never good / has data */
  phase: 'missing' | 'pending' | 'data';
  error: { kind: string; message: string } | null;
  /** e.g. "timeout: no answer in 5 s; last good data 3 m 10 s ago" */
  errorText: string | null;
  stale: boolean;
  /** e.g. "data is 45 s old (older than 2 poll intervals of 10 s)" */
  staleText: string | null;
  lastGoodAt: string | null;
}

export function panelState(state: EndpointState | undefined, now: number): PanelState {
  if (!state) return { phase: 'missing', error: null, errorText: null, stale: false, staleText: null, lastGoodAt: null };
  const error = state.status === 'error' ? (state.error ?? { kind: 'unknown', message: 'poll failed' }) : null;
  const lastGood = state.lastGoodAt ? Date.parse(state.lastGoodAt) : NaN;
  const phase = Number.isNaN(lastGood) ? 'pending' : 'data';
  const limit = STALE_INTERVALS * state.intervalMs;
  const age = now - lastGood;
  const stale = phase === 'data' && age > limit;
  return {
    phase,
    error,
    errorText: error ? `${error.kind}: ${error.message}; last good data ${relative(state.lastGoodAt, now)}` : null,
    stale,
    staleText: stale ? `data is ${duration(age / 1000)} old (older than ${STALE_INTERVALS} poll intervals of ${duration(state.intervalMs / 1000)})` : null,
    lastGoodAt: state.lastGoodAt,
  };
}

/** One status for a whole panel (fleet overview cell, panel header). */
export function panelStatus(panel: PanelState, rowStatuses: readonly Status[]): Status {
  const fromRows = rowStatuses.length ? worst(rowStatuses) : 'unknown';
  if (panel.phase !== 'data') return panel.error ? worst([fromRows, 'unknown']) : 'unknown';
  // An error or stale data means what we show may be out of date: never call it "ok".
  if (panel.error || panel.stale) return STATUS_RANK[fromRows] > STATUS_RANK.unknown ? fromRows : 'unknown';
  return fromRows;
}

/** A row that was ok at the last good poll is not drawn green while the data is stale or the poll failing. */
export function rowStatusShown(panel: PanelState, status: Status): Status {
  return status === 'ok' && (panel.error || panel.stale) ? 'unknown' : status;
}
