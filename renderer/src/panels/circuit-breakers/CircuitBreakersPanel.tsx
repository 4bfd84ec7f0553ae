import { useMemo } from 'react';
import { clockTime, duration } from '../../status/format';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import type { BreakerView } from './selectors';
import { selectBreakerRows } from './selectors';
import { visible, VisibleText } from '../../status/VisibleText';

function halfOpenText(v: BreakerView): string {
  if (v.state !== 'OPEN') return '—';
  if (v.halfOpenInSeconds === null) return 'unknown (no opened_at)';
  return v.halfOpenInSeconds >= 0 ? `in ${duration(v.halfOpenInSeconds)}` : `overdue ${duration(-v.halfOpenInSeconds)}`;
}

const columns: Array<Column<BreakerView>> = [
  { header: 'State', cell: (v) => <span className={`breaker-state breaker-${v.state}`}>{v.state}</span> },
  { header: 'Failures', cell: (v) => `${v.failure_count} / ${v.failure_threshold}`, numeric: true },
  { header: 'Recovery', cell: (v) => duration(v.recovery_timeout_seconds), numeric: true },
  { header: 'HALF_OPEN', cell: (v) => <span title={v.opened_at ? `opened ${clockTime(v.opened_at)}` : undefined}>{halfOpenText(v)}</span> },
  // short: the Why column already says "last: ..." for a tripped breaker, and at full length this
  // column pushed the table past its half-width panel
  {
    header: 'Last failure',
    cell: (v) => (
      <span className="clip clip-short" title={v.last_failure == null ? undefined : visible(v.last_failure)}>
        {v.last_failure == null ? '—' : <VisibleText text={v.last_failure} />}
      </span>
    ),
  },
];

export function CircuitBreakersPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'circuitBreakers');
  const now = useNow(1000);
  const rows = useMemo(() => selectBreakerRows(state, now), [state, now]);
  return (
    <Panel
      title="Circuit breakers"
      endpoint="circuitBreakers"
      runbook="Circuit Breaker Trips"
      itemHeader="Breaker"
      panel={panelState(state, now)}
      polledAt={state?.polledAt ?? null}
      rows={rows}
      columns={columns}
      now={now}
    />
  );
}
