// Ctrl/Cmd+K: jump to any host, deployment, panel, view, firing alert, runbook section or
// action by fuzzy name, with the keyboard alone (arrows, Enter, Escape; focus returns where it
// was). ARIA combobox + listbox pattern, so screen readers announce the active option.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { OpsApi } from '../../../common/contract';
import { useModal } from '../a11y/useModal';
import { useAlertsStore } from '../alerts/alertsStore';
import { openRunbookForAlert } from '../alerts/openRunbookForAlert';
import { useApi } from '../api/ApiContext';
import { selectAction, setActionsOpen } from '../actions/actionsStore';
import { HOST_HEADING_ID } from '../hosts/HostsView';
import { selectHost, setHostsOpen } from '../hosts/hostsStore';
import { loadRunbookLibrary, openRunbook, openRunbookForArea, setRunbooksOpen, useRunbookStore } from '../runbooks/runbookStore';
import { openPanel, selectDeployment, setView } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { rankItems } from './fuzzyScore';
import { paletteItems, type PaletteItem } from './paletteItems';
import './palette.css';

/** The selected tab of the Views tab list: where a jump to a view leaves focus. */
const selectedViewTab = (): HTMLElement | null =>
  document.querySelector<HTMLElement>('[role="tablist"][aria-label="Views"] [role="tab"][aria-selected="true"]');

/**
 * Where focus goes after a jump, when the control the palette was opened from is not in the view
 * the jump shows (the page's body otherwise). Panels and runbook sections take focus themselves.
 */
function landing(item: PaletteItem): HTMLElement | null {
  if (item.target.kind === 'host') return document.getElementById(HOST_HEADING_ID) ?? selectedViewTab();
  return selectedViewTab();
}

function runItem(api: OpsApi, item: PaletteItem): void {
  const t = item.target;
  const state = useAppStore.getState();
  // each jump shows one view: close the other tabs' views first
  setHostsOpen(false);
  setActionsOpen(false);
  switch (t.kind) {
    case 'deployment':
      setRunbooksOpen(false);
      selectDeployment(t.deploymentId);
      setView('deployment');
      return;
    case 'host':
      // the host view on this host, with its deployment selected
      setRunbooksOpen(false);
      if (t.deploymentId) selectDeployment(t.deploymentId);
      selectHost(t.hostId);
      setHostsOpen(true);
      return;
    case 'panel':
      setRunbooksOpen(false);
      if (state.selectedDeploymentId) openPanel(state.selectedDeploymentId, t.endpoint);
      return;
    case 'view':
      setRunbooksOpen(t.view === 'runbooks');
      if (t.view === 'hosts') setHostsOpen(true);
      else if (t.view === 'actions') setActionsOpen(true);
      else if (t.view !== 'runbooks') {
        setRunbooksOpen(false);
        setView(t.view);
      }
      return;
    case 'alert':
      // a host that cannot be reached opens that host; an endpoint alert its runbook section
      if (t.alert.hostId) return openRunbookForAlert(t.alert, t.alert.item);
      if (t.alert.deploymentId) selectDeployment(t.alert.deploymentId);
      if (t.alert.section) openRunbookForArea(t.alert.section);
      return;
    case 'runbook':
      void openRunbook(api, t.runbookId, t.anchor);
      return;
    case 'action':
      // the Actions tab with this action's form open
      setRunbooksOpen(false);
      selectAction(t.action.id);
      setActionsOpen(true);
      return;
  }
}

function Label({ text, positions }: { text: string; positions: readonly number[] }) {
  const set = new Set(positions);
  const out: React.ReactNode[] = [];
  let run = '';
  let inMark = false;
  const flush = (key: number) => {
    if (!run) return;
    out.push(inMark ? <mark key={key}>{run}</mark> : <span key={key}>{run}</span>);
    run = '';
  };
  [...text].forEach((ch, i) => {
    const m = set.has(i);
    if (m !== inMark) {
      flush(i);
      inMark = m;
    }
    run += ch;
  });
  flush(text.length);
  return <span>{out}</span>;
}

export function CommandPalette() {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  // inert page behind, Tab kept in, Escape closes, focus back where it was (a11y/useModal), or,
  // when a jump hid that, where the jump went
  const chosen = useRef<PaletteItem | null>(null);
  useModal(
    box,
    open,
    () => setOpen(false),
    () => (chosen.current ? landing(chosen.current) : null),
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen((was) => !was);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    // Reset on close, not on open: keys typed right after Ctrl+K reach the input as soon as it
    // has focus, and a reset queued at open time raced them (the old query came back with the
    // new keys appended).
    if (!open) {
      setQuery('');
      setActive(0);
      return;
    }
    // forgotten at open, not at close: the close's focus fallback still needs it
    chosen.current = null;
    input.current?.focus();
    if (!useRunbookStore.getState().list) void loadRunbookLibrary(api);
  }, [open, api]);

  const fleet = useAppStore((s) => s.fleet);
  const alertMap = useAlertsStore((s) => s.alerts);
  const { runbooks, actions } = useRunbookStore(useShallow((s) => ({ runbooks: s.list, actions: s.actions })));
  const items = useMemo(() => paletteItems({ fleet, alerts: Object.values(alertMap), runbooks, actions }), [fleet, alertMap, runbooks, actions]);
  const ranked = useMemo(
    () =>
      rankItems(
        items,
        query,
        (i) => `${i.kind}: ${i.label}`,
        60,
        (i) => i.keywords,
      ),
    [items, query],
  );

  if (!open) return null;
  const close = () => setOpen(false);
  const choose = (index: number) => {
    const hit = ranked[index];
    if (!hit) return;
    chosen.current = hit.item;
    setOpen(false);
    runItem(api, hit.item);
  };
  const activeId = ranked[active] ? `palette-option-${active}` : undefined;

  return (
    <div className="palette-overlay" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div ref={box} className="palette" role="dialog" aria-modal="true" aria-label="Command palette" tabIndex={-1}>
        <input
          ref={input}
          role="combobox"
          aria-label="Jump to"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          placeholder="Jump to a host, deployment, panel, alert, runbook or action…"
          value={query}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => (ranked.length ? (a + 1) % ranked.length : 0));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => (ranked.length ? (a - 1 + ranked.length) % ranked.length : 0));
            } else if (e.key === 'Enter') {
              e.preventDefault();
              choose(active);
            }
          }}
        />
        <ul id="palette-list" role="listbox" aria-label="Matches">
          {ranked.map(({ item, match }, i) => {
            const prefix = item.kind.length + 2;
            return (
              <li
                key={item.id}
                id={`palette-option-${i}`}
                role="option"
                aria-selected={i === active}
                aria-label={`${item.kind}: ${item.label}`}
                onMouseEnter={() => setActive(i)}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(i);
                }}
                ref={i === active ? (el) => el?.scrollIntoView({ block: 'nearest' }) : undefined}
              >
                <span className="kind">{item.kind}</span>
                <Label text={item.label} positions={match.positions.filter((p) => p >= prefix).map((p) => p - prefix)} />
              </li>
            );
          })}
          {ranked.length === 0 ? <li aria-disabled="true">nothing matches “{query}”</li> : null}
        </ul>
        <p className="hint" aria-hidden="true">
          ↑ ↓ to move · Enter to open · Esc to close
        </p>
      </div>
    </div>
  );
}
