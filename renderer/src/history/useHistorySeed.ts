import { useEffect } from 'react';
import { HISTORY_METRICS } from '../../../common/thresholds';
import type { OpsApi } from '../../../common/contract';
import { seedHistory } from './historyStore';

/** Fill the charts from main's ring buffers when a deployment's panels open. */
export function useHistorySeed(api: OpsApi, deploymentId: string): void {
  useEffect(() => {
    let current = true;
    void api.getHistory({ deploymentId: deploymentId as Parameters<OpsApi['getHistory']>[0]['deploymentId'], metrics: [...HISTORY_METRICS] }).then((result) => {
      // A failed read leaves the per-session points in place: the charts still fill from polls.
      if (current && result.ok) seedHistory(deploymentId, result.value.series, result.value.thresholds);
    });
    return () => {
      current = false;
    };
  }, [api, deploymentId]);
}
