// The alert pipeline wired as the app wires it (main/core/app.ts): the real AlertEngine feeding
// the AlertFolder, the fold's notification spending the engine's budget, items held back under a
// fold spending none. Tests that flood it share this one wiring, so a change to the app's wiring
// has one place to follow here.
import type { DeploymentId, EndpointState } from '../../../common/contract';
import type { AlertNotification, AlertRecord } from '../../../common/thresholds';
import { HistoryStore } from '../health/history/HistoryStore';
import { AlertEngine } from './AlertEngine';
import { AlertFolder } from './AlertFolder';
import { historyAndAlertHandlers } from './alertHandlers';
import { DEFAULT_ALERTS_SETTINGS } from './alertRules';
import { recordFrom } from '../../../common/emptyRecord';

export interface WiredAlertsOptions {
  /** when the clock starts */
  t0: number;
  pendingSeconds?: number;
  /** notifications the engine may send per hour */
  maxPerHour?: number;
  /** item alerts shown alone per deployment and endpoint before the rest fold */
  bound?: number;
}

export function wireAlerts({ t0, pendingSeconds = 0, maxPerHour = 10_000, bound }: WiredAlertsOptions) {
  const clock = {
    t: t0,
    now() {
      return this.t;
    },
  };
  const shown = new Map<string, AlertRecord>();
  const notes: AlertNotification[] = [];
  let records = 0;
  const deploymentName = (id: string) => `Deployment ${id}`;
  const folder: AlertFolder = new AlertFolder({
    clock,
    bound,
    onChange: (alert) => {
      records++;
      shown.set(alert.id, alert);
    },
    onNotify: (note) => notes.push(note),
    deploymentName,
    takeNotification: (key) => engine.takeNotification(key),
  });
  const engine: AlertEngine = new AlertEngine({
    settings: { ...DEFAULT_ALERTS_SETTINGS, pendingSeconds, notifications: { enabled: true, perAlertSeconds: 600, maxPerHour } },
    clock,
    onChange: folder.change,
    onNotify: folder.notify,
    shownAlone: folder.shownAlone,
    deploymentName,
  });
  const handlers = historyAndAlertHandlers({ history: new HistoryStore(), alerts: engine, folder, user: 'oncall', hasDeployment: () => true });
  const active = () => [...shown.values()].filter((a) => a.state !== 'resolved');
  return { clock, engine, folder, handlers, shown, notes, active, records: () => records };
}

/** A good rateLimits poll of `names`, each using `used` of 100 (a number, or one per name). */
export function rateLimitsPoll(deploymentId: string, names: readonly string[], used: number | ((name: string) => number), resetAt: string): EndpointState {
  const usedBy = typeof used === 'number' ? () => used : used;
  return {
    deploymentId: deploymentId as DeploymentId,
    endpoint: 'rateLimits',
    status: 'ok',
    error: null,
    polledAt: null,
    lastGoodAt: null,
    intervalMs: 5000,
    nextPollAt: null,
    latencyMs: 3,
    meta: {},
    items: recordFrom(
      names.map((n) => [
        n,
        { ok: true, value: { used: usedBy(n), limit: 100, remaining: 100 - usedBy(n), window_seconds: 60, reset_at: resetAt, recent_429: 0 } },
      ]),
    ),
  };
}
