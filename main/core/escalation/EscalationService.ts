// The runbook's last step: hand the incident to the next tier. Each deployment may name a
// PagerDuty service, a ticket system and a log platform (https only, from the config); the
// Escalate control opens that URL and gives back the incident timeline as Markdown for the
// ticket: what is wrong now (health endpoints in error, hosts in trouble) and what was done
// so far (the audit log), every line through the Redactor.
import type { AuditRecord, DeploymentId, EndpointState, EscalationTarget, HostFacts, HostId } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { isoAt, type Clock } from '../clock';
import { isAllowedExternalUrl } from '../externalLinks';
import type { Redactor } from '../redact/Redactor';

/** The fields of issue 3's AlertRecord the timeline shows. */
export interface TimelineAlert {
  deploymentId: string;
  item: string;
  title: string;
  severity: string;
  state: string;
  reason: string;
  pendingSince: string;
  firedAt: string | null;
  resolvedAt: string | null;
  acknowledgedBy: string | null;
}

export interface EscalationDeps {
  escalation: Readonly<Record<string, Partial<Record<EscalationTarget, string>>>>;
  deployment(id: DeploymentId): { name: string; hosts: readonly HostId[] } | undefined;
  hostLabel(id: HostId): string;
  health(): readonly EndpointState[];
  /** the alert engine's alerts (issue 3); empty where there is none */
  alerts(): readonly TimelineAlert[];
  hostFacts(): readonly HostFacts[];
  auditTail(limit: number): Promise<AuditRecord[]>;
  redactor: Redactor;
  clock: Clock;
  /** opens the URL in the system browser; false where there is none (the browser shell) */
  openExternal(url: string): Promise<boolean>;
}

const TARGET_NAMES: Record<EscalationTarget, string> = { pagerduty: 'PagerDuty', ticket: 'ticket system', logs: 'log platform' };

/** Markdown table cells: no pipes or newlines from the data may break the table. */
const cell = (text: string | number | null | undefined): string => String(text ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').slice(0, 300);

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

  async escalate(deploymentId: DeploymentId, target: EscalationTarget): Promise<{ url: string; opened: boolean; markdown: string }> {
    const deployment = this.deps.deployment(deploymentId);
    if (!deployment) throw new OpsFailure('not-found', `no deployment "${deploymentId}"`);
    const url = this.deps.escalation[deploymentId]?.[target];
    if (!url) throw new OpsFailure('not-found', `${deployment.name}: the config names no ${TARGET_NAMES[target]} URL (deployments[].escalation.${target})`);
    if (!isAllowedExternalUrl(url, this.allowedOrigins())) throw new OpsFailure('forbidden', `${url} is not an allowed link`);
    const markdown = await this.timeline(deploymentId);
    const opened = await this.deps.openExternal(url).catch(() => false);
    return { url, opened, markdown };
  }

  async timeline(deploymentId: DeploymentId): Promise<string> {
    const deployment = this.deps.deployment(deploymentId);
    if (!deployment) throw new OpsFailure('not-found', `no deployment "${deploymentId}"`);
    const hosts = new Set<string>(deployment.hosts);
    const lines: string[] = [`# Incident timeline: ${cell(deployment.name)}`, '', `Exported ${isoAt(this.deps.clock.now())} from Opsdeck.`, '', '## Alerts now', ''];
    const alerts: string[] = [];
    for (const e of this.deps.health()) {
      if (e.deploymentId !== deploymentId) continue;
      if (e.status === 'error' && e.error) alerts.push(`- ${e.endpoint}: ${e.error.kind}: ${e.error.message} (last good ${e.lastGoodAt ?? 'never'})`);
      for (const [name, item] of Object.entries(e.items)) {
        if (!item.ok) alerts.push(`- ${e.endpoint} ${name}: ${item.why}`);
      }
    }
    for (const f of this.deps.hostFacts()) {
      if (!hosts.has(f.hostId) || f.status === 'ok') continue;
      alerts.push(`- host ${this.deps.hostLabel(f.hostId)}: ${f.reasons.join('; ')}`);
    }
    lines.push(...(alerts.length ? alerts.map((a) => a.replace(/[\r\n]+/g, ' ')) : ['- none']));
    const fired = this.deps.alerts().filter((a) => a.deploymentId === deploymentId);
    if (fired.length) {
      lines.push('', '## Alerts (alert engine)', '', '| Since (UTC) | Severity | State | Item | Alert | Value | Resolved | Acknowledged by |', '|---|---|---|---|---|---|---|---|');
      for (const a of [...fired].sort((x, y) => (x.firedAt ?? x.pendingSince).localeCompare(y.firedAt ?? y.pendingSince))) {
        lines.push(`| ${cell(a.firedAt ?? a.pendingSince)} | ${cell(a.severity)} | ${cell(a.state)} | ${cell(a.item)} | ${cell(a.title)} | ${cell(a.reason)} | ${cell(a.resolvedAt)} | ${cell(a.acknowledgedBy)} |`);
      }
    }
    lines.push('', '## Actions so far (audit log)', '', '| When (UTC) | Who | Kind | Host | Action | Command | Exit | Outcome |', '|---|---|---|---|---|---|---|---|');
    const records = (await this.deps.auditTail(500)).filter((r) => r.hostId === null || hosts.has(r.hostId));
    for (const r of records) {
      lines.push(`| ${cell(r.at)} | ${cell(r.user)} | ${cell(r.kind)} | ${cell(r.hostId ? this.deps.hostLabel(r.hostId as HostId) : '')} | ${cell(r.actionId)} | ${cell(r.command ? `\`${r.command.replace(/`/g, "'")}\`` : '')} | ${cell(r.exitCode)} | ${cell(r.outcome)} |`);
    }
    if (!records.length) lines.push('| | | | | | no actions recorded | | |');
    return this.deps.redactor.redact(lines.join('\n')) + '\n';
  }
}
