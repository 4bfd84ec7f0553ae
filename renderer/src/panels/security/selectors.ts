import type { EndpointState } from '../../../../common/contract';
import { SECURITY_CHECKS, SecurityItem } from '../../../../common/health';
import type { SecurityItem as Item } from '../../../../common/health';
import type { Status } from '../../status/status';
import { verdict } from '../../status/status';
import { deriveRow, deriveRows, oncePerState } from '../shared/rows';
import type { Row } from '../shared/rows';

export type SecurityView = Item;

export function judgeSecurity(item: Item) {
  const findings: Array<{ status: Status; reason: string }> = [];
  if (item.status === 'failing') {
    const severe = item.severity === 'critical' || item.severity === 'high';
    findings.push({ status: severe ? 'fail' : 'warn', reason: `failing (${item.severity})${item.detail ? `: ${item.detail}` : ''}` });
  }
  const critical = item.critical ?? 0;
  const high = item.high ?? 0;
  if (critical > 0) findings.push({ status: 'fail', reason: `${critical} critical finding${critical === 1 ? '' : 's'}` });
  if (high > 0) findings.push({ status: 'fail', reason: `${high} high finding${high === 1 ? '' : 's'}` });
  if (item.missing && item.missing.length > 0) {
    findings.push({ status: 'warn', reason: `missing ${item.missing.join(', ')}` });
  }
  return { ...verdict(findings), view: item };
}

export const deriveSecurityRow = (name: string, item: EndpointState['items'][string] | undefined): Row<SecurityView> =>
  deriveRow(name, item, SecurityItem, judgeSecurity);

/** Once per state object: a clock tick redraws none of these rows. */
export const selectSecurityRows = oncePerState((state: EndpointState | undefined): Array<Row<SecurityView>> =>
  deriveRows(state, SecurityItem, (_name, item) => judgeSecurity(item), SECURITY_CHECKS),
);
