// A small recharts line chart of one metric, one line per item, with the runbook threshold as
// a dashed line. Memoised and subscribed to its own series only: a poll redraws the charts
// whose data changed, not the page.
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Metric } from './historyStore';
import { seriesKey, useHistory } from './historyStore';
import { visibleText } from '../../../common/visibleText';

interface Row {
  t: number;
  v: Array<number | null>;
}

const PALETTE = ['#5aa2ff', '#c792ea', '#4dd0c8', '#f78c6c', '#b2cc5a', '#ff7eb6', '#a0a8b8'];

const clock = (t: number): string => new Date(t).toISOString().slice(11, 19);

export interface HistoryChartProps {
  deploymentId: string;
  metric: Metric;
  title: string;
  threshold?: number;
  /** "threshold" is drawn where values at or past it are bad: above (latency) or below (success rate) */
  format: (value: number) => string;
  /** shorter labels for the y axis (no unit: the title carries it) */
  axisFormat?: (value: number) => string;
}

export const HistoryChart = memo(function HistoryChart({ deploymentId, metric, title, threshold, format, axisFormat }: HistoryChartProps) {
  const series = useHistory((s) => s.series[seriesKey(deploymentId, metric)]);
  // main's alert fire line (the config may move it) wins over the runbook default
  const line = useHistory((s) => s.thresholds[deploymentId]?.[metric]) ?? threshold;
  const names = useMemo(() => Object.keys(series?.lines ?? {}).sort(), [series]);
  // Rows hold the values by line index, read with accessor functions: an item's name from the
  // health API is never a key here ("t", "__proto__" or "a.b", which recharts would read as a path).
  const data = useMemo<Row[]>(() => (series ? series.at.map((t, i) => ({ t, v: names.map((n) => series.lines[n]![i] ?? null) })) : []), [series, names]);
  const accessors = useMemo(() => names.map((_, i) => (row: Row) => row.v[i]), [names]);
  const points = data.length;
  return (
    <figure className="chart" aria-label={`${title} history`}>
      <figcaption>
        {title}
        <span className="muted"> · {points < 2 ? 'collecting…' : `since ${clock(data[0]!.t)}`}</span>
      </figcaption>
      {points < 2 ? null : (
        <ResponsiveContainer width="100%" height={110}>
          {/* recharts' keyboard layer makes the chart a Tab stop (arrows step the tooltip through the points); its <title> names it */}
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }} title={`${title} chart`} desc="Left and right arrows step through the points">
            <CartesianGrid stroke="#2a313b" strokeDasharray="2 4" />
            <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={clock} stroke="#8893a2" fontSize={10} minTickGap={40} />
            <YAxis stroke="#8893a2" fontSize={10} width={36} tickFormatter={axisFormat ?? format} domain={['auto', 'auto']} />
            <Tooltip labelFormatter={(t) => `${clock(Number(t))} UTC`} formatter={(v) => (typeof v === 'number' ? format(v) : String(v))} contentStyle={{ background: '#161b21', border: '1px solid #2a313b', fontSize: 11 }} />
            <Legend wrapperStyle={{ fontSize: 10 }} iconSize={8} />
            {line === undefined ? null : <ReferenceLine y={line} stroke="#f0b429" strokeDasharray="4 3" ifOverflow="extendDomain" />}
            {names.map((name, i) => (
              <Line key={name} dataKey={accessors[i]} name={visibleText(name).text} stroke={PALETTE[i % PALETTE.length]} dot={false} isAnimationActive={false} connectNulls={false} strokeWidth={1.5} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
});
