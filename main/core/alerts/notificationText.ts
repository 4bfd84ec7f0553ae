// A desktop notification's words for an alert: the same for an item alert, a fold standing for
// many, and a host that cannot be reached, whichever stage sends it.
import { isHostAlert, type AlertNotification, type AlertRecord } from '../../../common/thresholds';

/** "CRITICAL: prod: sla p95 latency" / "Warning: host web-1: host cannot be reached", and what to check. */
export function notificationFor(alert: AlertRecord, subjectName: string): AlertNotification {
  const level = alert.severity === 'critical' ? 'CRITICAL' : 'Warning';
  if (isHostAlert(alert)) {
    return {
      alertId: alert.id,
      title: `${level}: host ${subjectName}: ${alert.title}`,
      body: `${alert.reason} (check: host ${subjectName})`,
      severity: alert.severity,
      section: null,
      hostId: alert.hostId ?? null,
    };
  }
  const folded = alert.item === '*';
  return {
    alertId: alert.id,
    title: folded ? `${level}: ${subjectName}: ${alert.title} (${alert.endpoint})` : `${level}: ${subjectName}: ${alert.item} ${alert.title}`,
    body: `${alert.reason} (runbook: ${alert.section})`,
    severity: alert.severity,
    section: alert.section,
  };
}
