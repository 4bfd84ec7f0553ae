import { useMemo } from 'react';
import { ratioAsPercent } from '../../history/chartFormats';
import { HistoryChart } from '../../history/lazyHistoryChart';
import { duration, percent } from '../../status/format';
import { useNow } from '../../status/useNow';
import type { Column } from '../shared/Panel';
import { Panel } from '../shared/Panel';
import { panelState } from '../shared/panelState';
import { useEndpoint } from '../shared/useEndpoint';
import { RATE_LIMIT_USAGE_WARN } from '../shared/thresholds';
import type { RateLimitView } from './selectors';
import { selectRateLimitRows } from './selectors';

function UsageBar({ usage }: { usage: number }) {
  const level = usage >= 1 ? 'fail' : usage > RATE_LIMIT_USAGE_WARN ? 'warn' : 'ok';
  return (
    <span className="usage">
      <span className={`usage-bar usage-${level}`} aria-hidden="true">
        <span style={{ width: `${Math.min(100, usage * 100)}%` }} />
      </span>
      {percent(usage)}
    </span>
  );
}

const columns: Array<Column<RateLimitView>> = [
  { header: 'Usage', cell: (v) => <UsageBar usage={v.usage} /> },
  { header: 'Remaining', cell: (v) => `${v.remaining} of ${v.limit}`, numeric: true },
  { header: 'Resets', cell: (v) => (v.resetInSeconds >= 0 ? `in ${duration(v.resetInSeconds)}` : `${duration(-v.resetInSeconds)} ago`) },
  { header: '429s', cell: (v) => String(v.recent_429), numeric: true },
  { header: 'Tier', cell: (v) => v.tier ?? '—' },
];

export function RateLimitsPanel({ deploymentId }: { deploymentId: string }) {
  const state = useEndpoint(deploymentId, 'rateLimits');
  const now = useNow(1000);
  const rows = useMemo(() => selectRateLimitRows(state, now), [state, now]);
  return (
    <Panel
      title="Rate limits"
      endpoint="rateLimits"
      runbook="Rate Limit Exhaustion"
      itemHeader="API"
      panel={panelState(state, now)}
      polledAt={state?.polledAt ?? null}
      rows={rows}
      columns={columns}
      now={now}
      charts={
        <HistoryChart
          deploymentId={deploymentId}
          metric="rateLimits.usage"
          title="usage"
          unit="%"
          threshold={RATE_LIMIT_USAGE_WARN}
          format={percent}
          axisFormat={ratioAsPercent}
        />
      }
    />
  );
}
