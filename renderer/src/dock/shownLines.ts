// Which of a follow's kept lines its tab shows: every host's lines in host order, up to the pause,
// those the filter lets through, the newest `max` of them. A host keeps thousands of lines (its
// newest 256 KiB) and a burst brings a batch ten times a second, so without a filter only the
// lines shown are made, found from the end of the kept text; a filter has to read them all.
import { countLinesOf, linesBetween } from '../actions/outputLines';
import type { DockLineItem } from './DockLines';
import { filterLines } from './linePriority';

export interface HostOutput {
  id: string;
  label: string;
  /** the number in the run of the first line kept (the lines trimmed before it) */
  first: number;
  output: ReadonlyArray<{ stream: 'stdout' | 'stderr'; text: string }>;
  /** countLines(output) */
  count: number;
}

export function hostOutput(
  id: string,
  label: string,
  run: { output: HostOutput['output']; trimmedLines: number; outputNewlines: number } | undefined,
): HostOutput {
  const output = run?.output ?? [];
  // from the newlines the store counted as they came, not by reading up to 256 KiB again per batch
  return { id, label, first: run?.trimmedLines ?? 0, output, count: countLinesOf(output, run?.outputNewlines ?? 0) };
}

/** Lines of `host` kept up to the pause (all of them while following). */
export function keptUpTo(host: HostOutput, pausedAt: Record<string, number> | null): number {
  if (!pausedAt) return host.count;
  return Math.min(host.count, Math.max(0, (pausedAt[host.id] ?? host.first + host.count) - host.first));
}

/** The lines shown, and how many were kept up to the pause (filtered out or not). */
export function shownLines(
  hosts: readonly HostOutput[],
  pausedAt: Record<string, number> | null,
  filter: string,
  max: number,
): { lines: DockLineItem[]; kept: number } {
  const upTo = hosts.map((h) => keptUpTo(h, pausedAt));
  const kept = upTo.reduce((n, k) => n + k, 0);
  // a line's key is its number in the run: stable while older text is trimmed
  const items = (h: HostOutput, from: number, to: number): DockLineItem[] =>
    linesBetween(h.output, from, to, h.count).map((l, i) => ({ ...l, key: `${h.id}:${h.first + from + i}`, host: h.label }));
  if (filter.trim())
    return {
      lines: filterLines(
        hosts.flatMap((h, i) => items(h, 0, upTo[i]!)),
        filter,
      ).slice(-max),
      kept,
    };
  const lines: DockLineItem[][] = [];
  let room = max;
  for (let i = hosts.length - 1; i >= 0 && room > 0; i--) {
    const take = Math.min(room, upTo[i]!);
    lines.unshift(items(hosts[i]!, upTo[i]! - take, upTo[i]!));
    room -= take;
  }
  return { lines: lines.flat(), kept };
}
