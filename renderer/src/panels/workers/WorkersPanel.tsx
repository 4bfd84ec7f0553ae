import { useMemo } from 'react';
import { wholeNumber } from '../../history/chartFormats';
import { HistoryChart } from '../../history/lazyHistoryChart';
import { WORKER_PENDING_WARN } from '../shared/thresholds';
import { duration, ms } from '../../status/format';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import type { WorkerQueueView } from './selectors';
import { selectQueueRows } from './selectors';

const columns: Array<Column<WorkerQueueView>> = [
  { header: 'Status', cell: (v) => v.status },
  { header: 'Pending', cell: (v) => String(v.pending), numeric: true },
  { header: 'Workers', cell: (v) => String(v.workers), numeric: true },
  { header: 'p50 / p95', cell: (v) => `${ms(v.processing_time_p50_ms)} / ${ms(v.processing_time_p95_ms)}`, numeric: true },
  { header: 'Oldest job', cell: (v) => (v.oldest_job_age_seconds == null ? '—' : duration(v.oldest_job_age_seconds)), numeric: true },
];

export function WorkersPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'workers');
  const now = useNow(1000);
  const rows = useMemo(() => selectQueueRows(state), [state]);
  const workerCount = state?.meta.worker_count;
  return (
    <Panel
      title="Worker queues"
      endpoint="workers"
      runbook="Worker Queue Backlog"
      itemHeader="Queue"
      panel={panelState(state, now)}
      polledAt={state?.polledAt ?? null}
      rows={rows}
      columns={columns}
      now={now}
      footer={typeof workerCount === 'number' ? <p className="panel-foot muted">WORKER_COUNT {workerCount}</p> : null}
      charts={
        <HistoryChart deploymentId={deploymentId} metric="workers.pending" title="pending" unit="jobs" threshold={WORKER_PENDING_WARN} format={wholeNumber} />
      }
    />
  );
}
