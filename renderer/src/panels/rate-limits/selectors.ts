import type { EndpointState } from '../../../../common/contract';
import { RateLimitItem } from '../../../../common/health';
import type { RateLimitItem as Item } from '../../../../common/health';
import { percent } from '../../status/format';
import type { Status } from '../../status/status';
import { verdict } from '../../status/status';
import { deriveRow, deriveRows } from '../shared/rows';
import type { Row } from '../shared/rows';
import { RATE_LIMIT_USAGE_WARN } from '../shared/thresholds';

export interface RateLimitView extends Item {
  usage: number;
  resetInSeconds: number;
}

export function judgeRateLimit(item: Item, now: number) {
  const findings: Array<{ status: Status; reason: string }> = [];
  const usage = item.used / item.limit;
  // Beyond the runbook's "> 80 %" warning: nothing left means requests are failing now.
  if (item.remaining === 0) findings.push({ status: 'fail', reason: `exhausted: 0 of ${item.limit} left` });
  else if (usage > RATE_LIMIT_USAGE_WARN) findings.push({ status: 'warn', reason: `usage ${percent(usage)} > ${percent(RATE_LIMIT_USAGE_WARN)}` });
  if (item.recent_429 > 0) findings.push({ status: 'warn', reason: `${item.recent_429} recent 429 response${item.recent_429 === 1 ? '' : 's'}` });
  const resetInSeconds = (Date.parse(item.reset_at) - now) / 1000;
  return { ...verdict(findings), view: { ...item, usage, resetInSeconds } };
}

export const deriveRateLimitRow = (name: string, item: EndpointState['items'][string] | undefined, now: number): Row<RateLimitView> =>
  deriveRow(name, item, RateLimitItem, (value) => judgeRateLimit(value, now));

export const selectRateLimitRows = (state: EndpointState | undefined, now: number): Array<Row<RateLimitView>> =>
  deriveRows(state, RateLimitItem, (_name, item) => judgeRateLimit(item, now));
