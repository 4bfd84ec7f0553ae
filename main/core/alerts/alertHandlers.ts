// The contract's history and alert calls, implemented over the app's HistoryStore and
// AlertEngine (spread into OpsApp.handlers).
import type { CallHandlers } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { emptyRecord } from '../../../common/emptyRecord';
import { METRIC_RULE } from '../../../common/thresholds';
import type { HistoryStore } from '../health/history/HistoryStore';
import type { AlertEngine } from './AlertEngine';
import type { AlertFolder } from './AlertFolder';

export interface AlertHandlerDeps {
  readonly history: HistoryStore;
  readonly alerts: AlertEngine;
  /** folds alert floods; acknowledging or snoozing a fold acts on every alert it stands for */
  readonly folder?: AlertFolder;
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
    listAlerts: async () => ({ alerts: deps.folder ? deps.folder.list(deps.alerts.list()) : deps.alerts.list(), suppressedNotifications: deps.alerts.suppressedNotifications }),
    acknowledgeAlert: async (request) => {
      const members = deps.folder?.foldMembers(request.id);
      if (!members) return deps.alerts.acknowledge(request.id, deps.user);
      for (const alert of members) deps.alerts.acknowledge(alert.id, deps.user);
      return deps.folder!.markFold(request.id, { acknowledgedAt: new Date().toISOString(), acknowledgedBy: deps.user });
    },
    snoozeAlert: async (request) => {
      const members = deps.folder?.foldMembers(request.id);
      if (!members) return deps.alerts.snooze(request.id, request.minutes);
      let snoozedUntil: string | null = null;
      for (const alert of members) snoozedUntil = deps.alerts.snooze(alert.id, request.minutes).snoozedUntil;
      return deps.folder!.markFold(request.id, { snoozedUntil });
    },
  };
}
