// A follow tab's live lines, virtualized: only the rows in view (and a few beyond) are in the DOM.
// A burst brings thousands of lines per batch, so every batch replaced the tab's rows: drawing
// all 500 kept lines meant 500 rows taken down and 500 made (each coloured by priority and cut
// around search matches) per batch, and a frame that took two batches ran past 50 ms. Drawn
// rows are now the ones the engineer can see; lines are still kept for scrolling back.
//
// Following, the view stays on the newest line: the rows drawn are the last ones (not those at
// the scroll position before the batch, which would show blank for a frame) and the scroll goes
// to the end before the frame is painted. A row is kept by its place from the newest line, so a
// batch gives the same rows new text instead of taking every row down and making new ones (and
// the browser's accessibility tree does the same); each is measured again for its new line. Paused, the view holds still: rows trimmed above the
// one in view do not move it (the virtualizer anchors to the row in view). Long lines wrap, so
// each drawn row is measured. @tanstack/react-virtual windows and measures, as in the run dialog.
//
// Not a live region (no role "log"): a burst brings thousands of lines a second, and a live region
// has the screen reader read each one out and the browser's accessibility tree follow every row
// the virtualizer swaps. The lines are a labelled region to read at will; NewLinesStatus.tsx
// says what came in, in summary.
//
// Accessible name: region "<label>" (data-line-count: every line kept, shown or filtered out).
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { memo, useLayoutEffect, useRef } from 'react';
import { STATUS_SHAPE } from '../status/status';
import { linePriority, splitMatches } from './linePriority';

export interface DockLineItem {
  /** stable while older lines are trimmed: the host and the line's number in the run */
  key: string;
  text: string;
  stderr: boolean;
  host: string;
}

/** One unwrapped row's height (px): dock.css's line-height for .dock-lines. */
const ROW_HEIGHT = 17;
/** rows drawn beyond each edge of the view, so a small scroll shows drawn rows */
const OVERSCAN = 8;
/**
 * Following, the rows above the view are drawn again with every batch (a burst replaces every
 * row in a frame) while the view goes back to the newest line: one row above is enough, and the
 * seven fewer are a quarter less of each batch's rows to make, lay out and paint.
 */
const FOLLOW_OVERSCAN = 1;

/** The last rows, as many as the view holds and the overscan above it: following, that is what will be in view. */
function lastRows(range: Range): number[] {
  const n = Math.min(range.count, range.endIndex - range.startIndex + 1 + range.overscan);
  return Array.from({ length: n }, (_, i) => range.count - n + i);
}

/** One line; a row whose line and position did not change is not drawn again. */
const DockRow = memo(function DockRow({
  index,
  start,
  text,
  stderr,
  host,
  search,
  measure,
}: {
  index: number;
  start: number;
  text: string;
  stderr: boolean;
  host: string | null;
  search: string;
  measure: (el: HTMLDivElement | null) => void;
}) {
  const priority = linePriority(text);
  return (
    <div
      ref={measure}
      data-index={index}
      className={`dock-line${priority ? ` line-${priority}` : ''}${stderr ? ' line-stderr' : ''}`}
      style={{ transform: `translateY(${start}px)` }}
    >
      <span className="line-mark" aria-hidden="true">
        {priority ? STATUS_SHAPE[priority] : ' '}
      </span>
      {host !== null ? <span className="line-host">{host} </span> : null}
      <span className="line-text">{splitMatches(text, search).map((part, i) => (i % 2 ? <mark key={i}>{part}</mark> : part))}</span>
    </div>
  );
});

export function DockLines({
  label,
  lineCount,
  lines,
  showHost,
  search,
  following,
  empty,
}: {
  label: string;
  lineCount: number;
  lines: readonly DockLineItem[];
  showHost: boolean;
  search: string;
  following: boolean;
  empty: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => lines[i]!.key,
    overscan: following ? FOLLOW_OVERSCAN : OVERSCAN,
    rangeExtractor: following ? lastRows : defaultRangeExtractor,
    anchorTo: 'end',
  });
  const total = virtualizer.getTotalSize();
  const rows = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!following || !el) return;
    // a kept row now holds another line: its height is that line's (a wrapped line is taller)
    for (const row of rows.current?.children ?? []) virtualizer.resizeItem(Number((row as HTMLElement).dataset.index), (row as HTMLElement).offsetHeight);
    // following: at the newest line before the frame is painted
    el.scrollTop = el.scrollHeight;
  }, [following, lines, total, virtualizer]);
  return (
    <div ref={scroller} className="dock-lines mono" role="region" aria-label={label} data-line-count={lineCount} tabIndex={0}>
      {lines.length === 0 ? <p className="muted">{empty}</p> : null}
      <div ref={rows} className="dock-rows" style={{ height: total }}>
        {virtualizer.getVirtualItems().map((item) => {
          const line = lines[item.index]!;
          return (
            <DockRow
              key={following ? `from-end-${lines.length - 1 - item.index}` : item.key}
              index={item.index}
              start={item.start}
              text={line.text}
              stderr={line.stderr}
              host={showHost ? line.host : null}
              search={search}
              measure={virtualizer.measureElement}
            />
          );
        })}
      </div>
    </div>
  );
}
