import type { EndpointState } from '../../../../common/contract';
import { BROKERS, BrokerItem } from '../../../../common/health';
import type { BrokerItem as Item } from '../../../../common/health';
import { duration } from '../../status/format';
import type { Status } from '../../status/status';
import { verdict } from '../../status/status';
import { deriveRow, deriveRows } from '../shared/rows';
import type { Row } from '../shared/rows';
import { TOKEN_EXPIRY_WARN_SECONDS } from '../shared/thresholds';

export interface BrokerView extends Item {
  /** seconds until the token expires (negative: expired), null without a token expiry */
  tokenSecondsLeft: number | null;
}

export function judgeBroker(item: Item, now: number) {
  const findings: Array<{ status: Status; reason: string }> = [];
  const expires = item.token_expires_at ? Date.parse(item.token_expires_at) : NaN;
  const tokenSecondsLeft = Number.isNaN(expires) ? null : (expires - now) / 1000;
  const expired = tokenSecondsLeft !== null && tokenSecondsLeft <= 0 ? `token expired ${duration(-tokenSecondsLeft!)} ago` : null;
  // The broker's own detail often says the same thing ("token expired"): say it once, with how long ago.
  const detailText = expired && item.detail && /token expired/i.test(item.detail) ? item.detail.replace(/token expired/i, expired) : item.detail;
  const detail = detailText ? `: ${detailText}` : '';
  if (item.status === 'offline') findings.push({ status: 'fail', reason: `offline${detail}` });
  if (item.status === 'error') findings.push({ status: 'fail', reason: `error${detail}` });
  const saidInDetail = detailText !== item.detail;
  if (tokenSecondsLeft !== null) {
    if (expired) {
      if (!saidInDetail) findings.push({ status: 'fail', reason: expired });
    } else if (tokenSecondsLeft < TOKEN_EXPIRY_WARN_SECONDS) {
      findings.push({ status: 'warn', reason: `token expires in ${duration(tokenSecondsLeft)} (< ${duration(TOKEN_EXPIRY_WARN_SECONDS)})` });
    }
  }
  return { ...verdict(findings), view: { ...item, tokenSecondsLeft } };
}

export const deriveBrokerRow = (name: string, item: EndpointState['items'][string] | undefined, now: number): Row<BrokerView> =>
  deriveRow(name, item, BrokerItem, (value) => judgeBroker(value, now));

export const selectBrokerRows = (state: EndpointState | undefined, now: number): Array<Row<BrokerView>> =>
  deriveRows(state, BrokerItem, (_name, item) => judgeBroker(item, now), BROKERS);
