import { useMemo } from 'react';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import type { SecurityView } from './selectors';
import { selectSecurityRows } from './selectors';

// Package names are long: they go in the Findings cell's tooltip to keep rows one line.
function findings(v: SecurityView): string {
  const counts = [v.critical ? `${v.critical} critical` : '', v.high ? `${v.high} high` : '', v.medium ? `${v.medium} medium` : ''].filter(Boolean);
  return counts.length ? counts.join(', ') : '—';
}

const columns: Array<Column<SecurityView>> = [
  { header: 'Status', cell: (v) => v.status },
  { header: 'Severity', cell: (v) => v.severity },
  { header: 'Findings', cell: (v) => <span title={v.packages?.length ? v.packages.join('\n') : undefined}>{findings(v)}</span> },
];

export function SecurityPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'security');
  const now = useNow(1000);
  const rows = useMemo(() => selectSecurityRows(state), [state]);
  return (
    <Panel
      title="Security checks"
      endpoint="security"
      runbook="Security Check Failures"
      itemHeader="Check"
      panel={panelState(state, now)}
      polledAt={state?.polledAt ?? null}
      rows={rows}
      columns={columns}
      now={now}
    />
  );
}
