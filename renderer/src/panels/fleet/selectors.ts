import { linkUnreachable, type ConnectionState, type EndpointState, type FleetInfo } from '../../../../common/contract';
import type { Status } from '../../status/status';
import { STATUS_RANK, worst } from '../../status/status';
import { AREAS, summarizeArea } from '../areas';
import type { AreaSummary } from '../areas';
import { healthKey } from '../../store/slices';

export interface FleetRow {
  deploymentId: string;
  name: string;
  status: Status;
  cells: AreaSummary[];
  /** how many areas are failing / warning: the sort key after the worst status */
  fails: number;
  warns: number;
  /** labels of this deployment's hosts the console cannot reach: the deployment is then at best blind/unknown */
  unreachable: string[];
}

/** Labels of a deployment's hosts (and the host its health rides on) that cannot be reached now. */
export function unreachableHosts(
  fleet: FleetInfo,
  deployment: FleetInfo['deployments'][number],
  connections: Readonly<Record<string, ConnectionState>>,
): string[] {
  const ids = new Set<string>([...deployment.hosts, ...(deployment.healthVia ? [deployment.healthVia] : [])]);
  return [...ids].filter((id) => linkUnreachable(connections[id])).map((id) => fleet.hosts.find((h) => h.id === id)?.label ?? id);
}

/** Deployments x areas, worst deployment first (then most failing areas, then name). */
export function selectFleetGrid(
  fleet: FleetInfo | null,
  health: Record<string, EndpointState>,
  now: number,
  connections: Readonly<Record<string, ConnectionState>> = {},
): FleetRow[] {
  if (!fleet) return [];
  const rows = fleet.deployments.map((d) => {
    const cells = AREAS.map((area) => summarizeArea(area, health[healthKey(d.id, area.endpoint)], now));
    const unreachable = unreachableHosts(fleet, d, connections);
    return {
      deploymentId: d.id as string,
      name: d.name,
      // a host that cannot be reached leaves the deployment unknown at best, never "ok"
      status: worst([...cells.map((c) => c.status), ...(unreachable.length ? (['unknown'] as const) : [])]),
      unreachable,
      cells,
      fails: cells.filter((c) => c.status === 'fail').length,
      warns: cells.filter((c) => c.status === 'warn').length,
    };
  });
  return rows.sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || b.fails - a.fails || b.warns - a.warns || a.name.localeCompare(b.name));
}

export function fleetCounts(rows: readonly FleetRow[]): Record<Status, number> {
  const counts: Record<Status, number> = { ok: 0, warn: 0, fail: 0, unknown: 0 };
  for (const row of rows) counts[row.status] += 1;
  return counts;
}
