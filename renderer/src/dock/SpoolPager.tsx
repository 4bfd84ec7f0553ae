// A follow's whole record, page by page: the spool main keeps on disk holds every line the view
// was sent (redacted, as shown), beyond the newest part the page keeps. The pager reads it a page
// at a time (readFollowSpool) from the first line still kept to the newest, numbered as on disk;
// the tab's filter and search apply to the page shown. "Jump to now" (in the tab's tools) leaves it.
//
// Accessible names: group "Lines kept on disk"; combobox "Host" (several hosts); buttons
// "First line", "Older", "Newer", "Newest"; status "Spool position"; region "Kept on disk from
// <label>" (each line's data-line is its number in the spool, 1 the first kept). A page is not a
// live region: turning one would have the screen reader read out 500 lines.
import { useEffect, useState } from 'react';
import type { HostId, RunId } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { STATUS_SHAPE } from '../status/status';
import type { DockTab } from './dockStore';
import { updateDockTab } from './dockStore';
import { filterLines, linePriority, splitMatches } from './linePriority';

/** Lines read and drawn per page (plain rows: a page this size draws in a frame or two). */
export const SPOOL_PAGE_LINES = 500;

type Page = { from: number; lines: string[]; total: number };

export function SpoolPager({ tab, history }: { tab: DockTab; history: NonNullable<DockTab['history']> }) {
  const api = useApi();
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** "Newest" again reads again: the follow has gone on since */
  const [reads, setReads] = useState(0);
  const { hostId, from } = history;
  useEffect(() => {
    let current = true;
    void api.readFollowSpool({ runId: tab.runId as RunId, hostId: hostId as HostId, from: Math.max(0, from), count: SPOOL_PAGE_LINES }).then((result) => {
      if (!current) return;
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setError(null);
      // "the newest page" is asked for as -1: now that the total is known, read the page that ends there
      if (from < 0 && result.value.total > SPOOL_PAGE_LINES) updateDockTab(tab.runId, { history: { hostId, from: result.value.total - SPOOL_PAGE_LINES } });
      else setPage(result.value);
    });
    return () => {
      current = false;
    };
  }, [api, tab.runId, hostId, from, reads]);
  const go = (to: number) => updateDockTab(tab.runId, { history: { hostId, from: Math.max(0, to) } });
  const label = tab.hosts.find((h) => h.id === hostId)?.label ?? hostId;
  const lines = page
    ? filterLines(
        page.lines.map((text, i) => ({ text, n: page.from + i + 1 })),
        tab.filter,
      )
    : [];
  const atStart = !page || page.from === 0;
  const atEnd = !page || page.from + page.lines.length >= page.total;
  return (
    <>
      <div className="dock-tools" role="group" aria-label="Lines kept on disk">
        {tab.hosts.length > 1 ? (
          <select aria-label="Host" value={hostId} onChange={(e) => updateDockTab(tab.runId, { history: { hostId: e.target.value, from: -1 } })}>
            {tab.hosts.map((h) => (
              <option key={h.id} value={h.id}>
                {h.label}
              </option>
            ))}
          </select>
        ) : null}
        <button type="button" onClick={() => go(0)} disabled={atStart}>
          First line
        </button>
        <button type="button" onClick={() => page && go(page.from - SPOOL_PAGE_LINES)} disabled={atStart}>
          Older
        </button>
        <button type="button" onClick={() => page && go(page.from + SPOOL_PAGE_LINES)} disabled={atEnd}>
          Newer
        </button>
        <button
          type="button"
          onClick={() => {
            updateDockTab(tab.runId, { history: { hostId, from: -1 } });
            setReads((n) => n + 1);
          }}
        >
          Newest
        </button>
        <span role="status" aria-label="Spool position" className="muted">
          {error
            ? `cannot read the lines kept on disk: ${error}`
            : page
              ? page.total === 0
                ? 'nothing kept on disk yet'
                : `lines ${(page.from + 1).toLocaleString('en')}–${(page.from + page.lines.length).toLocaleString('en')} of ${page.total.toLocaleString('en')} kept on disk${tab.filter ? ` · ${lines.length} match the filter` : ''}`
              : 'reading…'}
        </span>
      </div>
      <div className="dock-lines mono" role="region" aria-label={`Kept on disk from ${label}`} tabIndex={0}>
        {lines.map((l) => {
          const priority = linePriority(l.text);
          return (
            <div key={l.n} data-line={l.n} className={`dock-line${priority ? ` line-${priority}` : ''}`}>
              <span className="line-number" aria-hidden="true">
                {l.n}
              </span>
              <span className="line-mark" aria-hidden="true">
                {priority ? STATUS_SHAPE[priority] : ' '}
              </span>
              <span className="line-text">{splitMatches(l.text, tab.search).map((part, i) => (i % 2 ? <mark key={i}>{part}</mark> : part))}</span>
            </div>
          );
        })}
      </div>
    </>
  );
}
