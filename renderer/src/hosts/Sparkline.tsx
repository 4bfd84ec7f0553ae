import { memo } from 'react';

/**
 * A tiny SVG polyline. recharts is the project's chart library, but a 60-point sparkline in
 * every fleet row would mount dozens of ResponsiveContainers that re-measure on each update;
 * a polyline from the ring buffer is the same picture for a fraction of the work.
 */
export const Sparkline = memo(function Sparkline({
  values,
  max,
  label,
  width = 80,
  height = 18,
}: {
  values: readonly number[];
  max?: number;
  label: string;
  width?: number;
  height?: number;
}) {
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / top) * (height - 2)).toFixed(1)}`).join(' ');
  const last = values.at(-1);
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      role="img"
      aria-label={`${label}${last === undefined ? ': no data' : `: latest ${Math.round(last * 100) / 100}`}`}
    >
      {values.length > 1 ? <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" /> : null}
    </svg>
  );
});
