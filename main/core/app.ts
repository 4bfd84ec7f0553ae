// The composition root: builds every service from the fleet and implements the contract.
// Both shells (Electron IPC and the browser's WebSocket) serve exactly these handlers.
import { Agent, type Dispatcher } from 'undici';
import { type CallHandlers, type ConnectionState, type DeploymentId, type EndpointState, type HostId, RUN_OUTPUT_PAGE_LINES } from '../../common/contract';
import type { Logger } from '../../common/logger';
import { mergeDisjoint } from '../../common/mergeDisjoint';
import { OpsFailure } from '../../common/result';
import { randomBytes } from 'node:crypto';
import { ActionService } from './actions/ActionService';
import { FollowSpools } from './actions/FollowSpool';
import { RunOutputs } from './actions/RunOutputs';
import type { Catalog } from './actions/Catalog';
import { AuditLog } from './audit/AuditLog';
import { BlindnessWatch } from './alerts/BlindnessWatch';
import { HostReachWatch } from './alerts/HostReachWatch';
import type { AuditKeySource } from './audit/auditKey';
import { IncidentExporter } from './audit/IncidentExporter';
import { EventHub } from './bridge/EventHub';
import { redactingHandlers } from './bridge/redactingHandlers';
import { systemClock, systemTimers, type Clock, type Timers } from './clock';
import { KeyedBatcher } from './events/EventBatcher';
import type { DemoScenarioControl, Fleet } from './fleet';
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
import { alertsSettingsFromConfig } from './config/alertsSettings';
import { HistoryStore } from './health/history/HistoryStore';
import { backfillHistory } from './health/history/backfillHistory';
import { HostToolsFeature } from './hosts/HostToolsFeature';
import { hostToolsFromConfig, type HostToolsSettings } from './hosts/hostToolsSettings';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { READ_ONLY_PRELUDE } from './team/hostEnvelope';
import { TeamFeature } from './team/TeamFeature';
import { consoleName } from './team/teamRecords';

export interface OpsAppOptions {
  readonly fleet: Fleet;
  readonly catalog: Catalog;
  readonly configPath: string | null;
  readonly user: string;
  readonly auditFile: string;
  /** the audit key, kept apart from the log (bootstrap: a 0600 file in the state folder, sealed by the OS keychain when the shell has one) */
  readonly auditKey?: AuditKeySource;
  readonly maxConcurrency: number;
  readonly blastRadius: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** how often batched state goes to the views */
  readonly pushWindowMs?: number;
  /** the loaded runbooks (bootstrap loads them); default: none */
  readonly runbooks?: RunbookLibrary;
  /** the alert rules and notification limits (bootstrap passes the config's); default: the runbook's */
  readonly alerts?: AlertsSettings;
  /** the host view's settings (bootstrap passes the config's); default: what hostToolsFromConfig gives with no config */
  readonly hostTools?: HostToolsSettings;
  /** the system browser (Electron's shell.openExternal behind the allow-list); absent in the browser shell */
  readonly openExternal?: (url: string) => Promise<boolean>;
  /** the ssh_config hosts resolve through (bootstrap passes config.ssh.configFile, expanded) */
  readonly sshConfigPath?: string;
  /** config.ssh's handshake cap and the event-loop stall that lowers it; default: the pool's (16, 100 ms) */
  readonly handshakes?: { readonly max: number; readonly lagLimitMs: number };
  /**
   * Reads the config again and builds the fleet from it (bootstrap's loadConfig +
   * fleetFromConfig), for hosts imported or removed without a restart; absent: no hot reload
   */
  readonly loadFleet?: () => Promise<Fleet>;
  /** ssh.rememberPassphrases on and an OS secret store available; absent: passphrases live in memory only */
  readonly passphraseStore?: PassphraseStore;
  /** test-only (the web shell's --test-history-hours): made-up hours of history behind each endpoint's first poll */
  readonly testHistoryHours?: number;
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
  /** an endpoint that cannot be read, or whose data is stale, is an alert */
  private readonly blindness: BlindnessWatch;
  /** a host that cannot be reached is an alert */
  private readonly hostReach: HostReachWatch;
  readonly alertFolder: AlertFolder;
  private readonly alertBatch: KeyedBatcher<AlertRecord>;
  readonly hostTools: HostToolsFeature;
  /** host-side locks, records and shared acks; null for the demo fleet, whose hosts run no journal */
  readonly team: TeamFeature | null;
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

    // passphrase and host-key questions go to the views through the hub
    this.ssh = new SshFeature({
      hub: this.hub,
      configPath: options.configPath,
      sshConfigPath: options.sshConfigPath ?? expandHome('~/.ssh/config'),
      randomHex: (n) => randomBytes(n).toString('hex'),
      logger,
      reloadFleet: () => this.reloadFleet(),
      demoDeployments: () => (this.fleet.demo ? this.fleet.deployments : []),
      ...(options.passphraseStore ? { passphraseStore: options.passphraseStore } : {}),
    });
    this.pool = new SessionPool({
      clock,
      logger,
      // the team envelope (below, on real fleets) sends every read-only run with this body
      ...(fleet.demo ? {} : { sparePrelude: READ_ONLY_PRELUDE }),
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

    // ---- history and alerts (docs/alerts.md): fed by every poll, pushed as batched alert updates
    this.alertBatch = new KeyedBatcher(
      (alert) => alert.id,
      (updates) => this.hub.emit('onAlerts', { updates }),
      windowMs,
      timers,
    );
    const names = new Map(fleet.deployments.map((d) => [d.id as string, d.name]));
    // a flood of item alerts on one deployment's endpoint reaches the page as one alert
    this.alertFolder = new AlertFolder({
      clock,
      onChange: (alert) => this.alertBatch.push(alert),
      onNotify: (notification) => this.hub.emit('onAlertNotification', notification),
      deploymentName: (id) => names.get(id) ?? id,
      // a fold's one notification spends the same budget as any alert's
      takeNotification: (key) => this.alerts.takeNotification(key),
    });
    const hostLabel = (id: string) => this.hostsById.get(id as HostId)?.label ?? id;
    const alertsSettings = options.alerts ?? alertsSettingsFromConfig(null);
    this.alerts = new AlertEngine({
      settings: alertsSettings,
      clock,
      onChange: this.alertFolder.change,
      onNotify: this.alertFolder.notify,
      shownAlone: this.alertFolder.shownAlone,
      deploymentName: (id) => names.get(id) ?? id,
      hostLabel,
    });
    this.blindness = new BlindnessWatch({ alerts: this.alerts, clock, timers });
    this.hostReach = new HostReachWatch({
      alerts: this.alerts,
      clock,
      timers,
      hostLabel,
      pendingMs: (alertsSettings.hostUnreachableSeconds ?? 30) * 1000,
      // looked at often enough that a short pending time is kept within a second or two
      tickMs: Math.min(5_000, Math.max(1_000, (alertsSettings.hostUnreachableSeconds ?? 30) * 250)),
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
        if (options.testHistoryHours && !this.history.has(state.deploymentId, state.endpoint)) backfillHistory(this.history, state, options.testHistoryHours);
        this.history.record(state);
        this.alerts.evaluate(state);
        this.blindness.observe(state);
      },
      clock,
      timers,
    });

    this.audit = new AuditLog({ path: options.auditFile, redactor: this.redactor, clock, ...(options.auditKey ? { key: options.auditKey } : {}) });
    for (const host of fleet.hosts) this.hostsById.set(host.id, host);
    const hostsById = this.hostsById;
    this.team = fleet.demo
      ? null
      : new TeamFeature({
          executor: this.pool,
          hub: this.hub,
          alerts: this.alerts,
          auditRecords: () => this.audit.read(1000),
          redactor: this.redactor,
          user: options.user,
          // stable across restarts of this console, apart from another console of the same user
          console: consoleName(options.user, hostname(), `${hostname()}:${options.auditFile}`),
          clock,
          timers,
          ackHost: (id) => {
            const deployment = this.fleet.deployments.find((d) => d.id === id);
            return deployment ? ((deployment.healthVia as HostId | undefined) ?? deployment.hosts[0] ?? null) : null;
          },
          hostLabel: (id) => hostsById.get(id)?.label ?? id,
          pushWindowMs: windowMs,
          logger,
        });
    // a follow's every line, as shown, beside the audit log
    const spools = new FollowSpools({ dir: join(dirname(options.auditFile), 'follow-spool') });
    // every other run's output, as shown and bounded, for the Audit view
    const outputs = new RunOutputs({ dir: join(dirname(options.auditFile), 'run-output'), logger });
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
      ...(this.team ? { envelope: this.team.envelope } : {}),
      spools,
      outputs,
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
    // a link that fails or freezes past the pending time is a host alert (scrubbed like the view's)
    this.unsubscribers.push(this.pool.onState((state) => this.hostReach.observe(this.scrubConnection(state))));
    // a host that answers again settles the runs cut off on it before their exit status
    this.unsubscribers.push(this.pool.onState((state) => state.state === 'connected' && void this.actions.settleUnknown(state.hostId)));

    // one exporter for the Audit view and escalation; it reads the fleet as it is now
    const incidents = new IncidentExporter({
      audit: this.audit,
      alerts: () => this.alerts.list(),
      deployments: () => this.fleet.deployments,
      redactor: this.redactor,
      clock,
      user: options.user,
      // a teammate's runs belong in the incident's story as much as this console's own
      teammates: () => (this.team ? this.team.teammateItems() : []),
    });
    this.hostTools = new HostToolsFeature({
      pool: this.pool,
      hosts: fleet.hosts,
      deployments: fleet.deployments,
      settings:
        options.hostTools ??
        hostToolsFromConfig(
          null,
          options.auditFile,
          fleet.deployments.map((d) => d.id),
          fleet.dashboards,
        ),
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
    // the calls the composition root serves itself; each feature brings its own
    const ownHandlers = {
      getFleet: async () => this.fleetInfo(),
      getSnapshot: async () => ({ connections: this.pool.states().map((state) => this.scrubConnection(state)), health: this.poller.states() }),
      listActions: async () => this.actions.list(),
      previewAction: async (request) => this.actions.previewChecked(request),
      runAction: async (request) => this.actions.run(request),
      cancelRun: async (request) => ({ cancelled: this.actions.cancel(request.runId) }),
      readFollowSpool: async ({ runId, hostId, from, count }) => {
        const page = await spools.page(runId, hostId, from, count);
        if (!page) throw new OpsFailure('not-found', `no follow of ${runId} on ${hostId} is kept on disk`);
        return { from: Math.min(from, page.total), ...page };
      },
      readRunOutput: async ({ runId, hostId, page }) => {
        // a follow's output is its spool
        const read = async (p: number) =>
          (await outputs.page(runId, hostId, p * RUN_OUTPUT_PAGE_LINES, RUN_OUTPUT_PAGE_LINES)) ??
          (await spools.page(runId, hostId, p * RUN_OUTPUT_PAGE_LINES, RUN_OUTPUT_PAGE_LINES));
        let kept = await read(page);
        if (!kept) {
          throw new OpsFailure('not-found', `the output of ${runId} on ${hostId} is not kept: only the newest ${outputs.maxRuns} runs' outputs are`);
        }
        const pages = Math.max(1, Math.ceil(kept.total / RUN_OUTPUT_PAGE_LINES));
        // asked past the end (the engineer's last page of a shorter output): the last page
        if (page >= pages) kept = (await read((page = pages - 1))) ?? kept;
        return { page, pages, lines: kept.lines, total: kept.total };
      },
      listAudit: async (request) => {
        const [records, verdict, anchors] = await Promise.all([this.audit.read(request.limit), this.audit.verify(), this.team?.anchors() ?? null]);
        return {
          records,
          chainOk: verdict.ok,
          chainError: verdict.ok ? null : verdict.error,
          ...(verdict.ok && verdict.notes ? { chainNotes: verdict.notes } : {}),
          anchors,
        };
      },
      exportIncidentTimeline: async (request) => incidents.export(request),
      pollNow: async (request) => {
        if (!this.poller.pollNow(request.deploymentId)) throw new OpsFailure('not-found', `no deployment "${request.deploymentId}"`);
        return { scheduled: true };
      },
      getDemoScenarios: async () => this.demoScenarios().state(),
      setDemoScenario: async (request) => {
        const control = this.demoScenarios();
        if (!control.state().scenarios.some((s) => s.name === request.name)) throw new OpsFailure('bad-request', `no demo scenario "${request.name}"`);
        const state = control.set(request.name);
        // the panels show the chosen problem at once, not at the next poll
        for (const deployment of this.fleet.deployments) this.poller.pollNow(deployment.id);
        return state;
      },
      listTeamActivity: async (request) => (this.team ? this.team.handlers.listTeamActivity(request) : { items: [], enabled: false }),
    } satisfies Partial<CallHandlers>;
    // every call exactly once: a call served twice is a compile error here, a missing one too
    const handlers: CallHandlers = mergeDisjoint(
      ownHandlers,
      historyAndAlertHandlers({
        history: this.history,
        alerts: this.alerts,
        folder: this.alertFolder,
        user: options.user,
        hasDeployment: (id) => names.has(id),
        // what this console acks or snoozes, the team's other consoles see through the hosts
        onShared: (alert, kind, until) => this.team?.share(alert, kind, until),
      }),
      this.hostTools.handlers,
      runbookHandlers(this.runbooks),
      this.ssh.handlers,
    );
    this.handlers = redactingHandlers(handlers, (text) => this.redactor.redact(text));
  }

  private demoScenarios(): DemoScenarioControl {
    if (!this.fleet.demoScenarios) throw new OpsFailure('not-found', 'scenarios exist only on the demo fleet');
    return this.fleet.demoScenarios;
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
   * Apply the config file's hosts now (after an ssh_config import): new hosts appear
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
    if (next.demo || next.hosts.length === 0)
      return { added: [], removed: [], restartNeeded: 'the config names no hosts now: the demo fleet opens on the next start' };
    const before = new Set(this.fleet.hosts.map((h) => h.id));
    const after = new Set(next.hosts.map((h) => h.id));
    const added = next.hosts.map((h) => h.id).filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !after.has(id));
    const health = (f: Fleet) => JSON.stringify([f.deployments.map((d) => [d.id, d.name, d.healthUrl, d.healthVia]), f.polled]);
    const restartNeeded = health(next) === health(this.fleet) ? null : "deployments' health settings changed: they apply on the next start";
    const wasActive = new Set(
      this.pool
        .states()
        .filter((s) => s.state !== 'idle')
        .map((s) => s.hostId),
    );
    // the pool drops removed hosts' connections and reconnects hosts whose settings changed
    this.pool.setHosts([...next.targets]);
    for (const id of removed) this.hostReach.forget(id);
    const previous = this.fleet;
    this.fleet = {
      ...next,
      deployments: restartNeeded
        ? previous.deployments.map((d) => ({ ...d, hosts: next.deployments.find((n) => n.id === d.id)?.hosts ?? d.hosts }))
        : next.deployments,
      polled: previous.polled,
      stop: previous.stop,
    };
    this.hostsById.clear();
    for (const host of this.fleet.hosts) this.hostsById.set(host.id, host);
    this.hostTools.setFleet(this.fleet.hosts, this.fleet.deployments);
    this.team?.setHosts(this.fleet.hosts.map((h) => h.id));
    for (const state of this.pool.states()) {
      // new hosts, and hosts whose connection was rebuilt, connect as at start-up
      if (state.state === 'idle' && (added.includes(state.hostId) || wasActive.has(state.hostId))) {
        this.pool.connect(state.hostId).catch((error: Error) => this.options.logger.warn(`${state.hostId}: ${error.message}`));
      }
    }
    this.hub.emit('onFleet', this.fleetInfo());
    this.options.logger.info(
      `fleet reloaded from ${this.options.configPath}: ${added.length} host(s) added${added.length ? ` (${added.join(', ')})` : ''}, ${removed.length} removed${removed.length ? ` (${removed.join(', ')})` : ''}${restartNeeded ? `; ${restartNeeded}` : ''}`,
    );
    return { added, removed, restartNeeded };
  }

  async start(): Promise<void> {
    for (const host of this.options.fleet.hosts) {
      // Connect in the background: a host that is down must not hold up the others or the UI.
      this.pool.connect(host.id).catch((error: Error) => this.options.logger.warn(`${host.id}: ${error.message}`));
    }
    this.poller.start(this.options.fleet.polled);
    this.hostTools.start();
    this.team?.start(this.options.fleet.hosts.map((h) => h.id));
    this.blindness.start();
    this.hostReach.start();
    // Runs a stopped console left open are closed as unknown now, not at the first action; a
    // log that cannot be recovered (a full disk, failed verification) refuses runs, by name.
    this.audit
      .recover()
      .then(({ repaired, unknown, open }) => {
        if (repaired || unknown)
          this.options.logger.warn(`audit: ${repaired} torn line(s) repaired, ${unknown} run(s) left open by a stopped console recorded as unknown`);
        // checked on their hosts once they answer, as runs cut off by a dropped link are
        this.actions.adoptOpenRuns(open);
      })
      .catch((error: Error) => this.options.logger.warn(`audit: ${error.message}`));
  }

  async close(): Promise<void> {
    this.poller.stop();
    this.blindness.stop();
    this.hostReach.stop();
    await this.hostTools.close();
    this.team?.close();
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
