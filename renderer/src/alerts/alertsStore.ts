// The page's copy of main's alert list: loaded once, then kept by batched onAlerts updates.
// Its own small store, so an alert change re-renders the alert strip and nothing else.
import type { OpsApi } from '../../../common/contract';
import type { AlertNotification, AlertRecord } from '../../../common/thresholds';
import { createStore } from '../store/createStore';

export interface AlertsState {
  alerts: Record<string, AlertRecord>;
  suppressedNotifications: number;
  error: string | null;
  /** the alert to bring into view and focus (an audit row's "from alert"); `seq` makes the same one come again */
  reveal: { id: string; seq: number } | null;
}

export const useAlertsStore = createStore<AlertsState>(() => ({ alerts: {}, suppressedNotifications: 0, error: null, reveal: null }));

let revealSeq = 0;

/** Bring a listed alert into view in the strip, its row focused (resolved ones unfolded). */
export function revealAlert(id: string): void {
  useAlertsStore.setState({ reveal: { id, seq: ++revealSeq } });
}

/** Resolved alerts kept in the page (main keeps its own, longer list). */
export const MAX_RESOLVED = 50;

/**
 * ISO 8601 times (main's, all UTC) sort as plain strings. Not localeCompare: its first call builds
 * the ICU collator, tens of milliseconds the page's first render paid for nothing.
 */
const byTimeNewestFirst = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

export function applyAlertUpdates(updates: readonly AlertRecord[]): void {
  if (updates.length === 0) return;
  useAlertsStore.setState((s) => {
    const alerts = { ...s.alerts };
    for (const alert of updates) {
      // A pending alert that never fired and went away is not news: drop it.
      if (alert.state === 'resolved' && alert.firedAt === null) delete alerts[alert.id];
      else alerts[alert.id] = alert;
    }
    const resolved = Object.values(alerts)
      .filter((a) => a.state === 'resolved')
      .sort((a, b) => byTimeNewestFirst(a.resolvedAt ?? '', b.resolvedAt ?? ''));
    for (const old of resolved.slice(MAX_RESOLVED)) delete alerts[old.id];
    return { alerts };
  });
}

export function replaceAlerts(list: readonly AlertRecord[], suppressedNotifications: number): void {
  useAlertsStore.setState({ alerts: {}, suppressedNotifications, error: null });
  applyAlertUpdates(list);
}

/** Firing first (critical before warning), then pending, then resolved; newest first in each. */
export function sortAlerts(alerts: readonly AlertRecord[]): AlertRecord[] {
  const rank = (a: AlertRecord) => (a.state === 'firing' ? (a.severity === 'critical' ? 0 : 1) : a.state === 'pending' ? 2 : 3);
  const at = (a: AlertRecord) => (a.state === 'resolved' ? (a.resolvedAt ?? '') : (a.firedAt ?? a.pendingSince));
  return [...alerts].sort((a, b) => rank(a) - rank(b) || byTimeNewestFirst(at(a), at(b)));
}

export type NotificationShow = (notification: AlertNotification) => void;

/** Load the list and follow main's updates; returns the unsubscribe. */
export function bindAlerts(api: OpsApi, show: NotificationShow | null): () => void {
  const offAlerts = api.on('onAlerts', (payload) => applyAlertUpdates(payload.updates));
  const offNotify = api.on('onAlertNotification', (payload) => show?.(payload));
  void reloadAlerts(api);
  return () => {
    offAlerts();
    offNotify();
  };
}

export async function reloadAlerts(api: OpsApi): Promise<void> {
  const result = await api.listAlerts({});
  if (result.ok) replaceAlerts(result.value.alerts, result.value.suppressedNotifications);
  else useAlertsStore.setState({ error: `cannot load alerts: ${result.error.message}` });
}
