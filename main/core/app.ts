// The composition root: builds every service from the fleet and implements the contract.
// Both shells (Electron IPC and the browser's WebSocket) serve exactly these handlers.
import { Agent, type Dispatcher } from 'undici';
import type { CallHandlers, ConnectionState, DeploymentId, EndpointState, HostId } from '../../common/contract';
import { OpsFailure } from '../../common/result';
import { randomBytes } from 'node:crypto';
import { ActionService } from './actions/ActionService';
import type { Catalog } from './actions/Catalog';
import { AuditLog } from './audit/AuditLog';
import { IncidentExporter } from './audit/IncidentExporter';
import { EventHub } from './bridge/EventHub';
import { redactingHandlers } from './bridge/redactingHandlers';
import { systemClock, systemTimers, type Clock, type Timers } from './clock';
import { KeyedBatcher } from './events/EventBatcher';
import type { Fleet } from './fleet';
import { HealthPoller } from './health/HealthPoller';
import { Redactor } from './redact/Redactor';
import { createForwardDispatcher } from './ssh/forwardDispatcher';
import type { PassphraseStore } from './ssh/PassphraseStore';
import { SessionPool } from './ssh/SessionPool';
import { SshFeature } from './ssh/SshFeature';
import { expandHome } from './config/loadConfig';
import { RunbookLibrary } from './runbooks/RunbookLibrary';
import { runbookHandlers } from './runbooks/runbookHandlers';
import type { AlertRecord } from '../../common/thresholds';
import { AlertEngine } from './alerts/AlertEngine';
import { AlertFolder } from './alerts/AlertFolder';
import { historyAndAlertHandlers } from './alerts/alertHandlers';
import type { AlertsSettings } from './alerts/alertRules';
import { alertsSettingsFromConfig } from './alerts/alertsFromConfig';
import { HistoryStore } from './health/history/HistoryStore';
import { HostToolsFeature } from './hosts/HostToolsFeature';
import { hostToolsFromConfig, type HostToolsSettings } from './hosts/hostToolsSettings';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface OpsAppOptions {
  readonly fleet: Fleet;
  readonly catalog: Catalog;
  readonly configPath: string | null;
  readonly user: string;
  readonly auditFile: string;
  readonly maxConcurrency: number;
  readonly blastRadius: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** how often batched state goes to the views */
  readonly pushWindowMs?: number;
  /** issue 6: the loaded runbooks (bootstrap loads them); default: none */
  readonly runbooks?: RunbookLibrary;
  /** issue 3's alert rules and notification limits (bootstrap passes the config's); default: the runbook's */
  readonly alerts?: AlertsSettings;
  /** issue 7's settings (bootstrap passes the config's); default: the issue's defaults */
  readonly hostTools?: HostToolsSettings;
  /** the system browser (Electron's shell.openExternal behind the allow-list); absent in the browser shell */
  readonly openExternal?: (url: string) => Promise<boolean>;
  /** issue 5: the ssh_config hosts resolve through (bootstrap passes config.ssh.configFile, expanded) */
  readonly sshConfigPath?: string;
  /** issue 5: config.ssh's handshake cap and the event-loop stall that lowers it; default: the pool's (16, 100 ms) */
  readonly handshakes?: { readonly max: number; readonly lagLimitMs: number };
  /**
   * issue 5: reads the config again and builds the fleet from it (bootstrap's loadConfig +
   * fleetFromConfig), for hosts imported or removed without a restart; absent: no hot reload
   */
  readonly loadFleet?: () => Promise<Fleet>;
  /** issue 5: ssh.rememberPassphrases on and an OS secret store available; absent: passphrases live in memory only */
  readonly passphraseStore?: PassphraseStore;
}

export interface FleetReload {
  added: HostId[];
  removed: HostId[];
  /** what only a restart applies (deployments' health polling, leaving or entering the demo); null if nothing */
  restartNeeded: string | null;
}

export class OpsApp {
  readonly hub = new EventHub();
  readonly handlers: CallHandlers;
  readonly pool: SessionPool;
  readonly ssh: SshFeature;
  readonly poller: HealthPoller;
  readonly actions: ActionService;
  readonly audit: AuditLog;
  readonly redactor = new Redactor();
  readonly runbooks: RunbookLibrary;
  readonly history = new HistoryStore();
  readonly alerts: AlertEngine;
  readonly alertFolder: AlertFolder;
  private readonly alertBatch: KeyedBatcher<AlertRecord>;
  readonly hostTools: HostToolsFeature;
  private readonly dispatchers = new Map<DeploymentId, Dispatcher>();
  private readonly healthBatch: KeyedBatcher<EndpointState>;
  private readonly connectionBatch: KeyedBatcher<ConnectionState>;
  private readonly unsubscribers: (() => void)[] = [];
  /** the fleet now: the one bootstrap built, replaced by reloadFleet() */
  private fleet: Fleet;
  private readonly hostsById = new Map<HostId, Fleet['hosts'][number]>();
  private reloading: Promise<FleetReload> = Promise.resolve({ added: [], removed: [], restartNeeded: null });

  constructor(private readonly options: OpsAppOptions) {
    const { fleet, logger } = options;
    this.fleet = fleet;
    const clock = options.clock ?? systemClock;
    const timers = options.timers ?? systemTimers;
    const windowMs = options.pushWindowMs ?? 250;

    this.healthBatch = new KeyedBatcher(
      (state) => `${state.deploymentId}/${state.endpoint}`,
      (updates) => this.hub.emit('onHealth', { updates }),
      windowMs,
      timers,
    );
    this.connectionBatch = new KeyedBatcher(
      (state) => state.hostId,
      (updates) => this.hub.emit('onConnection', { updates }),
      windowMs,
      timers,
    );

    // issue 5: passphrase and host-key questions go to the views through the hub
    this.ssh = new SshFeature({
      hub: this.hub,
      configPath: options.configPath,
      sshConfigPath: options.sshConfigPath ?? expandHome('~/.ssh/config'),
      randomHex: (n) => randomBytes(n).toString('hex'),
      logger,
      reloadFleet: () => this.reloadFleet(),
      ...(options.passphraseStore ? { passphraseStore: options.passphraseStore } : {}),
    });
    this.pool = new SessionPool({
      clock,
      logger,
      ...(options.handshakes ? { maxConcurrentHandshakes: options.handshakes.max, handshakeLagLimitMs: options.handshakes.lagLimitMs } : {}),
      ...this.ssh.poolDeps(),
    });
    this.ssh.attach(this.pool);
    this.pool.setHosts([...fleet.targets]);
    // A connection error can quote a ProxyCommand's stderr or a server banner: scrub it.
    this.unsubscribers.push(this.pool.onState((state) => this.connectionBatch.push(this.scrubConnection(state))));

    for (const deployment of fleet.deployments) {
      const origin = new URL(deployment.healthUrl);
      const dispatcher: Dispatcher = deployment.healthVia
        ? createForwardDispatcher(this.pool, deployment.healthVia, origin.hostname, Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)))
        : new Agent({ keepAliveTimeout: 30_000, connections: 2, connect: { noDelay: true } });
      this.dispatchers.set(deployment.id, dispatcher);
    }

    // ---- history and alerts (issue 3): fed by every poll, pushed as batched alert updates
    this.alertBatch = new KeyedBatcher((alert) => alert.id, (updates) => this.hub.emit('onAlerts', { updates }), windowMs, timers);
    const names = new Map(fleet.deployments.map((d) => [d.id as string, d.name]));
    // a flood of item alerts on one deployment's endpoint reaches the page as one alert
    this.alertFolder = new AlertFolder({
      clock,
      onChange: (alert) => this.alertBatch.push(alert),
      onNotify: (notification) => this.hub.emit('onAlertNotification', notification),
      deploymentName: (id) => names.get(id) ?? id,
    });
    this.alerts = new AlertEngine({
      settings: options.alerts ?? alertsSettingsFromConfig(null),
      clock,
      onChange: this.alertFolder.change,
      onNotify: this.alertFolder.notify,
      deploymentName: (id) => names.get(id) ?? id,
    });

    this.poller = new HealthPoller({
      dispatcherFor: (id) => {
        const dispatcher = this.dispatchers.get(id);
        if (!dispatcher) throw new Error(`no dispatcher for deployment ${id}`);
        return dispatcher;
      },
      onUpdate: (state) => this.healthBatch.push(state),
      redact: (text) => this.redactor.redact(text),
      onPolled: (_id, _endpoint, state) => {
        this.history.record(state);
        this.alerts.evaluate(state);
      },
      clock,
      timers,
    });

    this.audit = new AuditLog({ path: options.auditFile, redactor: this.redactor, clock });
    for (const host of fleet.hosts) this.hostsById.set(host.id, host);
    const hostsById = this.hostsById;
    this.actions = new ActionService({
      catalog: options.catalog,
      executor: this.pool,
      audit: this.audit,
      redactor: this.redactor,
      clock,
      timers,
      randomBytes,
      user: options.user,
      hostLookup: (id: HostId) => hostsById.get(id),
      maxConcurrency: options.maxConcurrency,
      blastRadius: options.blastRadius,
      emitOutput: (payload) => this.hub.emit('onRunOutput', payload),
      emitStatus: (payload) => {
        this.hub.emit('onRunStatus', payload);
        // A finished action changes what the panels should show: poll its deployments now.
        if (payload.state !== 'running' && payload.state !== 'queued') {
          for (const deployment of this.fleet.deployments) {
            if (deployment.hosts.includes(payload.hostId)) this.poller.pollNow(deployment.id);
          }
        }
      },
      logger,
    });

    // one exporter for the Audit view and escalation; it reads the fleet as it is now
    const incidents = new IncidentExporter({ audit: this.audit, alerts: () => this.alerts.list(), deployments: () => this.fleet.deployments, redactor: this.redactor, clock, user: options.user });
    this.hostTools = new HostToolsFeature({
      pool: this.pool,
      hosts: fleet.hosts,
      deployments: fleet.deployments,
      settings: options.hostTools ?? hostToolsFromConfig(null, options.auditFile, fleet.deployments.map((d) => d.id)),
      hub: this.hub,
      audit: this.audit,
      redactor: this.redactor,
      user: options.user,
      clock,
      timers,
      pushWindowMs: windowMs,
      health: () => this.poller.states(),
      incidents,
      openExternal: options.openExternal ?? (async () => false),
      logger,
    });

    this.runbooks = options.runbooks ?? new RunbookLibrary({ folders: [], catalog: options.catalog, logger });
    this.handlers = {
      getFleet: async () => this.fleetInfo(),
      getSnapshot: async () => ({ connections: this.pool.states().map((state) => this.scrubConnection(state)), health: this.poller.states() }),
      listActions: async () => this.actions.list(),
      previewAction: async (request) => this.actions.previewChecked(request),
      runAction: async (request) => this.actions.run(request),
      cancelRun: async (request) => ({ cancelled: this.actions.cancel(request.runId) }),
      listAudit: async (request) => {
        const [records, verdict] = await Promise.all([this.audit.read(request.limit), this.audit.verify()]);
        return { records, chainOk: verdict.ok, chainError: verdict.ok ? null : verdict.error };
      },
      exportIncidentTimeline: async (request) => incidents.export(request),
      pollNow: async (request) => {
        if (!this.poller.pollNow(request.deploymentId)) throw new OpsFailure('not-found', `no deployment "${request.deploymentId}"`);
        return { scheduled: true };
      },
      ...historyAndAlertHandlers({ history: this.history, alerts: this.alerts, folder: this.alertFolder, user: options.user, hasDeployment: (id) => names.has(id) }),
      ...this.hostTools.handlers,
      ...runbookHandlers(this.runbooks),
      ...this.ssh.handlers,
    };
    this.handlers = redactingHandlers(this.handlers, (text) => this.redactor.redact(text));
  }

  private scrubConnection(state: ConnectionState): ConnectionState {
    return state.error ? { ...state, error: this.redactor.redact(state.error) } : state;
  }

  private fleetInfo() {
    return {
      demo: this.fleet.demo,
      configPath: this.options.configPath,
      user: this.options.user,
      hosts: [...this.fleet.hosts],
      deployments: [...this.fleet.deployments],
    };
  }

  /**
   * Apply the config file's hosts now (after an ssh_config import, issue 5): new hosts appear
   * in every view and connect, removed ones disconnect, changed ones reconnect; deployments'
   * host lists follow. Health polling is built once per deployment, so a change to a
   * deployment's health settings, or leaving the demo fleet, still needs a restart (said so).
   * Reloads run one at a time.
   */
  reloadFleet(): Promise<FleetReload> {
    this.reloading = this.reloading.catch(() => null).then(() => this.applyReload());
    return this.reloading;
  }

  private async applyReload(): Promise<FleetReload> {
    const load = this.options.loadFleet;
    if (!load) return { added: [], removed: [], restartNeeded: 'this console was started without a config file to reload' };
    if (this.fleet.demo) return { added: [], removed: [], restartNeeded: 'the demo fleet is replaced by your hosts on the next start' };
    const next = await load();
    if (next.demo || next.hosts.length === 0) return { added: [], removed: [], restartNeeded: 'the config names no hosts now: the demo fleet opens on the next start' };
    const before = new Set(this.fleet.hosts.map((h) => h.id));
    const after = new Set(next.hosts.map((h) => h.id));
    const added = next.hosts.map((h) => h.id).filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !after.has(id));
    const health = (f: Fleet) => JSON.stringify([f.deployments.map((d) => [d.id, d.name, d.healthUrl, d.healthVia]), f.polled]);
    const restartNeeded = health(next) === health(this.fleet) ? null : "deployments' health settings changed: they apply on the next start";
    const wasActive = new Set(this.pool.states().filter((s) => s.state !== 'idle').map((s) => s.hostId));
    // the pool drops removed hosts' connections and reconnects hosts whose settings changed
    this.pool.setHosts([...next.targets]);
    const previous = this.fleet;
    this.fleet = { ...next, deployments: restartNeeded ? previous.deployments.map((d) => ({ ...d, hosts: next.deployments.find((n) => n.id === d.id)?.hosts ?? d.hosts })) : next.deployments, polled: previous.polled, stop: previous.stop };
    this.hostsById.clear();
    for (const host of this.fleet.hosts) this.hostsById.set(host.id, host);
    this.hostTools.setFleet(this.fleet.hosts, this.fleet.deployments);
    for (const state of this.pool.states()) {
      // new hosts, and hosts whose connection was rebuilt, connect as at start-up
      if (state.state === 'idle' && (added.includes(state.hostId) || wasActive.has(state.hostId))) {
        this.pool.connect(state.hostId).catch((error: Error) => this.options.logger.warn(`${state.hostId}: ${error.message}`));
      }
    }
    this.hub.emit('onFleet', this.fleetInfo());
    this.options.logger.info(`fleet reloaded from ${this.options.configPath}: ${added.length} host(s) added${added.length ? ` (${added.join(', ')})` : ''}, ${removed.length} removed${removed.length ? ` (${removed.join(', ')})` : ''}${restartNeeded ? `; ${restartNeeded}` : ''}`);
    return { added, removed, restartNeeded };
  }

  async start(): Promise<void> {
    for (const host of this.options.fleet.hosts) {
      // Connect in the background: a host that is down must not hold up the others or the UI.
      this.pool.connect(host.id).catch((error: Error) => this.options.logger.warn(`${host.id}: ${error.message}`));
    }
    this.poller.start(this.options.fleet.polled);
    this.hostTools.start();
  }

  async close(): Promise<void> {
    this.poller.stop();
    await this.hostTools.close();
    await this.actions.stopAll();
    // the last records are on disk already; their head line follows them: let it land before exit
    await this.audit.idle();
    this.healthBatch.dispose();
    this.connectionBatch.dispose();
    this.alertBatch.dispose();
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.ssh.close();
    await Promise.allSettled([...this.dispatchers.values()].map((dispatcher) => dispatcher.close()));
    await this.pool.close();
    await this.options.fleet.stop();
  }
}

