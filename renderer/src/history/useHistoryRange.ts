import { useEffect } from 'react';
import { HISTORY_METRICS } from '../../../common/thresholds';
import type { OpsApi } from '../../../common/contract';
import { useAppStore } from '../store/appStore';
import { LIVE_MINUTES } from './chartRange';
import { seedRange } from './historyStore';

/**
 * How often a long range is asked for again while it is shown. Main's answer carries its own
 * newest hour at the poll rate, so until the live hour has rolled past that answer's end there
 * is no gap between the two; well within that, the minutes the live hour drops are fetched back.
 */
export const RANGE_REFRESH_MS = 5 * 60_000;

/** Ask main for the chosen range when it is longer than the live hour, and keep it current. */
export function useHistoryRange(api: OpsApi, deploymentId: string): void {
  const minutes = useAppStore((s) => s.chartRangeMinutes);
  const long = minutes > LIVE_MINUTES;
  useEffect(() => {
    if (!long) return;
    let current = true;
    const ask = () => {
      // from the clock with a minute to spare: the chart cuts the range from its newest point
      const sinceMs = Date.now() - (minutes + 1) * 60_000;
      void api
        .getHistory({ deploymentId: deploymentId as Parameters<OpsApi['getHistory']>[0]['deploymentId'], metrics: [...HISTORY_METRICS], sinceMs })
        .then((result) => {
          // A failed read leaves the live hour in place: the charts say since when they reach.
          if (current && result.ok) seedRange(deploymentId, result.value.series);
        });
    };
    ask();
    const timer = setInterval(ask, RANGE_REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [api, deploymentId, long, minutes]);
}
