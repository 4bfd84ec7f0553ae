// Alerts grouped as an engineer reads them: one problem per deployment, area and item. A
// degraded SLA source raises several rules' alerts (p95, p99, success rate, status); they are
// one group with one Ack and one Snooze. Active groups first (worst first); resolved apart.
import type { AlertRecord } from '../../../common/thresholds';
import { sortAlerts } from './alertsStore';

export interface AlertGroup {
  /** deployment/section/item */
  key: string;
  /** null for a host that cannot be reached (one alert per host: never more than one in its group) */
  deploymentId: string | null;
  item: string;
  section: AlertRecord['section'];
  /** sorted: firing critical, firing warning, pending; newest first in each */
  alerts: AlertRecord[];
}

export function groupKey(alert: AlertRecord): string {
  return alert.hostId ? `host:${alert.hostId}` : `${alert.deploymentId}/${alert.section}/${alert.item}`;
}

/** Active alerts (pending, firing) grouped, the group with the worst alert first; and the resolved ones. */
export function groupAlerts(all: readonly AlertRecord[]): { active: AlertGroup[]; resolved: AlertRecord[] } {
  const sorted = sortAlerts(all);
  const groups = new Map<string, AlertGroup>();
  const resolved: AlertRecord[] = [];
  for (const alert of sorted) {
    if (alert.state === 'resolved') {
      resolved.push(alert);
      continue;
    }
    const key = groupKey(alert);
    let group = groups.get(key);
    if (!group) {
      group = { key, deploymentId: alert.deploymentId, item: alert.item, section: alert.section, alerts: [] };
      groups.set(key, group);
    }
    group.alerts.push(alert);
  }
  // Map order is first-seen order over the sorted list: the group holding the worst alert leads.
  return { active: [...groups.values()], resolved };
}

/** "2 firing, 1 pending" for a group or the whole strip. */
export function stateCounts(alerts: readonly AlertRecord[]): string {
  const firing = alerts.filter((a) => a.state === 'firing').length;
  const pending = alerts.filter((a) => a.state === 'pending').length;
  return [firing ? `${firing} firing` : '', pending ? `${pending} pending` : ''].filter(Boolean).join(', ');
}
