// Which code blocks of a runbook section answer an alert: the block the runbook's front matter
// links to the alert's rule (`fixes:`), else the fix for the item that alerted (the "Questrade"
// block for a questrade alert, the block that resets the coingecko_api breaker), so the viewer
// can mark their Run buttons and put the first one under focus. The link comes first because
// words alone mislead: "pending jobs" names the "Stale jobs" block (which deletes the queue),
// not "More workers", the fix for a backlog.
import type { RunAlert, RunbookSection } from '../../../common/contract';

/** The alert the runbook was opened from. */
export interface AlertFocus {
  /** the health API's item name: "coingecko", "ibkr_fa_scrubbing" */
  item: string;
  /** the rule's id: "sla-success-rate", "queue-pending" */
  ruleId: string;
  /** the rule's title: "success rate", "broker not online" */
  ruleTitle: string;
  /** the alert itself, which a run started from this runbook records */
  alert?: RunAlert;
}

const STOP = new Set(['a', 'an', 'and', 'by', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'not', 'api', 'status']);

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2 && !STOP.has(w));

/** Same word, its plural, or the same stem for longer words ("dependency" and "dependencies"). */
const sameWord = (a: string, b: string): boolean =>
  a === b || a + 's' === b || b + 's' === a || (a.length >= 6 && b.length >= 6 && a.slice(0, 6) === b.slice(0, 6));

/** A block label as written ("**Low success rate:**") compared with a front matter value. */
const sameLabel = (label: string | null, wanted: string): boolean =>
  !!label && label.trim().replace(/:$/, '').trim().toLowerCase() === wanted.trim().replace(/:$/, '').trim().toLowerCase();

/**
 * The indexes of the section's runnable blocks for this alert, the first of these that finds
 * any: the block the front matter's `fixes` links to the rule; blocks whose label names the item ("Questrade"), whose label names the rule ("Low
 * success rate"), whose runnable lines take the item as a parameter (the coingecko_api
 * breaker's reset); else every runnable block of the section (the area's fixes, none singled out).
 */
export function blocksForAlert(section: RunbookSection, focus: AlertFocus): Set<number> {
  const runnable = section.parts.flatMap((p) => (p.kind === 'code' && p.block.lines.some((l) => l.action) ? [p.block] : []));
  const labelNames = (wanted: string[]) => (block: (typeof runnable)[number]) => words(block.label ?? '').some((w) => wanted.some((x) => sameWord(w, x)));
  const item = focus.item.toLowerCase();
  const takesItem = (block: (typeof runnable)[number]) =>
    block.lines.some((l) => l.action && Object.values(l.action.params).some((v) => typeof v === 'string' && v.toLowerCase().includes(item)));
  const linked = section.fixes?.[focus.ruleId];
  const linkedBlock = (block: (typeof runnable)[number]) => linked !== undefined && sameLabel(block.label, linked);
  for (const test of [linkedBlock, labelNames(words(focus.item)), labelNames(words(focus.ruleTitle)), takesItem]) {
    const found = runnable.filter(test);
    if (found.length > 0) return new Set(found.map((b) => b.index));
  }
  return new Set(runnable.map((b) => b.index));
}
