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
  const detail = item.detail ? `: ${item.detail}` : '';
  if (item.status === 'offline') findings.push({ status: 'fail', reason: `offline${detail}` });
  if (item.status === 'error') findings.push({ status: 'fail', reason: `error${detail}` });
  const expires = item.token_expires_at ? Date.parse(item.token_expires_at) : NaN;
  const tokenSecondsLeft = Number.isNaN(expires) ? null : (expires - now) / 1000;
  if (tokenSecondsLeft !== null) {
    if (tokenSecondsLeft <= 0) findings.push({ status: 'fail', reason: `token expired ${duration(-tokenSecondsLeft)} ago` });
    else if (tokenSecondsLeft < TOKEN_EXPIRY_WARN_SECONDS) {
      findings.push({ status: 'warn', reason: `token expires in ${duration(tokenSecondsLeft)} (< ${duration(TOKEN_EXPIRY_WARN_SECONDS)})` });
    }
  }
  return { ...verdict(findings), view: { ...item, tokenSecondsLeft } };
}

export const deriveBrokerRow = (name: string, item: EndpointState['items'][string] | undefined, now: number): Row<BrokerView> =>
  deriveRow(name, item, BrokerItem, (value) => judgeBroker(value, now));

export const selectBrokerRows = (state: EndpointState | undefined, now: number): Array<Row<BrokerView>> =>
  deriveRows(state, BrokerItem, (_name, item) => judgeBroker(item, now), BROKERS);
