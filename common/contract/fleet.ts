// The fleet: which hosts and deployments the console knows, and its SSH connections to them.
import { z } from 'zod';
import { Empty, DeploymentId, HostId } from './ids';
import { EndpointState } from './health';
import { RunbookArea } from './runbooks';

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
  state: z.enum(['idle', 'connecting', 'connected', 'unresponsive', 'failed']),
  attempt: z.number().int().nonnegative(),
  nextRetryAt: z.string().nullable(),
  error: z.string().nullable(),
  since: z.string(),
  /** what the host's ssh_config asks for that the console cannot do (CertificateFile, PKCS11Provider, …), in one line */
  note: z.string().optional(),
});
export type ConnectionState = z.infer<typeof ConnectionState>;

/**
 * The console cannot reach this host now: its link failed, froze ("unresponsive"), or is being
 * retried after an error ("connecting" with the error kept). A first attempt says nothing yet.
 * Main's host alert and the views' "blind/unknown" counts read it the same way.
 */
export function linkUnreachable(state: Pick<ConnectionState, 'state' | 'error'> | undefined): boolean {
  if (!state) return false;
  return state.state === 'failed' || state.state === 'unresponsive' || (state.state === 'connecting' && state.error !== null);
}
/** One problem the demo can be made to show: the runbook area it belongs to (null: healthy). */
export const DemoScenario = z.object({ name: z.string(), area: RunbookArea.nullable(), description: z.string() });
export type DemoScenario = z.infer<typeof DemoScenario>;

/** The demo's scenarios and the one it shows; `cycling`: it moves to the next area by itself. */
export const DemoScenarioState = z.object({ scenarios: z.array(DemoScenario), current: z.string(), cycling: z.boolean() });
export type DemoScenarioState = z.infer<typeof DemoScenarioState>;

/** Every connection's and endpoint's current state. */
export const Snapshot = z.object({ connections: z.array(ConnectionState), health: z.array(EndpointState) });
export type Snapshot = z.infer<typeof Snapshot>;

export const fleetCalls = {
  getFleet: { request: Empty, response: FleetInfo },
  getSnapshot: { request: Empty, response: Snapshot },
  /** the demo fleet only: its scenarios (any other fleet: `not-found`) */
  getDemoScenarios: { request: Empty, response: DemoScenarioState },
  /** the demo fleet only: show this scenario now (ends cycling) and poll the demo deployment */
  setDemoScenario: { request: z.object({ name: z.string().min(1).max(64) }), response: DemoScenarioState },
} as const;

export const fleetEvents = {
  onConnection: z.object({ updates: z.array(ConnectionState) }),
  /** the fleet changed without a restart (hosts imported from ssh_config, or removed): the whole FleetInfo */
  onFleet: FleetInfo,
  /**
   * the browser shell's first message on every socket, unasked: the fleet and its current state,
   * so the page draws its panels without a call's round trip and a reconnect catches up the same way
   */
  onSnapshot: z.object({ fleet: FleetInfo, snapshot: Snapshot }),
} as const;
