// Terminal tabs of the Hosts view: one xterm.js pane per tab, kept mounted while hidden so a
// look at another tab does not end a shell.
import { lazy, Suspense } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { onTablistKeyDown } from '../a11y/tablistKeys';
import { setActiveTerminal, useHostsStore } from './hostsStore';

// xterm.js is loaded with the first terminal, not with the page
const TerminalPane = lazy(() => import('../terminal/TerminalPane').then((m) => ({ default: m.TerminalPane })));

export function TerminalTabs({ visible }: { visible: boolean }) {
  const { terminals, activeTerminal } = useHostsStore(useShallow((s) => ({ terminals: s.terminals, activeTerminal: s.activeTerminal })));
  return (
    <section className="panel terminals" aria-label="Terminals">
      <header className="panel-head">
        {/* tabIndex -1: where focus lands when the last terminal's Close takes its pane away */}
        <h2 tabIndex={-1}>Terminals</h2>
        <span className="panel-summary">keystrokes go to the host only; start and end are audited</span>
      </header>
      {terminals.length ? (
        <>
          <div
            role="tablist"
            aria-label="Terminal tabs"
            className="tabs terminal-tabs"
            onKeyDown={(e) => onTablistKeyDown(e, (i) => setActiveTerminal(terminals[i]!.key))}
          >
            {terminals.map((t) => (
              <button
                key={t.key}
                role="tab"
                aria-selected={t.key === activeTerminal}
                tabIndex={t.key === activeTerminal ? 0 : -1}
                onClick={(e) => {
                  // a pointer click (detail > 0) lets the terminal take focus; Enter, Space and arrows stay on the tabs
                  if (e.detail > 0) e.currentTarget.blur();
                  setActiveTerminal(t.key);
                }}
              >
                {t.state === 'closed' ? '■ ' : ''}
                {t.title}
              </button>
            ))}
          </div>
          <Suspense fallback={<p className="notice">loading the terminal…</p>}>
            {terminals.map((t) => (
              <TerminalPane key={t.key} tab={t} active={visible && t.key === activeTerminal} />
            ))}
          </Suspense>
        </>
      ) : (
        <p className="muted">No terminal open. Use "Open terminal" on a host.</p>
      )}
    </section>
  );
}
