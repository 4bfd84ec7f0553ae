import { useMemo } from 'react';
import { ratioAsPercent, wholeNumber } from '../../history/chartFormats';
import { HistoryChart } from '../../history/lazyHistoryChart';
import { ms } from '../../status/format';
import { SLA_P95_MS_DEFAULT, SLA_P99_MS_DEFAULT, SLA_SUCCESS_RATE_DEFAULT } from '../shared/thresholds';
import { percent } from '../../status/format';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import type { SlaView } from './selectors';
import { selectSlaRows } from './selectors';

const num = wholeNumber;

const columns: Array<Column<SlaView>> = [
  { header: 'p50 ms', cell: (v) => num(v.latency_p50_ms), numeric: true },
  { header: 'p95 ms (max)', cell: (v) => `${num(v.latency_p95_ms)} (${num(v.thresholds.latency_p95_ms)})`, numeric: true },
  { header: 'p99 ms (max)', cell: (v) => `${num(v.latency_p99_ms)} (${num(v.thresholds.latency_p99_ms)})`, numeric: true },
  { header: 'Success (min)', cell: (v) => `${percent(v.success_rate)} (${percent(v.thresholds.success_rate)})`, numeric: true },
];

export function SlaPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'sla');
  const now = useNow(1000);
  const rows = useMemo(() => selectSlaRows(state), [state]);
  return (
    <Panel
      title="SLA"
      endpoint="sla"
      runbook="SLA Violations"
      itemHeader="Source"
      panel={panelState(state, now)}
      polledAt={state?.polledAt ?? null}
      rows={rows}
      columns={columns}
      now={now}
      charts={
        <>
          <HistoryChart
            deploymentId={deploymentId}
            metric="sla.latency_p95_ms"
            title="p95 latency"
            unit="ms"
            threshold={SLA_P95_MS_DEFAULT}
            format={ms}
            axisFormat={wholeNumber}
          />
          <HistoryChart
            deploymentId={deploymentId}
            metric="sla.latency_p99_ms"
            title="p99 latency"
            unit="ms"
            threshold={SLA_P99_MS_DEFAULT}
            format={ms}
            axisFormat={wholeNumber}
          />
          <HistoryChart
            deploymentId={deploymentId}
            metric="sla.success_rate"
            title="success rate"
            unit="%"
            threshold={SLA_SUCCESS_RATE_DEFAULT}
            format={percent}
            axisFormat={ratioAsPercent}
          />
        </>
      }
    />
  );
}
