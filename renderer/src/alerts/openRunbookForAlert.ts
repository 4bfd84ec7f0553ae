// From an alert to its runbook section, with the fix for its item marked, remembering where the engineer came from: after a run
// started there, the run dialog offers one step back to the alert's panel.
import type { AlertRecord } from '../../../common/thresholds';
import { openRunbookForArea } from '../runbooks/runbookStore';
import { setReturnTo } from '../store/actions';

export function openRunbookForAlert(alert: AlertRecord, deploymentName: string): void {
  setReturnTo({ deploymentId: alert.deploymentId, endpoint: alert.endpoint, label: `${deploymentName} ${alert.item}` });
  openRunbookForArea(alert.section, { item: alert.item, ruleTitle: alert.title });
}
