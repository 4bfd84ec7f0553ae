// The host view's tools put together: the host view's monitor, terminals, tunnels and escalation, built from
// the app's pool, audit log and redactor, and the contract handlers that serve them. The
// composition root constructs one and spreads `handlers` into its own.
import { randomBytes } from 'node:crypto';
import type { CallHandlers, DeploymentId, EndpointState, HostFacts, HostId, HostInfo, DeploymentInfo } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Logger } from '../../../common/logger';
import type { AuditLog } from '../audit/AuditLog';
import type { EventHub } from '../bridge/EventHub';
import type { Clock, Timers } from '../clock';
import { KeyedBatcher } from '../events/EventBatcher';
import { EscalationService } from '../escalation/EscalationService';
import type { IncidentExporter } from '../audit/IncidentExporter';
import type { Redactor } from '../redact/Redactor';
import type { SessionPool } from '../ssh/SessionPool';
import { TerminalService } from '../terminal/TerminalService';
import { TunnelService } from '../tunnels/TunnelService';
import { HostMonitor } from './HostMonitor';
import { hostToolsView, type HostToolsSettings } from './hostToolsSettings';

type HostToolCalls =
  'getHostFacts' | 'refreshHost' | 'terminalOpen' | 'terminalInput' | 'terminalResize' | 'terminalClose' | 'openTunnel' | 'closeTunnel' | 'escalate';

export interface HostToolsFeatureDeps {
  pool: Pick<SessionPool, 'exec' | 'shell' | 'forwardOut' | 'onState' | 'states'>;
  hosts: readonly HostInfo[];
  deployments: readonly DeploymentInfo[];
  settings: HostToolsSettings;
  hub: EventHub;
  audit: Pick<AuditLog, 'append'>;
  redactor: Redactor;
  user: string;
  clock: Clock;
  timers: Timers;
  pushWindowMs: number;
  health(): readonly EndpointState[];
  /** the Audit view's exporter: escalation hands the next tier the same verified timeline */
  incidents: Pick<IncidentExporter, 'export'>;
  openExternal(url: string): Promise<boolean>;
  logger: Pick<Logger, 'warn'>;
}

export class HostToolsFeature {
  readonly monitor: HostMonitor;
  readonly terminals: TerminalService;
  readonly tunnels: TunnelService;
  readonly escalation: EscalationService;
  readonly handlers: Pick<CallHandlers, HostToolCalls>;
  private readonly factsBatch: KeyedBatcher<HostFacts>;
  private openExternal: (url: string) => Promise<boolean>;
  /** the fleet now: replaced by setFleet when hosts are imported or removed without a restart */
  private readonly hostIds = new Set<HostId>();
  private readonly labels = new Map<string, string>();
  private deployments: readonly DeploymentInfo[];

  constructor(private readonly deps: HostToolsFeatureDeps) {
    const { pool, hub, settings, clock, timers } = deps;
    this.openExternal = deps.openExternal;
    this.deployments = deps.deployments;
    for (const h of deps.hosts) {
      this.hostIds.add(h.id);
      this.labels.set(h.id, h.label);
    }
    const hostIds = this.hostIds;
    const labels = this.labels;
    this.factsBatch = new KeyedBatcher(
      (f) => f.hostId,
      (updates) => hub.emit('onHostFacts', { updates }),
      deps.pushWindowMs,
      timers,
    );
    this.monitor = new HostMonitor({
      pool,
      hostIds: [...hostIds],
      settings: settings.monitor,
      clock,
      timers,
      onUpdate: (f) => this.factsBatch.push(f),
      logger: deps.logger,
      redact: (text) => deps.redactor.redact(text),
    });
    this.terminals = new TerminalService({
      shell: (id, pty) => pool.shell(id, pty),
      audit: deps.audit,
      user: deps.user,
      redactor: deps.redactor,
      clock,
      timers,
      randomBytes,
      emitOutput: (payload) => hub.emit('onTerminalOutput', payload),
      emitState: (payload) => hub.emit('onTerminalState', payload),
      recording: settings.recording,
      logger: deps.logger,
      knownHost: (id) => hostIds.has(id),
    });
    this.tunnels = new TunnelService({
      forwardOut: (id, host, port) => pool.forwardOut(id, host, port),
      onState: (listener) => pool.onState(listener),
      dashboardsFor: (id) => {
        // a host in several deployments offers each one's dashboards once
        const seen = new Map<string, (typeof settings.dashboards)[string][number]>();
        for (const d of this.deployments) if (d.hosts.includes(id)) for (const x of settings.dashboards[d.id] ?? []) if (!seen.has(x.name)) seen.set(x.name, x);
        return [...seen.values()];
      },
      clock,
      randomBytes,
      emitTunnels: (tunnels) => hub.emit('onTunnels', { tunnels }),
      logger: deps.logger,
    });
    this.escalation = new EscalationService({
      escalation: settings.escalation,
      deployment: (id) => this.deployments.find((d) => d.id === id),
      hostLabel: (id) => labels.get(id) ?? id,
      health: deps.health,
      hostFacts: () => this.monitor.all(),
      incidentTimeline: async (deploymentId, now) => (await deps.incidents.export({ deploymentId }, now)).markdown,
      openExternal: (url) => this.openExternal(url),
    });
    const must = <T>(value: T | false, what: string): T => {
      if (value === false) throw new OpsFailure('not-found', what);
      return value;
    };
    this.handlers = {
      getHostFacts: async () => ({ hosts: this.monitor.all(), tools: hostToolsView(settings), tunnels: this.tunnels.list() }),
      refreshHost: async ({ hostId }) => ({ scheduled: must(this.monitor.refreshNow(hostId), `no host "${hostId}"`) }),
      terminalOpen: async ({ hostId, cols, rows }) => ({ terminalId: await this.terminals.open(hostId, cols, rows) }),
      terminalInput: async ({ terminalId, data }) => ({ accepted: this.terminals.input(terminalId, data) }),
      terminalResize: async ({ terminalId, cols, rows }) => ({ resized: this.terminals.resize(terminalId, cols, rows) }),
      terminalClose: async ({ terminalId }) => ({ closed: this.terminals.close(terminalId) }),
      openTunnel: async ({ hostId, dashboard }) => {
        if (!hostIds.has(hostId)) throw new OpsFailure('not-found', `no host "${hostId}"`);
        const tunnel = await this.tunnels.open(hostId, dashboard);
        return { tunnel, opened: await this.openExternal(tunnel.url).catch(() => false) };
      },
      closeTunnel: async ({ tunnelId }) => ({ closed: this.tunnels.close(tunnelId) }),
      escalate: async ({ deploymentId, target }) => this.escalation.escalate(deploymentId as DeploymentId, target),
    };
  }

  start(): void {
    this.monitor.start();
  }

  /** Hosts imported or removed without a restart; open terminals and tunnels of removed hosts end with their connection. */
  setFleet(hosts: readonly HostInfo[], deployments: readonly DeploymentInfo[]): void {
    this.deployments = deployments;
    this.hostIds.clear();
    this.labels.clear();
    for (const h of hosts) {
      this.hostIds.add(h.id);
      this.labels.set(h.id, h.label);
    }
    this.monitor.setHosts(hosts.map((h) => h.id));
  }

  /**
   * The Electron entry hands in the system browser after bootstrap has built the app:
   * `ops.hostTools.setOpenExternal(createOpenExternal(() => ops.hostTools.escalation.allowedOrigins()))`.
   */
  setOpenExternal(open: (url: string) => Promise<boolean>): void {
    this.openExternal = open;
  }

  async close(): Promise<void> {
    this.monitor.stop();
    this.factsBatch.dispose();
    this.tunnels.closeAll();
    await this.terminals.closeAll();
  }
}
