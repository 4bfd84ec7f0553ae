// The contract's history and alert calls, implemented over the app's HistoryStore and
// AlertEngine (spread into OpsApp.handlers).
import type { CallHandlers } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { emptyRecord } from '../../../common/emptyRecord';
import { METRIC_RULE, type AlertRecord } from '../../../common/thresholds';
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
  /** an ack or snooze made here, to share with the team (main/core/team) */
  readonly onShared?: (alert: AlertRecord, kind: 'ack' | 'snooze' | 'unsnooze', until: string | null) => void;
}

export function historyAndAlertHandlers(deps: AlertHandlerDeps): Pick<CallHandlers, 'getHistory' | 'listAlerts' | 'acknowledgeAlert' | 'snoozeAlert'> {
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
    listAlerts: async () => ({
      alerts: deps.folder ? deps.folder.list(deps.alerts.list()) : deps.alerts.list(),
      suppressedNotifications: deps.alerts.suppressedNotifications,
    }),
    acknowledgeAlert: async (request) => {
      const members = deps.folder?.foldMembers(request.id);
      if (!members) {
        const wasAcked = deps.alerts.list().some((a) => a.id === request.id && a.acknowledgedAt);
        const alert = deps.alerts.acknowledge(request.id, deps.user);
        if (!wasAcked) deps.onShared?.(alert, 'ack', null);
        return alert;
      }
      for (const member of members) {
        const alert = deps.alerts.acknowledge(member.id, deps.user);
        if (!member.acknowledgedAt) deps.onShared?.(alert, 'ack', null);
      }
      return deps.folder!.markFold(request.id, { acknowledgedAt: new Date().toISOString(), acknowledgedBy: deps.user });
    },
    snoozeAlert: async (request) => {
      const kind = request.minutes === 0 ? 'unsnooze' : 'snooze';
      const members = deps.folder?.foldMembers(request.id);
      if (!members) {
        const alert = deps.alerts.snooze(request.id, request.minutes);
        deps.onShared?.(alert, kind, alert.snoozedUntil);
        return alert;
      }
      let snoozedUntil: string | null = null;
      for (const member of members) {
        const alert = deps.alerts.snooze(member.id, request.minutes);
        snoozedUntil = alert.snoozedUntil;
        deps.onShared?.(alert, kind, alert.snoozedUntil);
      }
      return deps.folder!.markFold(request.id, { snoozedUntil });
    },
  };
}
