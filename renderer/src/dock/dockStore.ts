// The follow dock's store: one tab per journal or log follow, beside the panels instead of in a
// modal, so the console stays usable while several follows run. A tab keeps its filter, search
// and pause; the lines themselves stay in the app store's runs.
import { createStore } from '../store/createStore';

export interface DockTab {
  runId: string;
  title: string;
  hosts: Array<{ id: string; label: string }>;
  /** only lines containing this (case-insensitive) are shown */
  filter: string;
  /** matches are marked and counted */
  search: string;
  /** line count per host when paused: the view holds still while new lines arrive */
  pausedAt: Record<string, number> | null;
  /** paging the follow's spool on disk instead of the live lines: which host, from which line (-1: the newest page) */
  history: { hostId: string; from: number } | null;
}

export interface DockState {
  tabs: DockTab[];
  active: string | null;
}

export const useDockStore = createStore<DockState>(() => ({ tabs: [], active: null }));

export function dockRun(runId: string, title: string, hosts: Array<{ id: string; label: string }>): void {
  useDockStore.setState((s) => ({
    tabs: s.tabs.some((t) => t.runId === runId) ? s.tabs : [...s.tabs, { runId, title, hosts, filter: '', search: '', pausedAt: null, history: null }],
    active: runId,
  }));
}

export function setActiveDockTab(runId: string): void {
  useDockStore.setState({ active: runId });
}

export function closeDockTab(runId: string): void {
  useDockStore.setState((s) => {
    const tabs = s.tabs.filter((t) => t.runId !== runId);
    return { tabs, active: s.active === runId ? (tabs.at(-1)?.runId ?? null) : s.active };
  });
}

export function updateDockTab(runId: string, patch: Partial<Pick<DockTab, 'filter' | 'search' | 'pausedAt' | 'history'>>): void {
  useDockStore.setState((s) => ({ tabs: s.tabs.map((t) => (t.runId === runId ? { ...t, ...patch } : t)) }));
}
