// A team on call without a server: host-side locks and journal records for every run (the
// envelope the actions use), every host's records followed into one timeline, acks and snoozes
// shared through the deployment's polling host, and the local audit log checked against what the
// hosts recorded. See docs/team.md.
import type { CallHandlers, DeploymentId, HostId } from '../../../common/contract';
import type { TeamActivityItem, AuditAnchors } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import type { HostExecutor } from '../hostExec';
import type { AlertEngine } from '../alerts/AlertEngine';
import type { EventHub } from '../bridge/EventHub';
import { isoAt, type Clock, type Timers } from '../clock';
import { KeyedBatcher } from '../events/EventBatcher';
import type { Redactor } from '../redact/Redactor';
import { checkAnchors, type LocalRecord } from './anchorCheck';
import { TeamActivity } from './TeamActivity';
import { TeamEnvelope } from './TeamEnvelope';
import { ackRecordCommand, type AckRecord, type TeamRecord } from './teamRecords';

export interface TeamFeatureDeps {
  executor: HostExecutor;
  hub: EventHub;
  alerts: AlertEngine;
  /** the local audit log's records, oldest first */
  auditRecords(): Promise<LocalRecord[]>;
  redactor: Redactor;
  user: string;
  /** this console's name in host records */
  console: string;
  clock: Clock;
  timers: Timers;
  /** the deployment's host whose journal holds its shared acks (its health poll's `via`, else its first host) */
  ackHost(deploymentId: DeploymentId): HostId | null;
  hostLabel(hostId: HostId): string;
  pushWindowMs: number;
  logger: { warn(message: string): void };
  /** how long to wait before asking a host again after its follow ended; default 5 s */
  retryMs?: number;
}

/** How long an ack that could not reach its host is retried before the console says so. */
const ACK_RETRY_MS = 10_000;
const ACK_ATTEMPTS = 6;

export class TeamFeature {
  readonly envelope: TeamEnvelope;
  readonly activity: TeamActivity;
  readonly handlers: Pick<CallHandlers, 'listTeamActivity'>;
  private readonly batch: KeyedBatcher<TeamActivityItem>;

  constructor(private readonly deps: TeamFeatureDeps) {
    this.envelope = new TeamEnvelope({ user: deps.user, console: deps.console, clock: deps.clock });
    this.batch = new KeyedBatcher(
      (item) => item.id,
      (items) => deps.hub.emit('onTeamActivity', { items }),
      deps.pushWindowMs,
      deps.timers,
    );
    this.activity = new TeamActivity({
      executor: deps.executor,
      timers: deps.timers,
      logger: deps.logger,
      ...(deps.retryMs === undefined ? {} : { retryMs: deps.retryMs }),
      onRecords: (records) => {
        for (const record of records) {
          if (record.event === 'ack') this.applyTeammateAck(record);
          this.batch.push(this.item(record));
        }
      },
    });
    this.handlers = {
      listTeamActivity: async () => ({ items: this.activity.records().map((r) => this.item(r)), enabled: true }),
    };
  }

  start(hostIds: readonly HostId[]): void {
    this.activity.setHosts(hostIds);
  }

  setHosts(hostIds: readonly HostId[]): void {
    this.activity.setHosts(hostIds);
  }

  close(): void {
    this.activity.stop();
    this.batch.dispose();
  }

  /** Other consoles' records, for the incident timeline (this console's own are in its audit log). */
  teammateItems(): TeamActivityItem[] {
    return this.activity
      .records()
      .filter((r) => r.console !== this.deps.console)
      .map((r) => this.item(r));
  }

  /** The local log against the hosts' records of this console's runs. */
  async anchors(): Promise<AuditAnchors> {
    const runs = this.activity.records().filter((r) => r.event !== 'ack');
    return checkAnchors(await this.deps.auditRecords(), runs as Extract<TeamRecord, { event: 'intent' | 'outcome' }>[], this.deps.console);
  }

  /**
   * Writes an ack or snooze made on this console into the deployment's polling host's journal,
   * where every other console's follow reads it. Retried for a minute if the host cannot be
   * reached; the local ack stands either way.
   */
  share(alert: AlertRecord, kind: AckRecord['kind'], until: string | null): void {
    // a host alert's record goes to the host itself, once it answers again (the retry below)
    const hostId = alert.hostId ? (alert.hostId as HostId) : this.deps.ackHost(alert.deploymentId as DeploymentId);
    if (!hostId) return;
    const command = ackRecordCommand({
      user: this.deps.user,
      console: this.deps.console,
      alertKey: alert.key,
      kind,
      until,
      title: `${alert.item} ${alert.title}`.replace(/[\n\r\0]/g, ' '),
    });
    const attempt = (n: number): void => {
      this.deps.executor
        .exec(hostId, command, { timeoutMs: 10_000 })
        .then((result) => {
          if (result.exitCode !== 0) throw new Error(`logger exited with ${result.exitCode ?? result.signal}`);
        })
        .catch((error: Error) => {
          if (n + 1 >= ACK_ATTEMPTS) {
            this.deps.logger.warn(`team: the ${kind} of ${alert.key} could not be shared through ${hostId}: ${error.message}`);
            return;
          }
          this.deps.timers.setTimeout(() => attempt(n + 1), ACK_RETRY_MS);
        });
    };
    attempt(0);
  }

  /** A teammate's ack or snooze, read from a host's journal, applied to this console's alert. */
  private applyTeammateAck(record: AckRecord): void {
    if (record.console === this.deps.console) return;
    const alert = this.deps.alerts.list().find((a) => a.key === record.alertKey && a.state !== 'resolved');
    if (!alert) return;
    try {
      if (record.kind === 'ack') {
        if (!alert.acknowledgedAt) this.deps.alerts.acknowledge(alert.id, record.user);
      } else if (record.kind === 'unsnooze') {
        this.deps.alerts.snooze(alert.id, 0);
      } else if (record.until !== null) {
        const minutes = Math.ceil((record.until - this.deps.clock.now()) / 60_000);
        if (minutes > 0) this.deps.alerts.snooze(alert.id, Math.min(minutes, 10_080), record.user);
      }
    } catch (error) {
      this.deps.logger.warn(`team: could not apply ${record.user}'s ${record.kind} of ${record.alertKey}: ${(error as Error).message}`);
    }
  }

  private item(record: TeamRecord): TeamActivityItem {
    const r = (text: string) => this.deps.redactor.redact(text);
    const host = this.deps.hostLabel(record.hostId as HostId);
    const base = {
      id: `${record.hostId}/${record.cursor}`,
      hostId: record.hostId,
      at: isoAt(record.at),
      event: record.event,
      user: r(record.user),
      console: r(record.console),
      mine: record.console === this.deps.console,
    };
    if (record.event === 'ack') {
      const until = record.until === null ? null : isoAt(record.until);
      const what = record.kind === 'ack' ? 'acknowledged' : record.kind === 'snooze' ? `snoozed until ${until}` : 'ended the snooze of';
      return {
        ...base,
        runId: null,
        actionId: null,
        command: null,
        outcome: null,
        exitCode: null,
        alertKey: r(record.alertKey),
        ackKind: record.kind,
        until,
        text: r(`${record.user} ${what} ${record.alertKey} (on ${host})`),
      };
    }
    const text =
      record.event === 'intent'
        ? `${record.user} started ${record.actionId} on ${host}`
        : `${record.user}'s ${record.actionId} on ${host}: ${record.outcome}${record.exitCode !== null && record.outcome !== 'succeeded' ? `, exit ${record.exitCode}` : ''}`;
    return {
      ...base,
      runId: record.runId,
      actionId: record.actionId,
      command: r(record.command),
      outcome: record.outcome,
      exitCode: record.exitCode,
      alertKey: record.alertKey === null ? null : r(record.alertKey),
      ackKind: null,
      until: null,
      text: r(text),
    };
  }
}
