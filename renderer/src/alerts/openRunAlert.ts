// From an audit row back to the alert its run was started from: the alert itself when the strip
// still lists it (or a later firing of the same problem, or the fold that stands for it), else the
// panel it concerned. Alert ids restart with main, so an id alone is not enough: the key and the
// firing time must match too.
import type { RunAlert } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { openPanel } from '../store/actions';
import { revealAlert, useAlertsStore } from './alertsStore';

/** The listed alert that is this run's alert, or the active fold that holds it back; else null. */
export function listedAlert(run: RunAlert, alerts: Readonly<Record<string, AlertRecord>>): AlertRecord | null {
  const same = alerts[run.id];
  // a run started while its alert was pending recorded no firing time; it may have fired since
  if (same && same.key === run.key && (run.firedAt === null || same.firedAt === run.firedAt)) return same;
  // the same problem fired again since (it recovered and came back, or main restarted): its newest
  // firing is the alert the engineer is after, rather than only its panel
  const again = Object.values(alerts)
    .filter((a) => a.key === run.key && a.firedAt !== null)
    .sort((a, b) => (a.firedAt! < b.firedAt! ? 1 : -1))[0];
  if (again) return again;
  const fold = Object.values(alerts).find(
    (a) => a.ruleId === 'items-folded' && a.state !== 'resolved' && a.deploymentId === run.deploymentId && a.endpoint === run.endpoint,
  );
  return fold ?? null;
}

/** Open what the run's alert points at; says which it was, null when neither is there. */
export function openRunAlert(run: RunAlert): 'alert' | 'panel' | null {
  const listed = listedAlert(run, useAlertsStore.getState().alerts);
  if (listed) {
    revealAlert(listed.id);
    return 'alert';
  }
  if (run.deploymentId && run.endpoint) {
    openPanel(run.deploymentId, run.endpoint);
    return 'panel';
  }
  return null;
}
