// The follow dock: journal and log follows in a bottom panel, one tab each, beside the console
// instead of over it. Each tab filters, searches (matches marked and counted), colours lines by
// priority (colour and shape), pauses (the view holds still while lines keep arriving) and jumps
// back to now. Stop cancels the follow; closing a stopped tab removes it. The page keeps the newest
// part of a follow; "Older lines" pages through all of it as kept on disk (SpoolPager.tsx).
//
// Accessible names (as the run dialog's, so a follow reads the same in both): region "Follows";
// tablist "Follows"; tab "<title>"; textbox "Filter lines", searchbox "Search lines", status
// "Search matches"; status "<host label> status" per host, status "Dropped output from <label>";
// status "New lines" (NewLinesStatus.tsx); buttons "Pause", "Resume", "Older lines", "Jump to now",
// "Cancel run", "Close"; region "Output from <labels>" (data-line-count: every line kept, shown or
// filtered out).
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { onTablistKeyDown } from '../a11y/tablistKeys';
import { useApi } from '../api/ApiContext';
import { hostStatusText } from '../actions/RunProgress';
import { FINISHED } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { plural } from '../status/format';
import type { DockTab } from './dockStore';
import { closeDockTab, setActiveDockTab, updateDockTab, useDockStore } from './dockStore';
import { DockLines } from './DockLines';
import { countMatches } from './linePriority';
import { NewLinesStatus } from './NewLinesStatus';
import { hostOutput, shownLines } from './shownLines';
import { SpoolPager } from './SpoolPager';
import './dock.css';
import { recordFrom } from '../../../common/emptyRecord';

/** Lines kept for the view per tab: the newest ones ("Older lines" pages through the rest). Only the rows in view are drawn (DockLines.tsx). */
const SHOWN_LINES = 500;

function FollowTab({ tab }: { tab: DockTab }) {
  const api = useApi();
  const run = useAppStore((s) => s.runs[tab.runId]);
  const running = tab.hosts.some((h) => !FINISHED.has(run?.hosts[h.id]?.state ?? 'queued'));
  const many = tab.hosts.length > 1;
  const perHost = useMemo(() => tab.hosts.map((h) => hostOutput(h.id, h.label, run?.hosts[h.id])), [run, tab.hosts]);
  const ended = useMemo(() => new Set(tab.hosts.filter((h) => FINISHED.has(run?.hosts[h.id]?.state ?? 'queued')).map((h) => h.id)), [run, tab.hosts]);
  const { lines: shown, kept } = useMemo(() => shownLines(perHost, tab.pausedAt, tab.filter, SHOWN_LINES), [perHost, tab.pausedAt, tab.filter]);
  const allCount = perHost.reduce((n, h) => n + h.count, 0);
  const matches = useMemo(() => (tab.search ? shown.reduce((n, l) => n + countMatches(l.text, tab.search), 0) : 0), [shown, tab.search]);
  const newSincePause = tab.pausedAt ? perHost.reduce((n, h) => n + Math.max(0, h.first + h.count - (tab.pausedAt![h.id] ?? 0)), 0) : 0;
  const pause = () => updateDockTab(tab.runId, { pausedAt: recordFrom(perHost.map((h) => [h.id, h.first + h.count])) });
  const jumpToNow = () => updateDockTab(tab.runId, { pausedAt: null, history: null });
  const older = () => updateDockTab(tab.runId, { history: { hostId: tab.hosts[0]!.id, from: -1 } });
  return (
    <div className="dock-tab" role="tabpanel" aria-label={tab.title}>
      <div className="dock-tools">
        <input
          type="text"
          aria-label="Filter lines"
          placeholder="filter"
          value={tab.filter}
          onChange={(e) => updateDockTab(tab.runId, { filter: e.target.value })}
          spellCheck={false}
        />
        <input
          type="search"
          aria-label="Search lines"
          placeholder="search"
          value={tab.search}
          onChange={(e) => updateDockTab(tab.runId, { search: e.target.value })}
          spellCheck={false}
        />
        {tab.search ? (
          <span role="status" aria-label="Search matches" className="muted">
            {plural(matches, 'match', 'matches')}
          </span>
        ) : null}
        {tab.history ? null : tab.pausedAt ? (
          <button type="button" onClick={jumpToNow}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={pause}>
            Pause
          </button>
        )}
        {tab.history ? null : (
          <button type="button" onClick={older}>
            Older lines
          </button>
        )}
        <button type="button" onClick={jumpToNow} aria-disabled={!tab.pausedAt && !tab.history}>
          Jump to now{newSincePause ? ` (${plural(newSincePause, 'new line')})` : ''}
        </button>
        <span className="muted">
          {running ? (tab.pausedAt || tab.history ? 'paused (still following)' : 'following') : 'stopped'}
          {tab.history ? '' : ` · ${plural(shown.length, 'line')}${tab.filter ? ` of ${kept}` : ''}`}
        </span>
        <span className="dock-spacer" />
        {running ? (
          <button type="button" onClick={() => void api.cancelRun({ runId: tab.runId as Parameters<typeof api.cancelRun>[0]['runId'] })}>
            Cancel run
          </button>
        ) : (
          <button type="button" onClick={() => closeDockTab(tab.runId)}>
            Close
          </button>
        )}
      </div>
      <div className="dock-hosts">
        {tab.hosts.map((h) => {
          const host = run?.hosts[h.id];
          const dropped = host?.droppedLines ?? 0;
          return (
            <span key={h.id}>
              <span role="status" aria-label={`${h.label} status`} className={`run-status run-${host?.state ?? 'queued'}`}>
                <strong>{h.label}</strong> {hostStatusText(host)}
              </span>
              {dropped > 0 ? (
                <span role="status" aria-label={`Dropped output from ${h.label}`} className="muted">
                  {' '}
                  {plural(dropped, 'line')} dropped by the console to keep up
                </span>
              ) : null}
            </span>
          );
        })}
        <NewLinesStatus hosts={perHost} ended={ended} />
      </div>
      {tab.history ? (
        <SpoolPager tab={tab} history={tab.history} />
      ) : (
        <DockLines
          label={`Output from ${tab.hosts.map((h) => h.label).join(', ')}`}
          lineCount={allCount}
          lines={shown}
          showHost={many}
          search={tab.search}
          following={!tab.pausedAt}
          empty={kept ? 'no line matches the filter' : 'waiting for lines…'}
        />
      )}
    </div>
  );
}

export function FollowDock() {
  const { tabs, active } = useDockStore(useShallow((s) => ({ tabs: s.tabs, active: s.active })));
  const current = tabs.find((t) => t.runId === active) ?? tabs[0];
  if (!current) return null;
  return (
    <section className="follow-dock" aria-label="Follows">
      <div role="tablist" aria-label="Follows" className="tabs dock-tabs" onKeyDown={(e) => onTablistKeyDown(e, (i) => setActiveDockTab(tabs[i]!.runId))}>
        {tabs.map((t) => (
          <button
            key={t.runId}
            role="tab"
            aria-selected={t.runId === current.runId}
            tabIndex={t.runId === current.runId ? 0 : -1}
            onClick={() => setActiveDockTab(t.runId)}
          >
            {t.title}
          </button>
        ))}
      </div>
      <FollowTab key={current.runId} tab={current} />
    </section>
  );
}
