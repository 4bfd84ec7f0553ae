// A journal or log line's priority, read from the words journald and the autotrader's logs put
// in it ("ERROR api: …", "<3>", "WARNING"), for the dock's colours. Status by colour AND word:
// the dock prints the word's shape beside the line too.
import type { Status } from '../status/status';

const FAIL = /\b(emerg|emergency|alert|crit|critical|err|error|fatal|panic|failed)\b|<[0-3]>/i;
const WARN = /\b(warn|warning|notice)\b|<[45]>/i;

export function linePriority(text: string): Status | null {
  if (FAIL.test(text)) return 'fail';
  if (WARN.test(text)) return 'warn';
  return null;
}

/** Lines that contain `filter` (case-insensitive); all when it is empty. */
export function filterLines<T extends { text: string }>(lines: readonly T[], filter: string): T[] {
  const needle = filter.trim().toLowerCase();
  return needle ? lines.filter((l) => l.text.toLowerCase().includes(needle)) : [...lines];
}

/** `text` cut around each case-insensitive match of `search`: odd parts are the matches. */
export function splitMatches(text: string, search: string): string[] {
  const needle = search.toLowerCase();
  if (!needle) return [text];
  const parts: string[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, from)) {
    parts.push(text.slice(from, at), text.slice(at, at + needle.length));
    from = at + needle.length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** How many times `search` occurs in `text` (case-insensitive), without cutting it up. */
export function countMatches(text: string, search: string): number {
  const needle = search.toLowerCase();
  if (!needle) return 0;
  const lower = text.toLowerCase();
  let n = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) n++;
  return n;
}
