// What the follow dock says about the lines that came in since it last spoke: how many, and how
// many of them read as warnings or errors (the words linePriority.ts colours). A screen reader
// hears this summary at most every few seconds (NewLinesStatus.tsx) instead of every line of a
// burst of thousands.
import { plural } from '../status/format';
import type { HostOutput } from './shownLines';
import { linesBetween } from '../actions/outputLines';
import { linePriority } from './linePriority';

export interface LineTally {
  lines: number;
  warnings: number;
  errors: number;
}

export const NO_LINES: LineTally = { lines: 0, warnings: 0, errors: 0 };

/**
 * The tally with `host`'s whole lines from number `from` in the run added, and the number after
 * the last one. Lines trimmed from the page before they were tallied count as lines; their words
 * are gone, so they add no warning or error. `ended`: the host's command has ended (see wholeLinesEnd).
 */
export function tallyHost(tally: LineTally, host: HostOutput, from: number, ended = false): { tally: LineTally; end: number } {
  const end = wholeLinesEnd(host, ended);
  if (end <= from) return { tally, end: from };
  let { warnings, errors } = tally;
  const start = Math.max(from, host.first);
  for (const line of linesBetween(host.output, start - host.first, end - host.first, host.count)) {
    const priority = linePriority(line.text);
    if (priority === 'fail') errors++;
    else if (priority === 'warn') warnings++;
  }
  return { tally: { lines: tally.lines + end - from, warnings, errors }, end };
}

/** "1,240 new lines, 3 warnings, 1 error"; a count of none is left out. */
export function summaryText(tally: LineTally): string {
  return [plural(tally.lines, 'new line'), tally.warnings ? plural(tally.warnings, 'warning') : '', tally.errors ? plural(tally.errors, 'error') : '']
    .filter(Boolean)
    .join(', ');
}

/**
 * The number in the run after `host`'s last whole line: a line still open (no newline yet) is
 * tallied once it is whole, so its words are all there. Once the command has ended (`ended`) no
 * newline will come: its last line is whole as it is.
 */
export function wholeLinesEnd(host: HostOutput, ended = false): number {
  const last = host.output.at(-1);
  const open = !ended && last !== undefined && last.text !== '' && !last.text.endsWith('\n');
  return host.first + host.count - (open ? 1 : 0);
}
