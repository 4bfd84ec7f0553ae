// The runbook's last step: hand the incident to the next tier. Each deployment may name a
// PagerDuty service, a ticket system and a log platform (https only, from the config); the
// Escalate control opens that URL and gives back the incident timeline as Markdown for the
// ticket: what is wrong now (health endpoints in error, items out of bounds, hosts in trouble)
// followed by the same timeline the Audit view exports (alerts and actions, the audit chain
// verified, every line through the Redactor). One renderer for both, so a ticket never
// carries records whose chain nobody checked.
import type { DeploymentId, EndpointState, EscalationTarget, HostFacts, HostId } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { isAllowedExternalUrl } from '../externalLinks';

export interface EscalationDeps {
  escalation: Readonly<Record<string, Partial<Record<EscalationTarget, string>>>>;
  deployment(id: DeploymentId): { name: string; hosts: readonly HostId[] } | undefined;
  hostLabel(id: HostId): string;
  health(): readonly EndpointState[];
  hostFacts(): readonly HostFacts[];
  /** the Audit view's exporter (IncidentExporter.export) for one deployment, with `now` on top */
  incidentTimeline(deploymentId: DeploymentId, now: readonly string[]): Promise<string>;
  /** opens the URL in the system browser; false where there is none (the browser shell) */
  openExternal(url: string): Promise<boolean>;
}

const TARGET_NAMES: Record<EscalationTarget, string> = { pagerduty: 'PagerDuty', ticket: 'ticket system', logs: 'log platform' };

export class EscalationService {
  constructor(private readonly deps: EscalationDeps) {}

  /** Every configured escalation origin: the only https sites the app will open. */
  allowedOrigins(): string[] {
    const origins = new Set<string>();
    for (const targets of Object.values(this.deps.escalation)) {
      for (const url of Object.values(targets)) if (url) origins.add(new URL(url).origin);
    }
    return [...origins];
  }

  /**
   * `url` comes back only when it could not be opened here (the browser shell shows it as a
   * link); once the system browser has it, the renderer has no need of a URL that may carry a
   * token.
   */
  async escalate(deploymentId: DeploymentId, target: EscalationTarget): Promise<{ url: string | null; opened: boolean; markdown: string }> {
    const deployment = this.deps.deployment(deploymentId);
    if (!deployment) throw new OpsFailure('not-found', `no deployment "${deploymentId}"`);
    const url = this.deps.escalation[deploymentId]?.[target];
    if (!url) throw new OpsFailure('not-found', `${deployment.name}: the config names no ${TARGET_NAMES[target]} URL (deployments[].escalation.${target})`);
    if (!isAllowedExternalUrl(url, this.allowedOrigins())) throw new OpsFailure('forbidden', `${url} is not an allowed link`);
    const markdown = await this.deps.incidentTimeline(deploymentId, this.wrongNow(deploymentId, deployment.hosts));
    const opened = await this.deps.openExternal(url).catch(() => false);
    return { url: opened ? null : url, opened, markdown };
  }

  /** One line per thing out of order in the deployment right now (the timeline redacts them). */
  wrongNow(deploymentId: DeploymentId, hostIds: readonly HostId[]): string[] {
    const hosts = new Set<string>(hostIds);
    const lines: string[] = [];
    for (const e of this.deps.health()) {
      if (e.deploymentId !== deploymentId) continue;
      if (e.status === 'error' && e.error) lines.push(`${e.endpoint}: ${e.error.kind}: ${e.error.message} (last good ${e.lastGoodAt ?? 'never'})`);
      for (const [name, item] of Object.entries(e.items)) {
        if (!item.ok) lines.push(`${e.endpoint} ${name}: ${item.why}`);
      }
    }
    for (const f of this.deps.hostFacts()) {
      if (!hosts.has(f.hostId) || f.status === 'ok') continue;
      lines.push(`host ${this.deps.hostLabel(f.hostId)}: ${f.reasons.join('; ')}`);
    }
    return lines;
  }
}
