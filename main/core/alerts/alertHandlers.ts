// The contract's history and alert calls, implemented over the app's HistoryStore and
// AlertEngine (spread into OpsApp.handlers).
import type { CallHandlers } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { METRIC_RULE, type AlertRecord } from '../../../common/thresholds';
import type { HistoryStore } from '../health/history/HistoryStore';
import type { AlertEngine } from './AlertEngine';

export interface AlertHandlerDeps {
  readonly history: HistoryStore;
  readonly alerts: AlertEngine;
  readonly user: string;
  readonly hasDeployment: (id: string) => boolean;
  /** an ack or snooze made here, to share with the team (main/core/team) */
  readonly onShared?: (alert: AlertRecord, kind: 'ack' | 'snooze' | 'unsnooze', until: string | null) => void;
}

export function historyAndAlertHandlers(
  deps: AlertHandlerDeps,
): Pick<CallHandlers, 'getHistory' | 'listAlerts' | 'acknowledgeAlert' | 'snoozeAlert'> {
  return {
    getHistory: async (request) => {
      if (!deps.hasDeployment(request.deploymentId)) throw new OpsFailure('not-found', `no deployment "${request.deploymentId}"`);
      const thresholds: Record<string, number> = {};
      for (const metric of request.metrics) {
        const rule = deps.alerts.rules.find((r) => r.id === METRIC_RULE[metric]);
        if (rule) thresholds[metric] = rule.fire;
      }
      return { series: deps.history.read(request.deploymentId, request.metrics, request.sinceMs), thresholds };
    },
    listAlerts: async () => ({ alerts: deps.alerts.list(), suppressedNotifications: deps.alerts.suppressedNotifications }),
    acknowledgeAlert: async (request) => {
      const wasAcked = deps.alerts.list().some((a) => a.id === request.id && a.acknowledgedAt);
      const alert = deps.alerts.acknowledge(request.id, deps.user);
      if (!wasAcked) deps.onShared?.(alert, 'ack', null);
      return alert;
    },
    snoozeAlert: async (request) => {
      const alert = deps.alerts.snooze(request.id, request.minutes);
      deps.onShared?.(alert, request.minutes === 0 ? 'unsnooze' : 'snooze', alert.snoozedUntil);
      return alert;
    },
  };
}
