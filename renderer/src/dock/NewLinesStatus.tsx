// The follow's lines in summary, for a screen reader: the lines themselves are not a live region
// (DockLines.tsx), since a burst brings thousands a second and each would be read out. This status
// (polite) says instead what came in since it last spoke, at most once every SUMMARY_MS: "1,240
// new lines, 3 warnings". The lines there when the tab opens are not news; a quiet follow says
// nothing more. It is for the ear only: on screen the lines and the tab's line count say it.
//
// Accessible name: status "New lines".
import { useEffect, useRef, useState } from 'react';
import type { HostOutput } from './shownLines';
import { NO_LINES, summaryText, tallyHost, wholeLinesEnd, type LineTally } from './newLines';

/** The least time between two summaries: long enough for a screen reader to finish one. */
export const SUMMARY_MS = 5000;

/** `ended`: the hosts whose command has ended (their last line is whole without a newline). */
export function NewLinesStatus({ hosts, ended }: { hosts: readonly HostOutput[]; ended: ReadonlySet<string> }) {
  /** per host, the number in the run after the last line tallied */
  const tallied = useRef<Map<string, number> | null>(null);
  const latest = useRef({ hosts, ended });
  const pending = useRef<LineTally>(NO_LINES);
  const tallying = useRef<ReturnType<typeof setTimeout> | null>(null);
  const speaking = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [said, setSaid] = useState({ text: '', n: 0 });
  useEffect(() => {
    latest.current = { hosts, ended };
    if (!tallied.current) {
      tallied.current = new Map(hosts.map((h) => [h.id, wholeLinesEnd(h, ended.has(h.id))]));
      return;
    }
    // tallied in a task of its own: a store update's effects run inside the frame that draws the
    // batch, and reading a burst's thousands of lines there would make that frame longer
    tallying.current ??= setTimeout(() => {
      tallying.current = null;
      let tally = pending.current;
      for (const host of latest.current.hosts) {
        const counted = tallyHost(tally, host, tallied.current!.get(host.id) ?? host.first, latest.current.ended.has(host.id));
        tally = counted.tally;
        tallied.current!.set(host.id, counted.end);
      }
      pending.current = tally;
      if (tally.lines === 0 || speaking.current) return;
      speaking.current = setTimeout(() => {
        speaking.current = null;
        const text = summaryText(pending.current);
        setSaid((s) => ({ text, n: s.n + 1 }));
        pending.current = NO_LINES;
      }, SUMMARY_MS);
    }, 0);
  }, [hosts, ended]);
  useEffect(
    () => () => {
      for (const timer of [tallying, speaking]) {
        if (timer.current) clearTimeout(timer.current);
        timer.current = null;
      }
    },
    [],
  );
  return (
    <span role="status" aria-label="New lines" className="sr-only">
      {/* a new node for each summary: one that reads like the last is still a change, so it is read out */}
      <span key={said.n}>{said.text}</span>
    </span>
  );
}
