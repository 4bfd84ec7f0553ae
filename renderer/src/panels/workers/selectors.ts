import type { EndpointState } from '../../../../common/contract';
import { WorkerQueueItem } from '../../../../common/health';
import type { WorkerQueueItem as Item } from '../../../../common/health';
import type { Status } from '../../status/status';
import { verdict } from '../../status/status';
import { deriveRow, deriveRows, oncePerState } from '../shared/rows';
import type { Row } from '../shared/rows';
import { WORKER_PENDING_WARN } from '../shared/thresholds';

export type WorkerQueueView = Item;

export function judgeQueue(item: Item) {
  const findings: Array<{ status: Status; reason: string }> = [];
  if (item.status === 'stalled') findings.push({ status: 'fail', reason: 'queue stalled' });
  if (item.workers === 0 && item.pending > 0) findings.push({ status: 'fail', reason: `no workers for ${item.pending} pending jobs` });
  if (item.pending > WORKER_PENDING_WARN) findings.push({ status: 'warn', reason: `pending ${item.pending} > ${WORKER_PENDING_WARN}` });
  if (item.status === 'degraded') findings.push({ status: 'warn', reason: 'queue degraded' });
  return { ...verdict(findings), view: item };
}

export const deriveQueueRow = (name: string, item: EndpointState['items'][string] | undefined): Row<WorkerQueueView> =>
  deriveRow(name, item, WorkerQueueItem, judgeQueue);

/** Once per state object: a clock tick redraws none of these rows. */
export const selectQueueRows = oncePerState((state: EndpointState | undefined): Array<Row<WorkerQueueView>> =>
  deriveRows(state, WorkerQueueItem, (_name, item) => judgeQueue(item)),
);
