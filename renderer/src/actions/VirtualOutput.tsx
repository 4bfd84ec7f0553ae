// One host's live output, virtualized: only the lines in view (plus a few) are in the DOM, so
// a journal follow that has printed 20 000 lines scrolls as lightly as one with 20. Pinned to
// the newest line while the engineer is at the bottom; scrolling up stops following until
// "Jump to latest". Long lines wrap (a redacted key at the end of a line must be seen without
// scrolling sideways), so each rendered line is measured. @tanstack/react-virtual does the
// windowing and measuring (well kept, no dependencies beyond its core) rather than hand-written code.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HostRun } from '../store/slices';
import { plural } from '../status/format';
import { toLines } from './outputLines';
import { VisibleText } from '../status/VisibleText';

/** Height (px) of one unwrapped line of the monospace output; wrapped lines are measured. */
export const LINE_HEIGHT = 18;

export function VirtualOutput({ label, host, height }: { label: string; host: HostRun | undefined; height: number }) {
  const lines = useMemo(() => toLines(host?.output ?? []), [host?.output]);
  const scroller = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 12,
  });
  useEffect(() => {
    if (pinned && lines.length > 0) virtualizer.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [pinned, lines.length, virtualizer]);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < LINE_HEIGHT * 1.5;
    if (atBottom !== pinned) setPinned(atBottom);
  };
  const dropped = host?.droppedLines ?? 0;
  const trimmed = host?.trimmedChars ?? 0;
  return (
    <div className="vout">
      {dropped > 0 || trimmed > 0 ? (
        <p className="vout-dropped" role="status" aria-label={`Dropped output from ${label}`}>
          {dropped > 0 ? `${plural(dropped, 'line')} dropped by the console to keep up` : ''}
          {dropped > 0 && trimmed > 0 ? '; ' : ''}
          {trimmed > 0 ? `${trimmed.toLocaleString('en')} earlier characters not kept` : ''}
        </p>
      ) : null}
      <div
        ref={scroller}
        className="vout-scroll"
        role="log"
        aria-label={`Output from ${label}`}
        data-line-count={lines.length}
        tabIndex={0}
        // shrink to the output (a restart prints nothing) up to the given height
        style={{ height: Math.min(height, Math.max(2 * LINE_HEIGHT, virtualizer.getTotalSize()) + 4) }}
        onScroll={onScroll}
      >
        {lines.length === 0 ? (
          <p className="vout-empty muted">{host && host.state !== 'queued' && host.state !== 'running' ? 'no output' : 'waiting for output…'}</p>
        ) : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = lines[item.index]!;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className={line.stderr ? 'vout-line stderr' : 'vout-line'}
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
              >
                {line.text === '' ? '\u00a0' : <VisibleText text={line.text} />}
                {'\n'}
              </div>
            );
          })}
        </div>
      </div>
      <div className="vout-foot">
        <span className="muted">{plural(lines.length, 'line')}</span>
        {pinned ? null : (
          <button type="button" onClick={() => setPinned(true)}>
            Jump to latest
          </button>
        )}
      </div>
    </div>
  );
}
