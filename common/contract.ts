// The one contract between main and the renderer. Each call has a request and a response
// schema; each event has a payload schema. The Electron IPC server, the preload bridge, the
// browser shell's WebSocket bridge and the renderer's OpsApi are all generated from these two
// maps, so adding a call means one entry here and one handler in main/core/app.ts.
import { z } from 'zod';
import { ownKeyRecord } from './emptyRecord';
import { ENDPOINTS } from './health';
import type { Result } from './result';
import { AlertId, AlertNotification, AlertRecord, HISTORY_METRICS, HistorySeries, RUNBOOK_SECTIONS } from './thresholds';

// ---- ids ---------------------------------------------------------------------------------

const ID = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const HostId = z.string().regex(ID, 'host id must be lowercase letters, digits, "_", "." or "-"').brand<'HostId'>();
export type HostId = z.infer<typeof HostId>;
export const DeploymentId = z.string().regex(ID, 'deployment id must be lowercase letters, digits, "_", "." or "-"').brand<'DeploymentId'>();
export type DeploymentId = z.infer<typeof DeploymentId>;
export const RunId = z.string().regex(/^run-[a-f0-9]{16}$/, 'not a run id').brand<'RunId'>();
export type RunId = z.infer<typeof RunId>;
export const PreviewToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a preview token').brand<'PreviewToken'>();
export type PreviewToken = z.infer<typeof PreviewToken>;
export const ActionId = z.string().regex(/^[a-z][a-z0-9.-]{0,80}$/, 'not an action id');
export type ActionId = z.infer<typeof ActionId>;

export const EndpointName = z.enum(ENDPOINTS);

// ---- domain ------------------------------------------------------------------------------

export const HostInfo = z.object({
  id: HostId,
  label: z.string(),
  address: z.string(),
  port: z.number().int(),
  user: z.string(),
  demo: z.boolean(),
});
export type HostInfo = z.infer<typeof HostInfo>;

export const DeploymentInfo = z.object({
  id: DeploymentId,
  name: z.string(),
  hosts: z.array(HostId),
  /** host whose SSH connection carries the health API forward (null: polled directly) */
  healthVia: HostId.nullable(),
  healthUrl: z.string(),
});
export type DeploymentInfo = z.infer<typeof DeploymentInfo>;

export const FleetInfo = z.object({
  demo: z.boolean(),
  configPath: z.string().nullable(),
  user: z.string(),
  hosts: z.array(HostInfo),
  deployments: z.array(DeploymentInfo),
});
export type FleetInfo = z.infer<typeof FleetInfo>;

export const ConnectionState = z.object({
  hostId: HostId,
  state: z.enum(['idle', 'connecting', 'connected', 'failed']),
  attempt: z.number().int().nonnegative(),
  nextRetryAt: z.string().nullable(),
  error: z.string().nullable(),
  since: z.string(),
});
export type ConnectionState = z.infer<typeof ConnectionState>;

export const HealthErrorKind = z.enum(['connect', 'timeout', 'reset', 'http', 'too-large', 'bad-json', 'schema']);
export type HealthErrorKind = z.infer<typeof HealthErrorKind>;

export const ItemState = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.record(z.string(), z.unknown()) }),
  z.object({ ok: z.literal(false), why: z.string() }),
]);
export type ItemState = z.infer<typeof ItemState>;

/** The console's view of one endpoint of one deployment, as last polled. */
export const EndpointState = z.object({
  deploymentId: DeploymentId,
  endpoint: EndpointName,
  status: z.enum(['pending', 'ok', 'error']),
  error: z.object({ kind: HealthErrorKind, message: z.string() }).nullable(),
  /** when the last poll finished, good or bad */
  polledAt: z.string().nullable(),
  /** when data last parsed; items below are from then */
  lastGoodAt: z.string().nullable(),
  intervalMs: z.number().int().positive(),
  nextPollAt: z.string().nullable(),
  latencyMs: z.number().nullable(),
  /** keys are the health API's: kept whatever they are ("__proto__" too), in null-prototype objects */
  meta: ownKeyRecord(z.unknown()),
  items: ownKeyRecord(ItemState),
});
export type EndpointState = z.infer<typeof EndpointState>;

export const Risk = z.enum(['read-only', 'service-affecting', 'destructive']);
export type Risk = z.infer<typeof Risk>;

export const ParamSpec = z.object({
  name: z.string(),
  label: z.string(),
  kind: z.enum(['enum', 'integer', 'string']),
  choices: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  default: z.union([z.string(), z.number()]).optional(),
  pattern: z.string().optional(),
});
export type ParamSpec = z.infer<typeof ParamSpec>;

export const ActionSummary = z.object({
  id: ActionId,
  title: z.string(),
  section: z.string(),
  risk: Risk,
  streams: z.boolean(),
  params: z.array(ParamSpec),
  /** what the action does, in the catalog's words ('' when the catalog has none) */
  description: z.string(),
  /** the action offered once this one succeeds (a restart after a config edit), with its parameters */
  followUp: z.object({ actionId: ActionId, params: z.record(z.string(), z.union([z.string(), z.number()])) }).nullable(),
});
export type ActionSummary = z.infer<typeof ActionSummary>;

export const ParamValues = z.record(z.string().max(64), z.union([z.string().max(4096), z.number().finite(), z.boolean()]));
export type ParamValues = z.infer<typeof ParamValues>;

export const Preview = z.object({
  token: PreviewToken,
  actionId: ActionId,
  title: z.string(),
  risk: Risk,
  hosts: z.array(z.object({ id: HostId, label: z.string() })),
  /** the exact command each host will run, after quoting */
  command: z.string(),
  /** none: read-only; click: service-affecting; typed: destructive, Confirm only once `text` is typed exactly */
  confirmation: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('click') }),
    z.object({ kind: z.literal('typed'), text: z.string() }),
  ]),
  expiresAt: z.string(),
  /** the catalog's precheck, run on each host at preview time (redacted output; e.g. the job count a clear removes) */
  precheck: z
    .object({ label: z.string(), hosts: z.array(z.object({ hostId: HostId, text: z.string(), ok: z.boolean() })) })
    .optional(),
});
export type Preview = z.infer<typeof Preview>;

export const RunState = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type RunState = z.infer<typeof RunState>;

export const AuditRecord = z.object({
  seq: z.number().int(),
  at: z.string(),
  kind: z.enum(['intent', 'result', 'note']),
  user: z.string(),
  runId: z.string().nullable(),
  actionId: z.string().nullable(),
  hostId: z.string().nullable(),
  command: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  outcome: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

// ---- hosts, terminal, tunnels (issue 7) --------------------------------------------------

export const Status3 = z.enum(['ok', 'warn', 'fail', 'unknown']);
export const TerminalId = z.string().regex(/^term-[a-f0-9]{16}$/, 'not a terminal id').brand<'TerminalId'>();
export type TerminalId = z.infer<typeof TerminalId>;
export const TunnelId = z.string().regex(/^tun-[a-f0-9]{16}$/, 'not a tunnel id').brand<'TunnelId'>();
export type TunnelId = z.infer<typeof TunnelId>;

export const UnitFact = z.object({
  unit: z.string(),
  load: z.string(),
  active: z.string(),
  sub: z.string(),
  result: z.string(),
  mainPid: z.number().int().nullable(),
  restarts: z.number().int().nullable(),
  since: z.string().nullable(),
  status: Status3,
  why: z.string(),
});
export type UnitFact = z.infer<typeof UnitFact>;

export const DiskFact = z.object({
  mount: z.string(),
  filesystem: z.string(),
  type: z.string(),
  sizeBytes: z.number(),
  usedBytes: z.number(),
  availableBytes: z.number(),
  /** used / (used + available), as df computes Capacity */
  usedPct: z.number(),
  status: Status3,
});
export type DiskFact = z.infer<typeof DiskFact>;

export const HostFacts = z.object({
  hostId: HostId,
  /** worst of everything below; 'unknown' until the first refresh */
  status: Status3,
  /** higher is worse; the fleet list sorts on it */
  trouble: z.number(),
  reasons: z.array(z.string()),
  refreshedAt: z.string().nullable(),
  error: z.string().nullable(),
  os: z.string().nullable(),
  kernel: z.string().nullable(),
  uptimeSeconds: z.number().nullable(),
  load: z.tuple([z.number(), z.number(), z.number()]).nullable(),
  cpus: z.number().int().nullable(),
  /** busy share of all CPUs since the previous refresh; null on the first */
  cpuPct: z.number().nullable(),
  memory: z
    .object({ totalBytes: z.number(), usedBytes: z.number(), availableBytes: z.number(), swapTotalBytes: z.number(), swapUsedBytes: z.number() })
    .nullable(),
  disks: z.array(DiskFact),
  units: z.array(UnitFact),
  failedUnits: z.array(z.string()),
  processes: z.array(z.object({ name: z.string(), running: z.boolean(), pids: z.array(z.number().int()), commands: z.array(z.string()) })),
  history: z.object({ at: z.array(z.string()), load1: z.array(z.number()), memPct: z.array(z.number()), diskPct: z.array(z.number()) }),
});
export type HostFacts = z.infer<typeof HostFacts>;

export const Dashboard = z.object({ name: z.string(), port: z.number().int(), path: z.string() });
export type Dashboard = z.infer<typeof Dashboard>;

export const TunnelInfo = z.object({
  id: TunnelId,
  hostId: HostId,
  dashboard: z.string(),
  remote: z.string(),
  localPort: z.number().int(),
  url: z.string(),
  openedAt: z.string(),
  connections: z.number().int().nonnegative(),
});
export type TunnelInfo = z.infer<typeof TunnelInfo>;

export const EscalationTarget = z.enum(['pagerduty', 'ticket', 'logs']);
export type EscalationTarget = z.infer<typeof EscalationTarget>;

export const HostTools = z.object({
  diskAmberPct: z.number(),
  diskRedPct: z.number(),
  refreshMs: z.number().int(),
  recording: z.boolean(),
  /** deployment id -> dashboards on each of its hosts */
  dashboards: z.record(z.string(), z.array(Dashboard)),
  /**
   * deployment id -> which escalation targets the config names. Only the names: the URLs can
   * carry tokens (a PagerDuty integration key, a ticket system's API key) and stay in main
   * until the engineer escalates.
   */
  escalation: z.record(z.string(), z.array(EscalationTarget)),
});
export type HostTools = z.infer<typeof HostTools>;

const TermSize = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

// ---- runbooks (issue 6) ------------------------------------------------------------------

export const RunbookArea = z.enum(RUNBOOK_SECTIONS);
export type RunbookArea = z.infer<typeof RunbookArea>;
export const RunbookId = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'not a runbook id');

/** A line of a code block; main decides what it is and whether a catalog action runs it. */
export const RunbookLine = z.object({
  text: z.string(),
  /** command: a shell command (first line of it); continuation: a later line of one; code: other languages */
  kind: z.enum(['command', 'continuation', 'code', 'comment', 'blank']),
  /** highlight.js markup of this line (spans with hljs-* classes only), sanitized */
  html: z.string(),
  action: z
    .object({ actionId: ActionId, title: z.string(), risk: Risk, params: z.record(z.string(), z.union([z.string(), z.number()])), note: z.string().nullable() })
    .nullable(),
  /** placeholder words to fill in before copying ("0x...", "your-key"); never filled from the environment */
  placeholders: z.array(z.object({ text: z.string(), label: z.string() })),
});
export type RunbookLine = z.infer<typeof RunbookLine>;

export const RunbookCodeBlock = z.object({ index: z.number().int(), lang: z.string(), label: z.string().nullable(), lines: z.array(RunbookLine) });
export type RunbookCodeBlock = z.infer<typeof RunbookCodeBlock>;

export const RunbookPart = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('html'), html: z.string() }),
  z.object({ kind: z.literal('code'), block: RunbookCodeBlock }),
]);
export type RunbookPart = z.infer<typeof RunbookPart>;

export const RunbookHeading = z.object({ level: z.number().int(), text: z.string(), anchor: z.string() });
export type RunbookHeading = z.infer<typeof RunbookHeading>;

export const RunbookSection = z.object({
  id: z.string(),
  anchor: z.string(),
  title: z.string(),
  area: RunbookArea.nullable(),
  alerts: z.array(z.string()),
  actions: z.array(z.string()),
  symptoms: z.array(z.string()),
  diagnosis: z.array(z.object({ title: z.string(), detail: z.string() })),
  headings: z.array(RunbookHeading),
  parts: z.array(RunbookPart),
});
export type RunbookSection = z.infer<typeof RunbookSection>;

export const RunbookSummary = z.object({
  id: RunbookId,
  title: z.string(),
  /** where it came from: the bundled set or a folder named in the config */
  source: z.string(),
  file: z.string(),
  sections: z.array(z.object({ id: z.string(), title: z.string(), anchor: z.string(), area: RunbookArea.nullable() })),
});
export type RunbookSummary = z.infer<typeof RunbookSummary>;

export const RunbookDoc = RunbookSummary.extend({ toc: z.array(RunbookHeading), sections: z.array(RunbookSection) });
export type RunbookDoc = z.infer<typeof RunbookDoc>;

export const RunbookHit = z.object({
  runbookId: RunbookId,
  sectionId: z.string(),
  anchor: z.string(),
  title: z.string(),
  sectionTitle: z.string(),
  area: RunbookArea.nullable(),
  score: z.number(),
  /** the words of the runbook that matched (after typo tolerance), for highlighting */
  terms: z.array(z.string()),
  excerpt: z.string(),
});
export type RunbookHit = z.infer<typeof RunbookHit>;

// ---- ssh (issue 5)
export const SshPromptId = z.string().regex(/^sshp-[a-f0-9]{16}$/, 'not an SSH prompt id');
const HostKeyFields = { hostId: HostId.nullable(), host: z.string(), port: z.number().int(), keyType: z.string(), fingerprint: z.string() };
/** A question main asks the user. No field ever carries a secret. */
export const SshPrompt = z.discriminatedUnion('kind', [
  z.object({
    promptId: SshPromptId,
    kind: z.literal('passphrase'),
    hostId: HostId.nullable(),
    keyPath: z.string(),
    retry: z.boolean(),
    /** the user opted in (ssh.rememberPassphrases) and the OS can encrypt it: kept for the next session too */
    remember: z.boolean(),
  }),
  z.object({ promptId: SshPromptId, kind: z.literal('host-key-unknown'), ...HostKeyFields, knownHostsPath: z.string() }),
  z.object({
    promptId: SshPromptId,
    kind: z.literal('host-key-changed'),
    ...HostKeyFields,
    expected: z.array(z.object({ line: z.number().int(), keyType: z.string(), fingerprint: z.string() })),
    knownHostsPath: z.string(),
  }),
]);
export type SshPrompt = z.infer<typeof SshPrompt>;

// ---- calls -------------------------------------------------------------------------------

const Empty = z.object({}).strict();

export const calls = {
  getFleet: { request: Empty, response: FleetInfo },
  getSnapshot: {
    request: Empty,
    response: z.object({ connections: z.array(ConnectionState), health: z.array(EndpointState) }),
  },
  listActions: { request: Empty, response: z.array(ActionSummary) },
  previewAction: {
    request: z.object({ actionId: ActionId, params: ParamValues, hostIds: z.array(HostId).min(1).max(200) }).strict(),
    response: Preview,
  },
  runAction: {
    request: z.object({ token: PreviewToken, typedConfirmation: z.string().max(200).optional() }).strict(),
    response: z.object({ runId: RunId }),
  },
  cancelRun: { request: z.object({ runId: RunId }).strict(), response: z.object({ cancelled: z.boolean() }) },
  listAudit: {
    request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    response: z.object({ records: z.array(AuditRecord), chainOk: z.boolean(), chainError: z.string().nullable() }),
  },
  pollNow: { request: z.object({ deploymentId: DeploymentId }).strict(), response: z.object({ scheduled: z.boolean() }) },
  /** issue 4: alerts and audited actions in time order as redacted Markdown (default: the last 24 h, every deployment) */
  exportIncidentTimeline: {
    request: z.object({ deploymentId: DeploymentId.optional(), since: z.iso.datetime({ offset: true }).optional() }).strict(),
    response: z.object({ markdown: z.string(), from: z.string(), to: z.string() }),
  },
  // ---- history and alerts (issue 3)
  getHistory: {
    request: z
      .object({
        deploymentId: DeploymentId,
        metrics: z.array(z.enum(HISTORY_METRICS)).min(1).max(HISTORY_METRICS.length),
        sinceMs: z.number().finite().optional(),
      })
      .strict(),
    /** thresholds: each metric's alert fire line, for the charts' reference lines */
    response: z.object({ series: z.array(HistorySeries), thresholds: z.record(z.string(), z.number()) }),
  },
  listAlerts: { request: Empty, response: z.object({ alerts: z.array(AlertRecord), suppressedNotifications: z.number().int().nonnegative() }) },
  acknowledgeAlert: { request: z.object({ id: AlertId }).strict(), response: AlertRecord },
  snoozeAlert: { request: z.object({ id: AlertId, minutes: z.number().int().min(0).max(10_080) }).strict(), response: AlertRecord },
  // ---- hosts, terminal, tunnels (issue 7)
  getHostFacts: { request: Empty, response: z.object({ hosts: z.array(HostFacts), tools: HostTools, tunnels: z.array(TunnelInfo) }) },
  refreshHost: { request: z.object({ hostId: HostId }).strict(), response: z.object({ scheduled: z.boolean() }) },
  terminalOpen: { request: z.object({ hostId: HostId, ...TermSize }).strict(), response: z.object({ terminalId: TerminalId }) },
  /** keystrokes: never logged, never audited */
  terminalInput: { request: z.object({ terminalId: TerminalId, data: z.string().min(1).max(65_536) }).strict(), response: z.object({ accepted: z.boolean() }) },
  terminalResize: { request: z.object({ terminalId: TerminalId, ...TermSize }).strict(), response: z.object({ resized: z.boolean() }) },
  terminalClose: { request: z.object({ terminalId: TerminalId }).strict(), response: z.object({ closed: z.boolean() }) },
  openTunnel: {
    request: z.object({ hostId: HostId, dashboard: z.string().min(1).max(100) }).strict(),
    response: z.object({ tunnel: TunnelInfo, opened: z.boolean() }),
  },
  closeTunnel: { request: z.object({ tunnelId: TunnelId }).strict(), response: z.object({ closed: z.boolean() }) },
  escalate: {
    request: z.object({ deploymentId: DeploymentId, target: EscalationTarget }).strict(),
    /** url only when main could not open it (the browser shell): the page then shows the link */
    response: z.object({ url: z.string().nullable(), opened: z.boolean(), markdown: z.string() }),
  },
  // ---- runbooks (issue 6)
  listRunbooks: { request: Empty, response: z.object({ runbooks: z.array(RunbookSummary), problems: z.array(z.string()) }) },
  getRunbook: { request: z.object({ id: RunbookId }).strict(), response: RunbookDoc },
  searchRunbooks: {
    request: z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(100).optional() }).strict(),
    response: z.object({ hits: z.array(RunbookHit), tookMs: z.number() }),
  },
  // ---- ssh (issue 5)
  /** the concrete Host aliases of the user's ssh_config, resolved, grouped by the patterns that apply */
  listSshConfigHosts: {
    request: Empty,
    response: z.object({
      configFile: z.string(),
      hosts: z.array(
        z.object({ alias: z.string(), hostName: z.string(), user: z.string(), port: z.number().int(), groups: z.array(z.string()), inFleet: z.boolean(), error: z.string().nullable() }),
      ),
    }),
  },
  /**
   * append hosts to the Opsdeck config (comments kept, atomic, a .bak beside it); they are
   * applied at once (onFleet) unless restartNeeded says why not
   */
  importSshHosts: {
    request: z
      .object({
        aliases: z.array(z.string().regex(/^[A-Za-z0-9._@:-]{1,253}$/, 'not an ssh_config Host alias')).min(1).max(500),
        deploymentId: DeploymentId.optional(),
      })
      .strict(),
    response: z.object({
      added: z.array(z.object({ alias: z.string(), hostId: HostId })),
      configPath: z.string(),
      backupPath: z.string().nullable(),
      restartNeeded: z.boolean(),
      /** what happened to the running console: connecting now, or why only a restart applies it */
      note: z.string(),
    }),
  },
  /** questions waiting for the user (also pushed by onSshPrompt); never holds a secret */
  listSshPrompts: { request: Empty, response: z.object({ prompts: z.array(SshPrompt) }) },
  /** the passphrase goes main-ward once and stays in main's memory; a changed key needs typedHost equal to the host */
  answerSshPrompt: {
    request: z
      .object({
        promptId: SshPromptId,
        passphrase: z.string().max(4096).optional(),
        decision: z.enum(['accept-once', 'trust', 'refuse', 'replace']).optional(),
        typedHost: z.string().max(300).optional(),
      })
      .strict(),
    response: z.object({ accepted: z.boolean(), message: z.string() }),
  },
  /**
   * Connect a host now (the Retry / Connect control): a failed host tries again and asks again
   * what was cancelled or refused (passphrase, host key); false if it is already connected
   */
  connectHost: { request: z.object({ hostId: HostId }).strict(), response: z.object({ started: z.boolean() }) },
} as const;

// ---- events (pushed main -> renderer, batched) -------------------------------------------

export const events = {
  onHealth: z.object({ updates: z.array(EndpointState) }),
  onConnection: z.object({ updates: z.array(ConnectionState) }),
  onRunOutput: z.object({
    runId: RunId,
    hostId: HostId,
    chunks: z.array(z.object({ stream: z.enum(['stdout', 'stderr']), text: z.string() })),
    droppedLines: z.number().int().nonnegative(),
  }),
  onRunStatus: z.object({
    runId: RunId,
    hostId: HostId,
    state: RunState,
    exitCode: z.number().int().nullable(),
    error: z.string().nullable(),
    at: z.string(),
  }),
  // ---- history and alerts (issue 3)
  onAlerts: z.object({ updates: z.array(AlertRecord) }),
  /** a firing alert that passed the notification rate limit: show a desktop notification */
  onAlertNotification: AlertNotification,
  // ---- hosts, terminal, tunnels (issue 7)
  onHostFacts: z.object({ updates: z.array(HostFacts) }),
  onTerminalOutput: z.object({ terminalId: TerminalId, data: z.string() }),
  onTerminalState: z.object({ terminalId: TerminalId, hostId: HostId, state: z.enum(['open', 'closed']), reason: z.string().nullable(), at: z.string() }),
  onTunnels: z.object({ tunnels: z.array(TunnelInfo) }),
  // ---- ssh (issue 5)
  /** every open SSH question, whole list each time (a view that opens late calls listSshPrompts) */
  onSshPrompt: z.object({ prompts: z.array(SshPrompt) }),
  /** the fleet changed without a restart (hosts imported from ssh_config, or removed): the whole FleetInfo */
  onFleet: FleetInfo,
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type Events = typeof events;
export type EventName = keyof Events;
export type CallRequest<N extends CallName> = z.input<Calls[N]['request']>;
export type CallResponse<N extends CallName> = z.output<Calls[N]['response']>;
export type EventPayload<N extends EventName> = z.output<Events[N]>;

export const CALL_NAMES = Object.keys(calls) as CallName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export const ipcCallChannel = (name: CallName): string => `opsdeck:call:${name}`;
export const ipcEventChannel = (name: EventName): string => `opsdeck:event:${name}`;


/** What the renderer talks to, whichever shell it runs in. */
export type OpsApi = {
  readonly [N in CallName]: (request: CallRequest<N>) => Promise<Result<CallResponse<N>>>;
} & {
  /** subscribe to an event; returns the unsubscribe function */
  readonly on: <N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void) => () => void;
};

/** What main implements: one handler per call, already validated. */
export type CallHandlers = {
  readonly [N in CallName]: (request: z.output<Calls[N]['request']>) => Promise<CallResponse<N>>;
};

/** Validate a request for a call; returns a readable message naming the bad field. */
export function parseRequest<N extends CallName>(name: N, payload: unknown): Result<z.output<Calls[N]['request']>> {
  const parsed = calls[name].request.safeParse(payload ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as z.output<Calls[N]['request']> };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') : 'request';
  return { ok: false, error: { code: 'bad-request', message: `${name}: ${where}: ${issue?.message ?? 'invalid'}` } };
}

export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && Object.hasOwn(calls, name);
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && Object.hasOwn(events, name);
