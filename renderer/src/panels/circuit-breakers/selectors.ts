import type { EndpointState } from '../../../../common/contract';
import { BreakerItem } from '../../../../common/health';
import type { BreakerItem as Item } from '../../../../common/health';
import { duration } from '../../status/format';
import type { Status } from '../../status/status';
import { verdict } from '../../status/status';
import { deriveRow, deriveRows } from '../shared/rows';
import type { Row } from '../shared/rows';

export interface BreakerView extends Item {
  /** OPEN only: seconds until the breaker may go HALF_OPEN (negative: overdue); null otherwise or without opened_at */
  halfOpenInSeconds: number | null;
}

export function judgeBreaker(item: Item, now: number) {
  const findings: Array<{ status: Status; reason: string }> = [];
  const opened = item.opened_at ? Date.parse(item.opened_at) : NaN;
  const halfOpenInSeconds = item.state === 'OPEN' && !Number.isNaN(opened) ? (opened + item.recovery_timeout_seconds * 1000 - now) / 1000 : null;
  const failures = `${item.failure_count}/${item.failure_threshold} failures`;
  const last = item.last_failure ? `, last: ${item.last_failure}` : '';
  if (item.state === 'OPEN') findings.push({ status: 'fail', reason: `OPEN: ${failures}${last}` });
  if (item.state === 'HALF_OPEN') findings.push({ status: 'warn', reason: `HALF_OPEN: trial requests after ${failures}` });
  if (halfOpenInSeconds !== null && halfOpenInSeconds < 0) {
    findings.push({
      status: 'fail',
      reason: `still OPEN ${duration(-halfOpenInSeconds)} past its ${duration(item.recovery_timeout_seconds)} recovery timeout`,
    });
  }
  return { ...verdict(findings), view: { ...item, halfOpenInSeconds } };
}

export const deriveBreakerRow = (name: string, item: EndpointState['items'][string] | undefined, now: number): Row<BreakerView> =>
  deriveRow(name, item, BreakerItem, (value) => judgeBreaker(value, now));

export const selectBreakerRows = (state: EndpointState | undefined, now: number): Array<Row<BreakerView>> =>
  deriveRows(state, BreakerItem, (_name, item) => judgeBreaker(item, now));
