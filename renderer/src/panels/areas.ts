// The seven runbook areas, in the runbook's order, with the endpoint behind each and the
// function that rates one endpoint state. The fleet overview and the panel headers share it.
import type { EndpointState } from '../../../common/contract';
import type { Endpoint } from '../../../common/health';
import { RUNBOOK_SECTION_TITLES } from '../../../common/thresholds';
import type { Status } from '../status/status';
import { selectBrokerRows } from './brokers/selectors';
import { selectBreakerRows } from './circuit-breakers/selectors';
import { selectFreshnessRows } from './freshness/selectors';
import { selectRateLimitRows } from './rate-limits/selectors';
import { selectSecurityRows } from './security/selectors';
import { panelState, panelStatus } from './shared/panelState';
import type { Row } from './shared/rows';
import { selectSlaRows } from './sla/selectors';
import { selectQueueRows } from './workers/selectors';

export interface Area {
  endpoint: Exclude<Endpoint, 'overview'>;
  title: string;
  /** heading in autotrader-runbooks.md */
  runbook: string;
  rows: (state: EndpointState | undefined, now: number) => Array<Row<unknown>>;
}

export const AREAS: readonly Area[] = [
  { endpoint: 'freshness', title: 'Data freshness', runbook: RUNBOOK_SECTION_TITLES['data-freshness'], rows: (s) => selectFreshnessRows(s) },
  { endpoint: 'brokers', title: 'Brokers', runbook: RUNBOOK_SECTION_TITLES['broker-connectivity'], rows: selectBrokerRows },
  { endpoint: 'sla', title: 'SLA', runbook: RUNBOOK_SECTION_TITLES['sla-violations'], rows: (s) => selectSlaRows(s) },
  { endpoint: 'circuitBreakers', title: 'Circuit breakers', runbook: RUNBOOK_SECTION_TITLES['circuit-breakers'], rows: selectBreakerRows },
  { endpoint: 'rateLimits', title: 'Rate limits', runbook: RUNBOOK_SECTION_TITLES['rate-limits'], rows: selectRateLimitRows },
  { endpoint: 'workers', title: 'Worker queues', runbook: RUNBOOK_SECTION_TITLES['worker-queues'], rows: (s) => selectQueueRows(s) },
  { endpoint: 'security', title: 'Security checks', runbook: RUNBOOK_SECTION_TITLES['security-checks'], rows: (s) => selectSecurityRows(s) },
];

export interface AreaSummary {
  status: Status;
  /** the first reason to read, e.g. "coingecko: usage 90 % > 80 %", or the panel's error */
  headline: string;
  problems: number;
  error: boolean;
  stale: boolean;
}

export function summarizeArea(area: Area, state: EndpointState | undefined, now: number): AreaSummary {
  const panel = panelState(state, now);
  const rows = panel.phase === 'data' ? area.rows(state, now) : [];
  const status = panelStatus(
    panel,
    rows.map((r) => r.status),
  );
  const bad = rows.filter((r) => r.status !== 'ok');
  const first = bad[0];
  let headline = first ? `${first.name}: ${first.reasons[0] ?? first.status}` : 'all ok';
  if (panel.phase === 'missing') headline = 'no data yet';
  else if (panel.phase === 'pending') headline = panel.error ? `${panel.error.kind}: ${panel.error.message}` : 'waiting for first poll';
  else if (panel.error && !first) headline = `${panel.error.kind}: ${panel.error.message}`;
  else if (panel.stale && !first) headline = 'data stale';
  return { status, headline, problems: bad.length, error: panel.error !== null, stale: panel.stale };
}
