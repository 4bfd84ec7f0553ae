// From an alert to what to check: an endpoint alert's runbook section with the fix for its item
// marked, remembering where the engineer came from (after a run started there, the run dialog
// offers one step back to the alert's panel); a host that cannot be reached opens the Hosts view
// on that host.
import type { RunAlert } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { selectHost, setHostsOpen } from '../hosts/hostsStore';
import { openRunbookForArea, setRunbooksOpen } from '../runbooks/runbookStore';
import { setReturnTo } from '../store/actions';

export function openRunbookForAlert(alert: AlertRecord, deploymentName: string): void {
  if (alert.hostId) {
    setRunbooksOpen(false);
    selectHost(alert.hostId);
    setHostsOpen(true);
    return;
  }
  if (alert.deploymentId && alert.endpoint)
    setReturnTo({ deploymentId: alert.deploymentId, endpoint: alert.endpoint, label: `${deploymentName} ${alert.item}` });
  if (alert.section) openRunbookForArea(alert.section, { item: alert.item, ruleId: alert.ruleId, ruleTitle: alert.title, alert: runAlertOf(alert) });
}

/** What a run started from this alert records of it (its intent's `alert`). */
export function runAlertOf(alert: AlertRecord): RunAlert {
  return {
    id: alert.id,
    key: alert.key,
    firedAt: alert.firedAt,
    ruleId: alert.ruleId,
    title: alert.title,
    item: alert.item,
    deploymentId: alert.deploymentId,
    endpoint: alert.endpoint,
  };
}

/** The alert's link in words: "runbook: sla-violations" or "check: host web-1". */
export function checkLabel(alert: Pick<AlertRecord, 'hostId' | 'section' | 'item'>): string {
  return alert.hostId ? `check: host ${alert.item}` : `runbook: ${alert.section}`;
}

/** Whom the alert is about, for the deployment column and the row's name: a deployment's name, or "host". */
export function subjectName(alert: Pick<AlertRecord, 'hostId' | 'deploymentId'>, deploymentNames: ReadonlyMap<string, string>): string {
  if (alert.hostId) return 'host';
  return deploymentNames.get(alert.deploymentId ?? '') ?? alert.deploymentId ?? '';
}
