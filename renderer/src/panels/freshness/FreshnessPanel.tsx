import { useMemo } from 'react';
import { ratioAsPercent } from '../../history/chartFormats';
import { HistoryChart } from '../../history/lazyHistoryChart';
import { FRESHNESS_ERROR_RATE_WARN } from '../shared/thresholds';
import { duration, percent } from '../../status/format';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import type { FreshnessView } from './selectors';
import { selectFreshnessRows } from './selectors';

const columns: Array<Column<FreshnessView>> = [
  { header: 'Level', cell: (v) => v.freshness },
  {
    header: 'Age (every)',
    cell: (v) => <span title={`last updated ${v.last_updated}`}>{`${duration(v.data_age_seconds)} (${duration(v.update_frequency_seconds)})`}</span>,
    numeric: true,
  },
  { header: 'Error rate', cell: (v) => percent(v.error_rate), numeric: true },
  { header: 'Req/h', cell: (v) => (v.requests_last_hour ?? '—').toString(), numeric: true },
];

export function FreshnessPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'freshness');
  const now = useNow(1000);
  const rows = useMemo(() => selectFreshnessRows(state), [state]);
  return (
    <Panel
      title="Data freshness"
      endpoint="freshness"
      runbook="Data Freshness Issues"
      itemHeader="Source"
      panel={panelState(state, now)}
      polledAt={state?.polledAt ?? null}
      rows={rows}
      columns={columns}
      now={now}
      charts={
        <HistoryChart
          deploymentId={deploymentId}
          metric="freshness.error_rate"
          title="error rate"
          unit="%"
          threshold={FRESHNESS_ERROR_RATE_WARN}
          format={percent}
          axisFormat={ratioAsPercent}
        />
      }
    />
  );
}
