import { memo, useEffect, useMemo, useState } from 'react';
import type { DeploymentInfo } from '../../common/contract';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from './api/ApiContext';
import { DemoScenarioPicker } from './demo/DemoScenarioPicker';
import { useHistorySeed } from './history/useHistorySeed';
import { useHistoryRange } from './history/useHistoryRange';
import { useActionMarkSources } from './history/useActionMarks';
import { HostsPanel } from './hosts/HostsPanel';
import { AREAS, summarizeArea } from './panels/areas';
import { BrokersPanel } from './panels/brokers/BrokersPanel';
import { CircuitBreakersPanel } from './panels/circuit-breakers/CircuitBreakersPanel';
import { FreshnessPanel } from './panels/freshness/FreshnessPanel';
import { RateLimitsPanel } from './panels/rate-limits/RateLimitsPanel';
import { SecurityPanel } from './panels/security/SecurityPanel';
import { SlaPanel } from './panels/sla/SlaPanel';
import { WorkersPanel } from './panels/workers/WorkersPanel';
import { STATUS_WORD, worst, type Status } from './status/status';
import { unreachableHosts } from './panels/fleet/selectors';
import { StatusIcon } from './status/StatusIcon';
import { visible, VisibleText } from './status/VisibleText';
import { useNow } from './status/useNow';
import { openPanel, toggleCharts } from './store/actions';
import { ChartRangePicker } from './history/ChartRangePicker';
import { healthKey } from './store/slices';
import { useAppStore } from './store/appStore';

/** One line per area for this deployment: where to look first. */
function AreaStrip({ deploymentId }: { deploymentId: string }) {
  const states = useAppStore(useShallow((s) => AREAS.map((a) => s.health[healthKey(deploymentId, a.endpoint)])));
  // same tick as the panels below, so the strip never says ok while a panel says stale
  const now = useNow(1000);
  const cells = useMemo(() => AREAS.map((a, i) => ({ area: a, summary: summarizeArea(a, states[i], now) })), [states, now]);
  return (
    <nav className="area-strip" aria-label="Areas">
      {cells.map(({ area, summary }) => (
        <button
          key={area.endpoint}
          className={`chip chip-${summary.status}`}
          onClick={() => openPanel(deploymentId, area.endpoint)}
          title={visible(summary.headline)}
          aria-label={`${area.title}: ${STATUS_WORD[summary.status]}, ${visible(summary.headline)}${summary.problems > 1 ? ` (+${summary.problems - 1})` : ''}`}
        >
          <StatusIcon status={summary.status} />
          <span className="chip-title">{area.title}</span>
          {/* the headline quotes an item's reason, which comes from the health API */}
          <span className="chip-why">
            <VisibleText text={summary.headline} />
            {summary.problems > 1 ? ` (+${summary.problems - 1})` : ''}
          </span>
        </button>
      ))}
    </nav>
  );
}

/**
 * The deployment's areas counted by status, and its hosts the console cannot reach: what cannot
 * be read is counted "blind/unknown", never "ok" (e.g. "■ 0 failing, 0 warning, 7 blind/unknown,
 * 0 ok; unreachable: web-1").
 */
export function deploymentStatusText(statuses: readonly Status[], unreachable: readonly string[]): string {
  const n = (s: Status) => statuses.filter((x) => x === s).length;
  const areas = `${n('fail')} failing, ${n('warn')} warning, ${n('unknown')} blind/unknown, ${n('ok')} ok`;
  return unreachable.length ? `${areas}; unreachable: ${unreachable.join(', ')}` : areas;
}

function DeploymentStatus({ deploymentId }: { deploymentId: string }) {
  const states = useAppStore(useShallow((s) => AREAS.map((a) => s.health[healthKey(deploymentId, a.endpoint)])));
  const { fleet, connections } = useAppStore(useShallow((s) => ({ fleet: s.fleet, connections: s.connections })));
  const now = useNow(1000);
  const statuses = useMemo(() => AREAS.map((a, i) => summarizeArea(a, states[i], now).status), [states, now]);
  const deployment = fleet?.deployments.find((d) => d.id === deploymentId);
  const unreachable = fleet && deployment ? unreachableHosts(fleet, deployment, connections) : [];
  const status = worst([...statuses, ...(unreachable.length ? (['unknown'] as const) : [])]);
  return (
    <span role="status" aria-label="Deployment status" className={`deployment-status status-${status}`}>
      <StatusIcon status={status} /> {deploymentStatusText(statuses, unreachable)}
    </span>
  );
}

/** Ask main to poll this deployment now, and say whether it will. */
function PollNow({ deploymentId }: { deploymentId: DeploymentInfo['id'] }) {
  const api = useApi();
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    if (!note) return;
    const timer = setTimeout(() => setNote(null), 4000);
    return () => clearTimeout(timer);
  }, [note]);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          void api
            .pollNow({ deploymentId })
            .then((r) => setNote(r.ok ? (r.value.scheduled ? 'poll scheduled' : 'poll not scheduled') : `poll refused: ${r.error.message}`))
        }
      >
        Poll now
      </button>
      {note ? (
        <span className="muted" role="status">
          {note}
        </span>
      ) : null}
    </>
  );
}

function HistorySeed({ deploymentId }: { deploymentId: string }) {
  const api = useApi();
  useHistorySeed(api, deploymentId);
  useHistoryRange(api, deploymentId);
  useActionMarkSources(api);
  return null;
}

/**
 * Memoised: App renders again on every view switch, and the view kept hidden behind an Activity
 * would otherwise render every panel again (each walking its hundreds of items) just to stay hidden.
 */
export const DeploymentView = memo(function DeploymentView() {
  const showCharts = useAppStore((s) => s.showCharts);
  const deployment = useAppStore(useShallow((s) => s.fleet?.deployments.find((d) => d.id === s.selectedDeploymentId) ?? null));
  if (!deployment) return <p className="notice">no deployment selected: the fleet has none, or it is still loading</p>;
  const id = deployment.id as string;
  return (
    <div className="deployment">
      <div className="deployment-head">
        <h2 className="deployment-name">{deployment.name}</h2>
        <DeploymentStatus deploymentId={id} />
        <span className="muted mono">
          {deployment.healthUrl}
          {deployment.healthVia ? ` via ${deployment.healthVia}` : ''}
        </span>
        <PollNow deploymentId={deployment.id} />
        <button type="button" aria-pressed={showCharts} onClick={toggleCharts}>
          History charts
        </button>
        {showCharts ? <ChartRangePicker /> : null}
        <DemoScenarioPicker />
      </div>
      <HistorySeed deploymentId={id} />
      <AreaStrip deploymentId={id} />
      <div className="panels">
        <CircuitBreakersPanel deploymentId={id} />
        <HostsPanel deploymentId={id} />
        <FreshnessPanel deploymentId={id} />
        <BrokersPanel deploymentId={id} />
        <SlaPanel deploymentId={id} />
        <RateLimitsPanel deploymentId={id} />
        <WorkersPanel deploymentId={id} />
        <SecurityPanel deploymentId={id} />
      </div>
    </div>
  );
});
