import { setChartRange } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { CHART_RANGES } from './chartRange';

/** 15 min to 24 h for every chart on the page. */
export function ChartRangePicker() {
  const minutes = useAppStore((s) => s.chartRangeMinutes);
  return (
    <div role="group" aria-label="Chart time range" className="segmented">
      {CHART_RANGES.map((r) => (
        <button key={r.minutes} type="button" aria-pressed={r.minutes === minutes} onClick={() => setChartRange(r.minutes)}>
          {r.label}
        </button>
      ))}
    </div>
  );
}
