// Being blind is an alert like any other: a health endpoint that cannot be read, or whose data is
// older than its interval allows, raises an alert with its reason, pending time and severity,
// linked to the runbook section of the area that went dark. Pure: an endpoint's state and the
// time in, the conditions out; AlertEngine.observe keeps their pending/firing/resolved life.
import type { EndpointState } from '../../../common/contract';
import { DEFAULT_RULES, STALE_INTERVALS, type RunbookSection } from '../../../common/thresholds';

export interface Condition {
  /** deployment/rule/item (host:<id>/rule/<id> for a host), as every alert's key */
  key: string;
  /** null for a host-level condition, which names `hostId` instead */
  deploymentId: string | null;
  endpoint: EndpointState['endpoint'] | null;
  hostId?: string;
  ruleId: 'api-unreadable' | 'data-stale' | 'host-unreachable';
  item: string;
  section: RunbookSection | null;
  title: string;
  severity: 'warning' | 'critical';
  pendingMs: number;
  holds: boolean;
  reason: string;
}

/** A failing endpoint fires after this long (a single failed poll is not yet blindness). */
export const BLIND_PENDING_MS = 30_000;

function sectionOf(endpoint: string): RunbookSection {
  return DEFAULT_RULES.find((r) => r.endpoint === endpoint)?.section ?? 'data-freshness';
}

const secondsAgo = (now: number, at: string | null) => (at ? `${Math.round((now - Date.parse(at)) / 1000)} s ago` : 'never');

/** The two blindness conditions of one endpoint, held or not, at `now`. */
export function blindness(state: EndpointState, now: number, pendingMs = BLIND_PENDING_MS): Condition[] {
  const base = { deploymentId: state.deploymentId, endpoint: state.endpoint, item: state.endpoint, section: sectionOf(state.endpoint) };
  const failing = state.status === 'error';
  const age = state.lastGoodAt ? now - Date.parse(state.lastGoodAt) : null;
  // never read at all since the first poll failed counts as stale too: the panel has nothing true
  const stale = state.status !== 'pending' && (age === null ? state.polledAt !== null : age > STALE_INTERVALS * state.intervalMs);
  const why = state.error ? `${state.error.kind}: ${state.error.message}` : 'no answer';
  return [
    {
      ...base,
      key: `${state.deploymentId}/api-unreadable/${state.endpoint}`,
      ruleId: 'api-unreadable',
      title: 'health API cannot be read',
      severity: 'warning',
      pendingMs,
      holds: failing,
      reason: failing ? `${state.endpoint} cannot be read (${why}); last good data ${secondsAgo(now, state.lastGoodAt)}` : `${state.endpoint} answers again`,
    },
    {
      ...base,
      key: `${state.deploymentId}/data-stale/${state.endpoint}`,
      ruleId: 'data-stale',
      title: 'data older than its interval allows',
      severity: 'warning',
      pendingMs: 0,
      holds: stale,
      reason: stale
        ? `${state.endpoint} data is ${age === null ? 'missing' : `${Math.round(age / 1000)} s old`} (more than ${STALE_INTERVALS} poll intervals of ${Math.round(state.intervalMs / 1000)} s)`
        : `${state.endpoint} data is fresh again`,
    },
  ];
}
