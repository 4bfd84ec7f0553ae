// The contract's history and alert calls, implemented over the app's HistoryStore and
// AlertEngine (spread into OpsApp.handlers).
import type { CallHandlers } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { emptyRecord } from '../../../common/emptyRecord';
import { METRIC_RULE } from '../../../common/thresholds';
import type { HistoryStore } from '../health/history/HistoryStore';
import type { AlertEngine } from './AlertEngine';

export interface AlertHandlerDeps {
  readonly history: HistoryStore;
  readonly alerts: AlertEngine;
  readonly user: string;
  readonly hasDeployment: (id: string) => boolean;
}

export function historyAndAlertHandlers(
  deps: AlertHandlerDeps,
): Pick<CallHandlers, 'getHistory' | 'listAlerts' | 'acknowledgeAlert' | 'snoozeAlert'> {
  return {
    getHistory: async (request) => {
      if (!deps.hasDeployment(request.deploymentId)) throw new OpsFailure('not-found', `no deployment "${request.deploymentId}"`);
      const thresholds = emptyRecord<number>();
      for (const metric of request.metrics) {
        const rule = deps.alerts.rules.find((r) => r.id === METRIC_RULE[metric]);
        if (rule) thresholds[metric] = rule.fire;
      }
      return { series: deps.history.read(request.deploymentId, request.metrics, request.sinceMs), thresholds };
    },
    listAlerts: async () => ({ alerts: deps.alerts.list(), suppressedNotifications: deps.alerts.suppressedNotifications }),
    acknowledgeAlert: async (request) => deps.alerts.acknowledge(request.id, deps.user),
    snoozeAlert: async (request) => deps.alerts.snooze(request.id, request.minutes),
  };
}
