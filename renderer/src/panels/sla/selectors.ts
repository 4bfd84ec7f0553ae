import type { EndpointState } from '../../../../common/contract';
import { DATA_SOURCES, SlaItem } from '../../../../common/health';
import type { SlaItem as Item } from '../../../../common/health';
import { ms, percent } from '../../status/format';
import type { Status } from '../../status/status';
import { verdict } from '../../status/status';
import { deriveRow, deriveRows, oncePerState } from '../shared/rows';
import type { Row } from '../shared/rows';

export type SlaView = Item;

export function judgeSla(item: Item) {
  const findings: Array<{ status: Status; reason: string }> = [];
  if (item.status === 'FAILED') findings.push({ status: 'fail', reason: 'SLA FAILED' });
  if (item.status === 'DEGRADED') findings.push({ status: 'warn', reason: 'SLA DEGRADED' });
  const t = item.thresholds;
  if (item.success_rate < t.success_rate) findings.push({ status: 'warn', reason: `success rate ${percent(item.success_rate)} < ${percent(t.success_rate)}` });
  if (item.latency_p95_ms > t.latency_p95_ms) findings.push({ status: 'warn', reason: `p95 ${ms(item.latency_p95_ms)} > ${ms(t.latency_p95_ms)}` });
  if (item.latency_p99_ms > t.latency_p99_ms) findings.push({ status: 'warn', reason: `p99 ${ms(item.latency_p99_ms)} > ${ms(t.latency_p99_ms)}` });
  return { ...verdict(findings), view: item };
}

export const deriveSlaRow = (name: string, item: EndpointState['items'][string] | undefined): Row<SlaView> => deriveRow(name, item, SlaItem, judgeSla);

/** Once per state object: a clock tick redraws none of these rows. */
export const selectSlaRows = oncePerState((state: EndpointState | undefined): Array<Row<SlaView>> =>
  deriveRows(state, SlaItem, (_name, item) => judgeSla(item), DATA_SOURCES),
);
