// The alert strip under the header, kept in view (sticky with the header): active alerts first,
// grouped by deployment, area and item (one group per problem, with Ack all and Snooze all),
// each with the panel's reason, its runbook section, start time and duration; resolved alerts
// folded under a toggle; and, in the browser shell, the desktop-notification permission button.
//
// Accessible names (tests, screen readers):
//   region "Alerts"; status "Alert summary" ("no active alerts" | "2 firing, 1 pending")
//   table "Alert list", one row per alert named
//     "<deployment name> <item> <rule title>: <pending|firing|resolved>"
//     cells: status img (failing = critical, warning, ok = resolved), state, deployment, item,
//     alert + reason, button "Open runbook <section> for <item> <rule title>" (text "runbook: <section>"),
//     or, for a host that cannot be reached (deployment cell "host", item the host's label),
//     button "Open host <label> for <label> cannot be reached" (text "check: host <label>"),
//     started (UTC), duration
//     buttons "Acknowledge <item> <rule title>", "Snooze <item> <rule title> for 1 hour"
//   a group of two or more active alerts is headed by a row "<deployment name> <item>: N alerts"
//     with buttons "Acknowledge all N alerts on <item>", "Snooze all N alerts on <item> for 1 hour"
//   button "Show N resolved" / "Hide resolved" (aria-expanded): resolved rows, folded by default
//   button "Enable desktop notifications" (browser shell, until permission is decided)
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { AlertRecord } from '../../../common/thresholds';
import { useFocusHandoff } from '../a11y/useFocusHandoff';
import { useApi } from '../api/ApiContext';
import { clockTime, duration } from '../status/format';
import type { Status } from '../status/status';
import { StatusIcon } from '../status/StatusIcon';
import { visible, VisibleText } from '../status/VisibleText';
import { useNow } from '../status/useNow';
import { checkLabel, openRunbookForAlert, subjectName } from './openRunbookForAlert';
import { useAppStore } from '../store/appStore';
import './alerts.css';
import type { AlertGroup } from './alertGroups';
import { groupAlerts, stateCounts } from './alertGroups';
import { bindAlerts, reloadAlerts, useAlertsStore } from './alertsStore';
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

const AlertRow = memo(function AlertRow({
  alert,
  deploymentName,
  now,
  grouped,
  reveal,
}: {
  alert: AlertRecord;
  deploymentName: string;
  now: number;
  grouped?: boolean;
  /** set while this row is the one asked for (an audit row's "from alert"): it is scrolled to and focused */
  reveal?: number | undefined;
}) {
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
  // else (the row is gone: resolved alerts are folded) the strip's first button, the fold's
  // toggle; never to the page's body. `near` is the cell while the row stays.
  const runbook = useRef<HTMLButtonElement>(null);
  const handoff = useFocusHandoff<HTMLButtonElement>((near) =>
    near?.tagName === 'TD'
      ? (near.querySelector<HTMLButtonElement>('button') ?? runbook.current)
      : near?.closest('section')?.querySelector<HTMLButtonElement>('button'),
  );
  const row = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (reveal === undefined || !row.current) return;
    row.current.scrollIntoView({ block: 'nearest' });
    row.current.focus();
  }, [reveal]);
  return (
    <tr
      ref={row}
      tabIndex={reveal === undefined ? undefined : -1}
      aria-label={alertName(alert, deploymentName)}
      className={`alert-row alert-${alert.state}${grouped ? ' alert-member' : ''}${reveal === undefined ? '' : ' alert-revealed'}`}
    >
      <td>
        {/* "critical: <reason>", "warning: <reason>", "resolved: <reason>": the severity in words, not just red or amber */}
        <StatusIcon status={statusOf(alert)} word={alert.state === 'resolved' ? 'resolved' : alert.severity} why={visible(alert.reason) || alert.title} />
      </td>
      <td className="nowrap">
        {alert.state}
        {alert.acknowledgedBy ? <span className="muted"> · ack {alert.acknowledgedBy}</span> : null}
        {snoozed ? (
          <span className="muted">
            {' '}
            · snoozed{alert.snoozedBy ? ` by ${alert.snoozedBy}` : ''} to {clockTime(alert.snoozedUntil)}
          </span>
        ) : null}
      </td>
      <td className="nowrap">{deploymentName}</td>
      <th scope="row" className="nowrap">
        {alert.item}
      </th>
      <td>
        <span className="alert-title">{alert.title}</span>{' '}
        <span className="muted">
          {/* a broker's detail comes from the health API: hidden characters shown, not applied */}
          <VisibleText text={alert.reason} />
        </span>
      </td>
      <td className="nowrap">
        <button
          ref={runbook}
          type="button"
          className="alert-runbook mono"
          aria-label={alert.hostId ? `Open host ${alert.item} for ${label}` : `Open runbook ${alert.section} for ${label}`}
          onClick={() => openRunbookForAlert(alert, deploymentName)}
        >
          {checkLabel(alert)}
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

/** The head row of a group of two or more active alerts: the problem once, with Ack all and Snooze all. */
function GroupRow({ group, deploymentName, now }: { group: AlertGroup; deploymentName: string; now: number }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const n = group.alerts.length;
  const worst = group.alerts[0]!;
  const unacked = group.alerts.filter((a) => !a.acknowledgedAt);
  const allSnoozed = group.alerts.every((a) => a.snoozedUntil && Date.parse(a.snoozedUntil) > now);
  const started = group.alerts.reduce((min, a) => Math.min(min, Date.parse(a.firedAt ?? a.pendingSince)), Infinity);
  const runAll = async (call: (a: AlertRecord) => ReturnType<typeof api.acknowledgeAlert>, which: readonly AlertRecord[]) => {
    const results = await Promise.all(which.map(call));
    const failed = results.filter((r) => !r.ok);
    setError(failed.length ? `${failed.length} of ${which.length} refused: ${failed[0]!.ok ? '' : failed[0]!.error.message}` : null);
  };
  return (
    <tr aria-label={`${deploymentName} ${group.item}: ${n} alerts`} className={`alert-group alert-${worst.state}`}>
      <td>
        <StatusIcon status={statusOf(worst)} word={worst.severity} why={`${n} alerts on ${group.item}`} />
      </td>
      <td className="nowrap">{stateCounts(group.alerts)}</td>
      <td className="nowrap">{deploymentName}</td>
      <th scope="row" className="nowrap">
        {group.item}
      </th>
      <td>
        <span className="alert-title">{n} alerts</span> <span className="muted">{group.alerts.map((a) => a.title).join(' · ')}</span>
      </td>
      <td className="nowrap">
        <button
          type="button"
          className="alert-runbook mono"
          aria-label={worst.hostId ? `Open host ${group.item}` : `Open runbook ${group.section} for ${group.item}`}
          onClick={() => openRunbookForAlert(worst, deploymentName)}
        >
          {checkLabel(worst)}
        </button>
      </td>
      <td className="nowrap">{clockTime(new Date(started).toISOString())}</td>
      <td className="nowrap">{duration(Math.max(0, (now - started) / 1000))}</td>
      <td className="nowrap">
        {unacked.length ? (
          <button
            type="button"
            aria-label={`Acknowledge all ${unacked.length} alerts on ${group.item}`}
            onClick={() => void runAll((a) => api.acknowledgeAlert({ id: a.id }), unacked)}
          >
            Ack all
          </button>
        ) : null}
        <button
          type="button"
          aria-label={allSnoozed ? `Unsnooze all ${n} alerts on ${group.item}` : `Snooze all ${n} alerts on ${group.item} for 1 hour`}
          onClick={() => void runAll((a) => api.snoozeAlert({ id: a.id, minutes: allSnoozed ? 0 : 60 }), group.alerts)}
        >
          {allSnoozed ? 'Unsnooze all' : 'Snooze all 1 h'}
        </button>
        {error ? (
          <span role="alert" className="alert-error">
            {error}
          </span>
        ) : null}
      </td>
    </tr>
  );
}

export function AlertsPanel() {
  const api = useApi();
  const backend = useAppStore((s) => s.backend.state);
  useEffect(() => bindAlerts(api, showBrowserNotification), [api]);
  // After a reconnect main's list moved on without us.
  useEffect(() => {
    if (backend === 'connected') void reloadAlerts(api);
  }, [api, backend]);
  const { alerts, error, suppressed } = useAlertsStore(useShallow((s) => ({ alerts: s.alerts, error: s.error, suppressed: s.suppressedNotifications })));
  const fleet = useAppStore((s) => s.fleet);
  const names = useMemo(() => new Map((fleet?.deployments ?? []).map((d) => [d.id as string, d.name])), [fleet]);
  const { active, resolved } = useMemo(() => groupAlerts(Object.values(alerts)), [alerts]);
  const activeAlerts = useMemo(() => active.flatMap((g) => g.alerts), [active]);
  const firing = activeAlerts.filter((a) => a.state === 'firing').length;
  const hasActive = activeAlerts.length > 0;
  const now = useNow(hasActive ? 1000 : 10_000);
  const summary = hasActive ? stateCounts(activeAlerts) : 'no active alerts';
  const [showResolved, setShowResolved] = useState(false);
  const reveal = useAlertsStore((s) => s.reveal);
  const revealed = reveal ? alerts[reveal.id] : undefined;
  // a resolved alert asked for is unfolded, so its row is there to focus
  useEffect(() => {
    if (revealed?.state === 'resolved') setShowResolved(true);
  }, [reveal, revealed?.state]);
  const revealOf = (alert: AlertRecord) => (reveal?.id === alert.id ? reveal.seq : undefined);
  const nameOf = (alert: Pick<AlertRecord, 'hostId' | 'deploymentId'>) => subjectName(alert, names);
  const rows = hasActive || (showResolved && resolved.length > 0);
  return (
    <section className={`alerts ${firing ? 'alerts-firing' : ''}`} aria-label="Alerts">
      <header className="alerts-head">
        <h2>Alerts</h2>
        <span role="status" aria-label="Alert summary" className={firing ? 'status-fail' : hasActive ? 'status-warn' : 'muted'}>
          {summary}
        </span>
        {suppressed ? (
          <span className="muted">
            {suppressed} notification{suppressed === 1 ? '' : 's'} held back by the rate limit
          </span>
        ) : null}
        {resolved.length ? (
          <button type="button" className="link-button muted" aria-expanded={showResolved} onClick={() => setShowResolved(!showResolved)}>
            {showResolved ? 'Hide resolved' : `Show ${resolved.length} resolved`}
          </button>
        ) : null}
        <NotificationButton />
      </header>
      {error ? <p className="notice notice-error">{error}</p> : null}
      {rows ? (
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
            {active.map((group) => (
              <tbody key={group.key} className="alert-group-body">
                {group.alerts.length > 1 ? <GroupRow group={group} deploymentName={nameOf(group.alerts[0]!)} now={now} /> : null}
                {group.alerts.map((alert) => (
                  <AlertRow key={alert.id} alert={alert} deploymentName={nameOf(alert)} now={now} grouped={group.alerts.length > 1} reveal={revealOf(alert)} />
                ))}
              </tbody>
            ))}
            {showResolved ? (
              <tbody className="alerts-resolved">
                {resolved.map((alert) => (
                  <AlertRow key={alert.id} alert={alert} deploymentName={nameOf(alert)} now={now} reveal={revealOf(alert)} />
                ))}
              </tbody>
            ) : null}
          </table>
        </div>
      ) : null}
    </section>
  );
}
