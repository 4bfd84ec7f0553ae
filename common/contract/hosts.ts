// The Hosts view: facts read from each host, dashboards reached through tunnels, escalation.
import { z } from 'zod';
import { STATUSES } from '../status';
import { Empty, DeploymentId, HostId } from './ids';

export const Status3 = z.enum(STATUSES);
export const TunnelId = z
  .string()
  .regex(/^tun-[a-f0-9]{16}$/, 'not a tunnel id')
  .brand<'TunnelId'>();
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
  /** why the watched units could not be read now (systemctl failed, the host is unreachable); null when systemctl answered */
  unitsError: z.string().nullable(),
  failedUnits: z.array(z.string()),
  /** why `systemctl --failed` could not be read now; null when it answered, and only then does an empty list mean none */
  failedUnitsError: z.string().nullable(),
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
  /** deployment id -> why its hosts offer other dashboards than the config names (the demo's hosts serve none of them) */
  dashboardNotes: z.record(z.string(), z.string()),
  /**
   * deployment id -> which escalation targets the config names. Only the names: the URLs can
   * carry tokens (a PagerDuty integration key, a ticket system's API key) and stay in main
   * until the engineer escalates.
   */
  escalation: z.record(z.string(), z.array(EscalationTarget)),
});
export type HostTools = z.infer<typeof HostTools>;

export const hostCalls = {
  getHostFacts: { request: Empty, response: z.object({ hosts: z.array(HostFacts), tools: HostTools, tunnels: z.array(TunnelInfo) }) },
  refreshHost: { request: z.object({ hostId: HostId }).strict(), response: z.object({ scheduled: z.boolean() }) },
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
} as const;

export const hostEvents = {
  onHostFacts: z.object({ updates: z.array(HostFacts) }),
  onTunnels: z.object({ tunnels: z.array(TunnelInfo) }),
} as const;
