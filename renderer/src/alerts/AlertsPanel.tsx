// The alert strip under the header: every pending, firing and recently resolved alert with its
// runbook section, start time and duration; acknowledge and snooze; and, in the browser shell,
// the button that asks for desktop-notification permission.
//
// Accessible names (tests, screen readers):
//   region "Alerts"; status "Alert summary" ("no active alerts" | "2 firing, 1 pending")
//   table "Alert list", one row per alert named
//     "<deployment name> <item> <rule title>: <pending|firing|resolved>"
//     cells: status img (failing = critical, warning, ok = resolved), state, deployment, item,
//     alert + reason, button "Open runbook <section> for <item> <rule title>" (text "runbook: <section>"),
//     started (UTC), duration
//     buttons "Acknowledge <item> <rule title>", "Snooze <item> <rule title> for 1 hour"
//   button "Enable desktop notifications" (browser shell, until permission is decided)
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { AlertRecord } from '../../../common/thresholds';
import { useFocusHandoff } from '../a11y/useFocusHandoff';
import { useApi } from '../api/ApiContext';
import { clockTime, duration } from '../status/format';
import type { Status } from '../status/status';
import { StatusIcon } from '../status/StatusIcon';
import { useNow } from '../status/useNow';
import { openRunbookForArea } from '../runbooks/runbookStore';
import { useStore } from '../store/useStore';
import './alerts.css';
import { bindAlerts, reloadAlerts, sortAlerts, useAlerts } from './alertsStore';
import { notificationPermission, requestNotificationPermission, showBrowserNotification, type PermissionState } from './browserNotifications';

const statusOf = (alert: AlertRecord): Status => (alert.state === 'resolved' ? 'ok' : alert.severity === 'critical' ? 'fail' : 'warn');

export function alertName(alert: AlertRecord, deploymentName: string): string {
  return `${deploymentName} ${alert.item} ${alert.title}: ${alert.state}`;
}

export function alertDurationSeconds(alert: AlertRecord, now: number): number {
  const start = Date.parse(alert.firedAt ?? alert.pendingSince);
  const end = alert.resolvedAt ? Date.parse(alert.resolvedAt) : now;
  return Math.max(0, (end - start) / 1000);
}

const AlertRow = memo(function AlertRow({ alert, deploymentName, now }: { alert: AlertRecord; deploymentName: string; now: number }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const label = `${alert.item} ${alert.title}`;
  const act = async (call: () => ReturnType<typeof api.acknowledgeAlert>) => {
    const result = await call();
    setError(result.ok ? null : result.error.message);
  };
  const snoozed = alert.snoozedUntil && Date.parse(alert.snoozedUntil) > now;
  // Ack goes away once the alert is acknowledged, Ack and Snooze both once it resolves. Focus
  // moves on to what is left in their cell (Snooze, after an Ack), else the alert's runbook link,
  // else (the row is gone: resolved alerts hidden) the nearest button left in the list; never to
  // the page's body. `near` is the cell while the row stays, the list once it has gone.
  const runbook = useRef<HTMLButtonElement>(null);
  const handoff = useFocusHandoff<HTMLButtonElement>((near) => near?.querySelector<HTMLButtonElement>('button') ?? runbook.current);
  return (
    <tr aria-label={alertName(alert, deploymentName)} className={`alert-row alert-${alert.state}`}>
      <td>
        {/* "critical: <reason>", "warning: <reason>", "resolved: <reason>": the severity in words, not just red or amber */}
        <StatusIcon status={statusOf(alert)} word={alert.state === 'resolved' ? 'resolved' : alert.severity} why={alert.reason || alert.title} />
      </td>
      <td className="nowrap">
        {alert.state}
        {alert.acknowledgedBy ? <span className="muted"> · ack {alert.acknowledgedBy}</span> : null}
        {snoozed ? <span className="muted"> · snoozed{alert.snoozedBy ? ` by ${alert.snoozedBy}` : ''} to {clockTime(alert.snoozedUntil)}</span> : null}
      </td>
      <td className="nowrap">{deploymentName}</td>
      <th scope="row" className="nowrap">
        {alert.item}
      </th>
      <td>
        <span className="alert-title">{alert.title}</span> <span className="muted">{alert.reason}</span>
      </td>
      <td className="nowrap">
        <button ref={runbook} type="button" className="alert-runbook mono" aria-label={`Open runbook ${alert.section} for ${label}`} onClick={() => openRunbookForArea(alert.section)}>
          runbook: {alert.section}
        </button>
      </td>
      <td className="nowrap">{clockTime(alert.firedAt ?? alert.pendingSince)}</td>
      <td className="nowrap">{duration(alertDurationSeconds(alert, now))}</td>
      <td className="nowrap">
        {alert.state !== 'resolved' && !alert.acknowledgedAt ? (
          <button ref={handoff} type="button" aria-label={`Acknowledge ${label}`} onClick={() => void act(() => api.acknowledgeAlert({ id: alert.id }))}>
            Ack
          </button>
        ) : null}
        {alert.state !== 'resolved' ? (
          <button
            ref={handoff}
            type="button"
            aria-label={snoozed ? `Unsnooze ${label}` : `Snooze ${label} for 1 hour`}
            onClick={() => void act(() => api.snoozeAlert({ id: alert.id, minutes: snoozed ? 0 : 60 }))}
          >
            {snoozed ? 'Unsnooze' : 'Snooze 1 h'}
          </button>
        ) : null}
        {error ? (
          <span role="alert" className="alert-error">
            {error}
          </span>
        ) : null}
      </td>
    </tr>
  );
});

function NotificationButton() {
  const [permission, setPermission] = useState<PermissionState>(() => notificationPermission(window));
  if (permission !== 'default') {
    return permission === 'denied' ? <span className="muted">desktop notifications blocked by the browser</span> : null;
  }
  return (
    <button type="button" onClick={() => void requestNotificationPermission().then(setPermission)}>
      Enable desktop notifications
    </button>
  );
}

export function AlertsPanel() {
  const api = useApi();
  const backend = useStore((s) => s.backend.state);
  useEffect(() => bindAlerts(api, showBrowserNotification), [api]);
  // After a reconnect main's list moved on without us.
  useEffect(() => {
    if (backend === 'connected') void reloadAlerts(api);
  }, [api, backend]);
  const { alerts, error, suppressed } = useAlerts(useShallow((s) => ({ alerts: s.alerts, error: s.error, suppressed: s.suppressedNotifications })));
  const fleet = useStore((s) => s.fleet);
  const names = useMemo(() => new Map((fleet?.deployments ?? []).map((d) => [d.id as string, d.name])), [fleet]);
  const sorted = useMemo(() => sortAlerts(Object.values(alerts)), [alerts]);
  const firing = sorted.filter((a) => a.state === 'firing').length;
  const pending = sorted.filter((a) => a.state === 'pending').length;
  const hasActive = firing + pending > 0;
  const now = useNow(hasActive ? 1000 : 10_000);
  const summary = hasActive ? [firing ? `${firing} firing` : '', pending ? `${pending} pending` : ''].filter(Boolean).join(', ') : 'no active alerts';
  const [showResolved, setShowResolved] = useState(true);
  const shown = showResolved ? sorted : sorted.filter((a) => a.state !== 'resolved');
  return (
    <section className={`alerts ${firing ? 'alerts-firing' : ''}`} aria-label="Alerts">
      <header className="alerts-head">
        <h2>Alerts</h2>
        <span role="status" aria-label="Alert summary" className={firing ? 'status-fail' : pending ? 'status-warn' : 'muted'}>
          {summary}
        </span>
        {suppressed ? <span className="muted">{suppressed} notification{suppressed === 1 ? '' : 's'} held back by the rate limit</span> : null}
        <label className="muted">
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> show resolved
        </label>
        <NotificationButton />
      </header>
      {error ? <p className="notice notice-error">{error}</p> : null}
      {shown.length ? (
        <div className="alerts-scroll">
          <table aria-label="Alert list" className="alerts-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Severity</span>
                </th>
                <th scope="col">State</th>
                <th scope="col">Deployment</th>
                <th scope="col">Item</th>
                <th scope="col">Alert</th>
                <th scope="col">Runbook</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((alert) => (
                <AlertRow key={alert.id} alert={alert} deploymentName={names.get(alert.deploymentId) ?? alert.deploymentId} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
