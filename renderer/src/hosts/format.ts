// Human figures for the host view.
import type { HostFacts } from '../../../common/contract';

/** A host's facts in words: 'ok', or its reasons; `none` when there are no facts yet. */
export const factsText = (facts: HostFacts | null | undefined, none: string): string =>
  facts ? (facts.status === 'ok' ? 'ok' : facts.reasons.join('; ')) : none;

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

export const pct = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : `${Math.round(n * 10) / 10} %`);
