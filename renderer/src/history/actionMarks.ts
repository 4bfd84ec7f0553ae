// Actions taken, as marks on the panels they acted on: this console's runs (its audit log) and
// teammates' runs (the team timeline from the hosts' journals). A run marks the panel it was
// started for (the alert's panel, when it was started from one) or else the panel of its
// action's runbook area, on every deployment whose hosts it ran on.
import type { ActionSummary, AuditRecord, DeploymentInfo, TeamActivityItem } from '../../../common/contract';
import type { Endpoint } from '../../../common/health';
import type { RunbookArea } from '../../../common/contract';

/** Runbook area -> its panel's endpoint (the same map as the runbook viewer's). */
export type AreaEndpoints = Readonly<Record<RunbookArea, Exclude<Endpoint, 'overview'>>>;

export interface ActionMark {
  key: string;
  /** epoch ms the run started */
  at: number;
  who: string;
  /** "Restart a service on demo-1: succeeded" */
  what: string;
  mine: boolean;
}

export interface MarkSources {
  audit: readonly AuditRecord[];
  team: readonly TeamActivityItem[];
  catalog: readonly ActionSummary[] | null;
  deployments: readonly DeploymentInfo[];
  /** the panel a run of this console was started for (from an alert), by run id */
  origins: Readonly<Record<string, { deploymentId: string; endpoint: Endpoint }>>;
  areaEndpoints: AreaEndpoints;
}

interface Run {
  runId: string;
  at: number;
  user: string;
  mine: boolean;
  actionId: string | null;
  hosts: string[];
  outcomes: string[];
  /** the panel of the alert its intent records (a page reloaded since the run still knows it) */
  origin?: { deploymentId: string; endpoint: Endpoint };
}

function collect(runs: Map<string, Run>, runId: string, at: string, user: string, mine: boolean, actionId: string | null, hostId: string | null): Run {
  const t = Date.parse(at);
  let run = runs.get(runId);
  if (!run) {
    run = { runId, at: t, user, mine, actionId, hosts: [], outcomes: [] };
    runs.set(runId, run);
  }
  if (t < run.at) run.at = t;
  if (hostId && !run.hosts.includes(hostId)) run.hosts.push(hostId);
  return run;
}

/** Every run of this console and of the team, once each, by run id. */
function runsOf(audit: readonly AuditRecord[], team: readonly TeamActivityItem[]): Run[] {
  const runs = new Map<string, Run>();
  for (const r of audit) {
    if (!r.runId || (r.kind !== 'intent' && r.kind !== 'result')) continue;
    const run = collect(runs, r.runId, r.at, r.user, true, r.actionId, r.hostId);
    if (r.kind === 'result' && r.outcome) run.outcomes.push(r.outcome);
    if (r.alert?.deploymentId && r.alert.endpoint) run.origin = { deploymentId: r.alert.deploymentId, endpoint: r.alert.endpoint };
  }
  for (const item of team) {
    // this console's own records come back through the hosts too: the audit log has them
    if (item.mine || !item.runId || (item.event !== 'intent' && item.event !== 'outcome')) continue;
    const run = collect(runs, item.runId, item.at, item.user, false, item.actionId, item.hostId);
    if (item.event === 'outcome' && item.outcome) run.outcomes.push(item.outcome);
  }
  return [...runs.values()].filter((r) => Number.isFinite(r.at));
}

/** The marks for one panel of one deployment, oldest first. */
export function actionMarks(sources: MarkSources, deploymentId: string, endpoint: Endpoint): ActionMark[] {
  const deployment = sources.deployments.find((d) => d.id === deploymentId);
  if (!deployment) return [];
  const hosts = new Set<string>(deployment.hosts);
  const marks: ActionMark[] = [];
  for (const run of runsOf(sources.audit, sources.team)) {
    if (!run.hosts.some((h) => hosts.has(h))) continue;
    const action = run.actionId ? sources.catalog?.find((a) => a.id === run.actionId) : undefined;
    const origin = sources.origins[run.runId] ?? run.origin;
    const panel = origin
      ? origin.deploymentId === deploymentId
        ? origin.endpoint
        : null
      : action
        ? sources.areaEndpoints[action.section as RunbookArea]
        : undefined;
    if (panel !== endpoint) continue;
    const outcome = [...new Set(run.outcomes)].join(', ');
    marks.push({
      key: run.runId,
      at: run.at,
      who: run.mine ? `you (${run.user})` : run.user,
      what: `${action?.title ?? run.actionId ?? 'an action'} on ${run.hosts.join(', ')}${outcome ? `: ${outcome}` : ': running'}`,
      mine: run.mine,
    });
  }
  return marks.sort((a, b) => a.at - b.at);
}
