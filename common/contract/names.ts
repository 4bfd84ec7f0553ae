// The contract's names and channels without its schemas: what the sandboxed preload bundles
// (it maps names to IPC channels and never parses a payload, so it carries no zod). The list is
// checked against the schema maps at compile time (index.ts) and the order in contract.test.ts.

export const CALL_NAMES = [
  // fleet
  'getFleet',
  'getSnapshot',
  'getDemoScenarios',
  'setDemoScenario',
  // health
  'pollNow',
  'getHistory',
  // actions
  'listActions',
  'previewAction',
  'runAction',
  'cancelRun',
  'readFollowSpool',
  'readRunOutput',
  // audit
  'listAudit',
  'exportIncidentTimeline',
  // alerts
  'listAlerts',
  'acknowledgeAlert',
  'snoozeAlert',
  // hosts
  'getHostFacts',
  'refreshHost',
  'openTunnel',
  'closeTunnel',
  'escalate',
  // terminal
  'terminalOpen',
  'terminalInput',
  'terminalResize',
  'terminalClose',
  // runbooks
  'listRunbooks',
  'getRunbook',
  'searchRunbooks',
  // ssh
  'listSshConfigHosts',
  'importSshHosts',
  'listSshPrompts',
  'answerSshPrompt',
  'connectHost',
  // team
  'listTeamActivity',
] as const;

export const EVENT_NAMES = [
  'onConnection',
  'onFleet',
  'onSnapshot',
  'onHealth',
  'onRunOutput',
  'onRunStatus',
  'onAlerts',
  'onAlertNotification',
  'onHostFacts',
  'onTunnels',
  'onTerminalOutput',
  'onTerminalState',
  'onSshPrompt',
  'onTeamActivity',
] as const;

export type CallName = (typeof CALL_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

export const ipcCallChannel = (name: CallName): string => `opsdeck:call:${name}`;
export const ipcEventChannel = (name: EventName): string => `opsdeck:event:${name}`;

const callNames: ReadonlySet<string> = new Set(CALL_NAMES);
const eventNames: ReadonlySet<string> = new Set(EVENT_NAMES);
export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && callNames.has(name);
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && eventNames.has(name);
