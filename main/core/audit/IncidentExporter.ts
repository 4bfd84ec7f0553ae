// Builds the incident timeline a user exports from the Audit view: the audit log's records and
// the alert engine's alerts for a window (and optionally one deployment), rendered as redacted
// Markdown by renderIncidentTimeline. The chain is verified on every export so the document says
// whether its action records can be trusted.
import { OpsFailure } from '../../../common/result';
import type { AlertRecord } from '../../../common/thresholds';
import type { AuditRecord, DeploymentInfo } from '../../../common/contract';
import { isoAt, type Clock } from '../clock';
import type { Redactor } from '../redact/Redactor';
import type { VerifyResult } from './AuditLog';
import { renderIncidentTimeline } from './incidentTimeline';

/** Without `since`, the export covers this much time back from now. */
export const DEFAULT_WINDOW_MS = 24 * 3600_000;
/** Records read from the end of the log; an incident longer than this is cut at the oldest end. */
export const MAX_RECORDS = 20_000;

export interface IncidentExporterDeps {
  audit: { read(limit: number): Promise<AuditRecord[]>; verify(): Promise<VerifyResult> };
  alerts: () => readonly AlertRecord[];
  /** the fleet's deployments now: an ssh_config import can add hosts to one without a restart */
  deployments: () => readonly Pick<DeploymentInfo, 'id' | 'name' | 'hosts'>[];
  redactor: Redactor;
  clock: Clock;
  user: string;
  /** the team's other consoles' runs and acks from the hosts' journals; absent: none */
  teammates?: () => readonly { at: string; hostId: string; text: string; command: string | null }[];
}

export class IncidentExporter {
  constructor(private readonly deps: IncidentExporterDeps) {}

  /** `wrongNow`: what is wrong at export time, for escalation (see TimelineInput.now). */
  async export(
    request: { deploymentId?: string | undefined; since?: string | undefined },
    wrongNow?: readonly string[],
  ): Promise<{ markdown: string; from: string; to: string }> {
    const now = this.deps.clock.now();
    const to = isoAt(now);
    const sinceMs = request.since === undefined ? now - DEFAULT_WINDOW_MS : Date.parse(request.since);
    if (Number.isNaN(sinceMs)) throw new OpsFailure('bad-request', `exportIncidentTimeline: since: not a time: "${request.since}"`);
    if (sinceMs > now) throw new OpsFailure('bad-request', `exportIncidentTimeline: since (${request.since}) is in the future`);
    const from = isoAt(sinceMs);

    let deployment: ReturnType<IncidentExporterDeps['deployments']>[number] | undefined;
    if (request.deploymentId !== undefined) {
      deployment = this.deps.deployments().find((d) => d.id === request.deploymentId);
      if (!deployment) throw new OpsFailure('not-found', `exportIncidentTimeline: no deployment "${request.deploymentId}"`);
    }
    const hosts = deployment ? new Set<string>(deployment.hosts) : null;

    const [records, verdict] = await Promise.all([this.deps.audit.read(MAX_RECORDS), this.deps.audit.verify()]);
    const markdown = renderIncidentTimeline({
      title: deployment ? `Incident timeline: ${deployment.name}` : 'Incident timeline: all deployments',
      from,
      to,
      // A deployment's timeline holds what ran on its hosts; run-wide notes without a host stay out.
      records: hosts ? records.filter((r) => r.hostId !== null && hosts.has(r.hostId)) : records,
      // a host that cannot be reached belongs to the story of every deployment it serves
      alerts: deployment ? this.deps.alerts().filter((a) => a.deploymentId === deployment.id || (a.hostId && hosts!.has(a.hostId))) : this.deps.alerts(),
      chain: verdict.ok ? { ok: true } : { ok: false, error: verdict.error },
      generatedAt: to,
      generatedBy: this.deps.user,
      redactor: this.deps.redactor,
      ...(wrongNow ? { now: wrongNow } : {}),
      ...(this.deps.teammates ? { teammates: this.deps.teammates().filter((t) => !hosts || hosts.has(t.hostId)) } : {}),
    });
    return { markdown, from, to };
  }
}
