// A small recharts line chart of one metric, one line per item (the worst few when there are
// many: chartLines), with the runbook threshold as a dashed line and the unit on the y axis. Memoised and subscribed to its own series and the
// page's time range only (and its panel's action marks): a poll redraws the charts whose data changed, not the page. Every
// prop handed to recharts is a module-level constant or memoised, so the memo holds.
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useAppStore } from '../store/appStore';
import { LIVE_MINUTES, pointsInRange, rangeLabel, type ChartRow } from './chartRange';
import { chartLines } from './chartLines';
import { timeTickFor, timeTicks } from './chartFormats';
import type { Metric } from './historyStore';
import { seriesKey, useHistoryStore } from './historyStore';
import { visibleText } from '../../../common/visibleText';
import type { Endpoint } from '../../../common/health';
import type { ActionMark } from './actionMarks';
import { markText } from './ActionMarkList';
import { useActionMarks } from './useActionMarks';

const PALETTE = ['#5aa2ff', '#c792ea', '#4dd0c8', '#f78c6c', '#b2cc5a', '#ff7eb6', '#a0a8b8'];

const clock = (t: number): string => new Date(t).toISOString().slice(11, 16);
const clockSeconds = (t: number): string => new Date(t).toISOString().slice(11, 19);
const tooltipLabel = (t: unknown): string => `${clockSeconds(Number(t))} UTC`;
const MARGIN = { top: 4, right: 8, bottom: 0, left: 4 };
const TOOLTIP_STYLE = { background: '#161b21', border: '1px solid #2a313b', fontSize: 11 };
const LEGEND_STYLE = { fontSize: 10 };
const X_DOMAIN: [string, string] = ['dataMin', 'dataMax'];
const Y_DOMAIN: [string, string] = ['auto', 'auto'];

export interface HistoryChartProps {
  deploymentId: string;
  metric: Metric;
  title: string;
  /** shown on the y axis: "ms", "%", "jobs" */
  unit: string;
  /** "threshold" is drawn where values at or past it are bad: above (latency) or below (success rate) */
  threshold?: number;
  format: (value: number) => string;
  /** shorter labels for the y axis (no unit: the axis label carries it) */
  axisFormat?: (value: number) => string;
}

/** A run's mark at the top of its line: a triangle, the run in words on hover (SVG title). */
function MarkLabel({ viewBox, mark }: { viewBox?: { x?: number; y?: number }; mark: ActionMark }) {
  const x = viewBox?.x ?? 0;
  const y = viewBox?.y ?? 0;
  return (
    <g className={`action-mark ${mark.mine ? 'mark-mine' : 'mark-team'}`} role="img" aria-label={visibleText(markText(mark)).text}>
      <title>{visibleText(markText(mark)).text}</title>
      <path d={`M${x - 5},${y} L${x + 5},${y} L${x},${y + 7} Z`} fill={mark.mine ? '#5aa2ff' : 'none'} stroke="#5aa2ff" strokeWidth={1.5} />
    </g>
  );
}

export const HistoryChart = memo(function HistoryChart({ deploymentId, metric, title, unit, threshold, format, axisFormat }: HistoryChartProps) {
  const series = useHistoryStore((s) => s.series[seriesKey(deploymentId, metric)]);
  const rangeMinutes = useAppStore((s) => s.chartRangeMinutes);
  // main's minutes before the live hour, for a longer range (not read for one within the hour)
  const older = useHistoryStore((s) => (rangeMinutes > LIVE_MINUTES ? s.older[seriesKey(deploymentId, metric)] : undefined));
  // main's alert fire line (the config may move it) wins over the runbook default
  const line = useHistoryStore((s) => s.thresholds[deploymentId]?.[metric]) ?? threshold;
  // at most MAX_CHART_LINES lines, the worst items: the rest are counted in the caption
  const { names, total } = useMemo(() => chartLines(series, metric), [series, metric]);
  const data = useMemo(() => pointsInRange(series, names, rangeMinutes, older), [series, names, rangeMinutes, older]);
  const accessors = useMemo(() => names.map((_, i) => (row: ChartRow) => row.v[i]), [names]);
  const tooltipValue = useMemo(() => (v: unknown) => (typeof v === 'number' ? format(v) : String(v)), [format]);
  const yLabel = useMemo(() => ({ value: unit, angle: -90, position: 'insideLeft' as const, fill: '#8893a2', fontSize: 10, dy: 10 }), [unit]);
  const points = data.length;
  const first = points < 2 ? 0 : data[0]!.t;
  const last = points < 2 ? 0 : data[points - 1]!.t;
  const timeTick = timeTickFor(last - first);
  const ticks = useMemo(() => timeTicks(first, last), [first, last]);
  // the rows before the live hour's first point are main's minutes, one (the worst) per minute
  const liveFrom = series && series.at.length > 0 ? series.at[0]! : Infinity;
  const downsampled = points >= 2 && first < liveFrom;
  const allMarks = useActionMarks(deploymentId, metric.slice(0, metric.indexOf('.')) as Endpoint);
  // the runs within the range shown (measured from the newest point, as the rows are)
  const marks = useMemo(() => (points < 2 ? [] : allMarks.filter((m) => m.at >= data[0]!.t)), [allMarks, data, points]);
  return (
    <figure className="chart" aria-label={`${title} history`}>
      <figcaption>
        {title} ({unit})
        <span className="muted">
          {' '}
          · {rangeLabel(rangeMinutes)}: {points < 2 ? 'collecting…' : `since ${clock(first)} UTC`}
          {downsampled ? ' · per-minute worst beyond 1 h' : ''}
        </span>
        {total > names.length ? (
          <span className="muted">
            {' '}
            · the {names.length} worst of {total} items
          </span>
        ) : null}
      </figcaption>
      {points < 2 ? null : (
        <ResponsiveContainer width="100%" height={110}>
          {/* recharts' keyboard layer makes the chart a Tab stop (arrows step the tooltip through the points); its <title> names it */}
          <LineChart data={data} margin={MARGIN} title={`${title} chart`} desc="Left and right arrows step through the points">
            <CartesianGrid stroke="#2a313b" strokeDasharray="2 4" />
            <XAxis dataKey="t" type="number" domain={X_DOMAIN} ticks={ticks} tickFormatter={timeTick} stroke="#8893a2" fontSize={10} minTickGap={40} />
            <YAxis stroke="#8893a2" fontSize={10} width={44} tickFormatter={axisFormat ?? format} domain={Y_DOMAIN} label={yLabel} />
            <Tooltip labelFormatter={tooltipLabel} formatter={tooltipValue} contentStyle={TOOLTIP_STYLE} />
            <Legend wrapperStyle={LEGEND_STYLE} iconSize={8} />
            {line === undefined ? null : <ReferenceLine y={line} stroke="#f0b429" strokeDasharray="4 3" ifOverflow="extendDomain" />}
            {marks.map((m) => (
              <ReferenceLine key={m.key} x={m.at} stroke="#5aa2ff" strokeDasharray="2 2" ifOverflow="extendDomain" label={<MarkLabel mark={m} />} />
            ))}
            {names.map((name, i) => (
              <Line
                key={name}
                dataKey={accessors[i]}
                name={visibleText(name).text}
                stroke={PALETTE[i % PALETTE.length]}
                dot={false}
                isAnimationActive={false}
                connectNulls={false}
                strokeWidth={1.5}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
});
