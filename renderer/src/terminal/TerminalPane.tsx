// One terminal tab: xterm.js on the host's pty shell. Keystrokes go to main as terminalInput
// calls and nowhere else (no console, no store). When the shell ends, the tab says why and
// Enter (or the Reconnect button) opens a new shell on the same host in the same tab.
//
// A shell needs Tab (completion), so the terminal keeps it; Escape then Tab (or Shift+Tab)
// leaves the terminal, the convention of embedded editors (CodeMirror) that keyboard users
// know. Escape itself still reaches the shell (vi needs it). The bar above the terminal says so
// and the terminal's input is described by that hint.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { OpsApi } from '../../../common/contract';
import { useFocusHandoff } from '../a11y/useFocusHandoff';
import { useApi } from '../api/ApiContext';
import { removeTerminalTab, updateTerminalTab, useHostsStore, type TerminalTab } from '../hosts/hostsStore';

/** Output that arrives for an id before terminalOpen has answered (the prompt races the reply). */
const EARLY_OUTPUT_LIMIT = 64 * 1024;

interface Live {
  term: Terminal;
  search: SearchAddon;
  terminalId: string | null;
  early: Map<string, string>;
  /** the pane was unmounted: a shell that opens now is closed at once */
  disposed: boolean;
  connect(): void;
}

export function TerminalPane({ tab, active }: { tab: TerminalTab; active: boolean }) {
  const api = useApi();
  const box = useRef<HTMLDivElement>(null);
  const live = useRef<Live | null>(null);
  const [query, setQuery] = useState('');
  const label = useHostsStore((s) => s.terminals.find((t) => t.key === tab.key)?.title ?? tab.title);
  const hintId = `terminal-hint-${tab.key}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const term = new Terminal({
      scrollback: 5000,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
      fontSize: 13,
      theme: { background: '#0b0e11' },
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.open(el);
    term.textarea?.setAttribute('aria-describedby', hintId);
    const state: Live = { term, search, terminalId: null, early: new Map(), disposed: false, connect: () => connect(api, state, tab) };
    live.current = state;
    try {
      fit.fit();
    } catch {
      // not laid out yet; the observer below fits it
    }
    const offOutput = api.on('onTerminalOutput', (p) => {
      if (p.terminalId === state.terminalId) {
        term.write(p.data);
      } else if (state.terminalId === null || useHostsStore.getState().terminals.find((t) => t.key === tab.key)?.state === 'opening') {
        const kept = (state.early.get(p.terminalId) ?? '') + p.data;
        state.early.set(p.terminalId, kept.slice(-EARLY_OUTPUT_LIMIT));
      }
    });
    const input = term.onData((data) => {
      const current = useHostsStore.getState().terminals.find((t) => t.key === tab.key);
      if (current?.state === 'open' && state.terminalId) {
        void api.terminalInput({ terminalId: state.terminalId, data });
      } else if (current?.state === 'closed' && (data === '\r' || data === '\n')) {
        state.connect();
      }
    });
    const resize = term.onResize(({ cols, rows }) => {
      if (state.terminalId) void api.terminalResize({ terminalId: state.terminalId, cols, rows });
    });
    let escaped = false;
    term.attachCustomKeyEventHandler((event) => {
      if (event.type === 'keydown' && event.key === 'Tab' && escaped) {
        // false: xterm neither sends nor cancels it, so the browser moves focus out
        escaped = false;
        return false;
      }
      if (event.type === 'keydown' && !['Shift', 'Control', 'Alt', 'Meta'].includes(event.key)) escaped = event.key === 'Escape';
      // Ctrl+Shift+C copies the selection (Ctrl+C stays the shell's interrupt); paste is the browser's own
      if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && event.code === 'KeyC') {
        void navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
        return false;
      }
      return true;
    });
    const observer = new ResizeObserver(() => {
      try {
        if (el.offsetParent !== null) fit.fit();
      } catch {
        // hidden tab
      }
    });
    observer.observe(el);
    state.connect();
    return () => {
      state.disposed = true;
      observer.disconnect();
      offOutput();
      input.dispose();
      resize.dispose();
      if (state.terminalId) void api.terminalClose({ terminalId: state.terminalId });
      term.dispose();
      live.current = null;
    };
    // one terminal per tab for the tab's whole life: no dependencies on purpose
  }, []);

  useEffect(() => {
    if (tab.state !== 'closed' || !live.current) return;
    live.current.term.write(`\r\n\x1b[1;31m*** Disconnected: ${tab.reason ?? 'closed'}. Press Enter to reconnect. ***\x1b[0m\r\n`);
  }, [tab.state, tab.reason]);

  useEffect(() => {
    // keys on the terminal tabs keep focus there (the tabs pattern); a click on a tab (which
    // blurs it) or a new tab goes straight into the shell
    if (active && !document.activeElement?.closest('[role="tablist"]')) live.current?.term.focus();
  }, [active]);

  // the pane goes with its Close button: focus to the terminal tab now selected (the tabs pattern,
  // not into its shell, which keeps Tab), or to the Terminals heading when none is left
  const closeHandoff = useFocusHandoff<HTMLButtonElement>((near) => {
    const panel = near?.closest<HTMLElement>('section.terminals');
    return panel?.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]') ?? panel?.querySelector<HTMLElement>('h2') ?? null;
  });
  const close = () => {
    if (live.current?.terminalId) void api.terminalClose({ terminalId: live.current.terminalId });
    removeTerminalTab(tab.key);
  };

  return (
    <section className="terminal-pane" aria-label={`Terminal ${label}`} hidden={!active}>
      <div className="terminal-bar">
        <span role="status" aria-label="Terminal status" className={tab.state === 'closed' ? 'why-fail' : 'muted'}>
          {tab.state === 'opening'
            ? `connecting to ${label}…`
            : tab.state === 'open'
              ? `connected: ${label}`
              : `Disconnected: ${tab.reason ?? 'closed'}. Press Enter to reconnect.`}
        </span>
        {tab.state === 'closed' ? (
          <button onClick={() => live.current?.connect()} aria-label={`Reconnect terminal ${label}`}>
            Reconnect
          </button>
        ) : null}
        <form
          className="terminal-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            live.current?.search.findNext(query);
          }}
        >
          <input aria-label="Search terminal output" placeholder="search scrollback" value={query} onChange={(e) => setQuery(e.target.value)} />
          <button type="submit">Next</button>
          <button type="button" onClick={() => live.current?.search.findPrevious(query)}>
            Previous
          </button>
        </form>
        <button ref={closeHandoff} onClick={close} aria-label={`Close terminal ${label}`}>
          Close
        </button>
        <span id={hintId} className="muted terminal-hint">
          Tab stays in the shell; <kbd>Esc</kbd> then <kbd>Tab</kbd> leaves the terminal
        </span>
      </div>
      <div className="terminal-box" ref={box} />
    </section>
  );
}

function connect(api: OpsApi, state: Live, tab: TerminalTab): void {
  const { term } = state;
  updateTerminalTab(tab.key, { state: 'opening', reason: null, terminalId: null });
  state.terminalId = null;
  state.early.clear();
  void api.terminalOpen({ hostId: tab.hostId, cols: Math.max(2, term.cols), rows: Math.max(1, term.rows) }).then((result) => {
    if (!result.ok) {
      updateTerminalTab(tab.key, { state: 'closed', reason: result.error.message });
      return;
    }
    const id = result.value.terminalId;
    if (state.disposed) {
      void api.terminalClose({ terminalId: id });
      return;
    }
    state.terminalId = id;
    const early = state.early.get(id);
    state.early.clear();
    if (early) term.write(early);
    updateTerminalTab(tab.key, { state: 'open', terminalId: id });
    term.focus();
  });
}
