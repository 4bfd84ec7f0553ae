import { useMemo } from 'react';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import type { SecurityView } from './selectors';
import { selectSecurityRows } from './selectors';

function findings(v: SecurityView): string {
  const counts = [v.critical ? `${v.critical} critical` : '', v.high ? `${v.high} high` : '', v.medium ? `${v.medium} medium` : ''].filter(Boolean);
  const packages = v.packages?.length ? ` (${v.packages.slice(0, 5).join(', ')}${v.packages.length > 5 ? `, +${v.packages.length - 5}` : ''})` : '';
  return counts.length ? counts.join(', ') + packages : '—';
}

const columns: Array<Column<SecurityView>> = [
  { header: 'Status', cell: (v) => v.status },
  { header: 'Severity', cell: (v) => v.severity },
  { header: 'Findings', cell: findings },
  { header: 'Missing keys', cell: (v) => (v.missing?.length ? v.missing.join(', ') : '—') },
  { header: 'Detail', cell: (v) => v.detail ?? '' },
];

export function SecurityPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'security');
  const now = useNow(1000);
  const rows = useMemo(() => selectSecurityRows(state), [state]);
  return <Panel title="Security checks" endpoint="security" runbook="Security Check Failures" itemHeader="Check" panel={panelState(state, now)} polledAt={state?.polledAt ?? null} rows={rows} columns={columns} now={now} />;
}
