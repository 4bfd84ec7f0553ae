// The runbook viewer's own store: the library, the open runbook and the search. Whether the
// viewer shows is the app's one `view` (store/slices), like every other tab.
import type { ActionSummary, OpsApi, RunbookArea, RunbookDoc, RunbookHit, RunbookSummary } from '../../../common/contract';
import type { Endpoint } from '../../../common/health';
import { leaveView, setView } from '../store/actions';
import { createStore } from '../store/createStore';
import type { AlertFocus } from './alertBlocks';

/** Runbook area <-> the health endpoint (and panel) behind it. */
export const AREA_ENDPOINT: Readonly<Record<RunbookArea, Exclude<Endpoint, 'overview'>>> = {
  'data-freshness': 'freshness',
  'broker-connectivity': 'brokers',
  'sla-violations': 'sla',
  'circuit-breakers': 'circuitBreakers',
  'rate-limits': 'rateLimits',
  'worker-queues': 'workers',
  'security-checks': 'security',
};

export function areaOfEndpoint(endpoint: Endpoint): RunbookArea | null {
  const found = (Object.keys(AREA_ENDPOINT) as RunbookArea[]).find((area) => AREA_ENDPOINT[area] === endpoint);
  return found ?? null;
}

export interface RunbookState {
  list: RunbookSummary[] | null;
  problems: string[];
  listError: string | null;
  doc: RunbookDoc | null;
  docError: string | null;
  loadingId: string | null;
  /** where to scroll once the runbook is on screen; `seq` makes the same target scroll again */
  target: { anchor: string | null; seq: number } | null;
  /** an area asked for before the library was loaded (a panel's "Open runbook") */
  pendingArea: RunbookArea | null;
  /** the alert the runbook was opened from: its fix's Run buttons are marked; null otherwise */
  alertFocus: AlertFocus | null;
  query: string;
  hits: RunbookHit[];
  tookMs: number | null;
  searchError: string | null;
  actions: ActionSummary[] | null;
}

const initial: RunbookState = {
  list: null,
  problems: [],
  listError: null,
  doc: null,
  docError: null,
  loadingId: null,
  target: null,
  pendingArea: null,
  alertFocus: null,
  query: '',
  hits: [],
  tookMs: null,
  searchError: null,
  actions: null,
};

export const useRunbookStore = createStore<RunbookState>(() => ({ ...initial }));

/** The viewer is one of the app's views (store/slices View): opening it is a view change. */
export function setRunbooksOpen(open: boolean): void {
  if (open) setView('runbooks');
  else leaveView('runbooks');
}

export async function loadRunbookLibrary(api: OpsApi): Promise<void> {
  const [list, actions] = await Promise.all([api.listRunbooks({}), api.listActions({})]);
  if (list.ok) useRunbookStore.setState({ list: list.value.runbooks, problems: list.value.problems, listError: null });
  else useRunbookStore.setState({ listError: `${list.error.code}: ${list.error.message}` });
  if (actions.ok) useRunbookStore.setState({ actions: actions.value });
}

let targetSeq = 0;

export async function openRunbook(api: OpsApi, id: string, anchor: string | null = null, alertFocus: AlertFocus | null = null): Promise<void> {
  const seq = ++targetSeq;
  setView('runbooks');
  useRunbookStore.setState({ target: { anchor, seq }, alertFocus });
  if (useRunbookStore.getState().doc?.id === id) return;
  useRunbookStore.setState({ loadingId: id, docError: null });
  const result = await api.getRunbook({ id });
  if (useRunbookStore.getState().target?.seq !== seq) return; // another runbook was asked for meanwhile
  if (result.ok) useRunbookStore.setState({ doc: result.value, loadingId: null, docError: null });
  else useRunbookStore.setState({ loadingId: null, docError: `${result.error.code}: ${result.error.message}` });
}

/** The section for an area: the bundled runbook's first, else any runbook's. */
export function sectionForArea(list: readonly RunbookSummary[], area: RunbookArea): { runbookId: string; anchor: string } | null {
  const candidates = list.flatMap((r) =>
    r.sections.filter((s) => s.area === area).map((s) => ({ runbookId: r.id, anchor: s.anchor, bundled: r.source === 'bundled' })),
  );
  const pick = candidates.find((c) => c.bundled) ?? candidates[0];
  return pick ? { runbookId: pick.runbookId, anchor: pick.anchor } : null;
}

/**
 * Opens the viewer on an area's section; the view resolves it once the library is loaded. From
 * an alert, `alertFocus` names its item and rule: the fix for that item is marked.
 */
export function openRunbookForArea(area: RunbookArea, alertFocus: AlertFocus | null = null): void {
  setView('runbooks');
  useRunbookStore.setState({ pendingArea: area, alertFocus });
}

/** The viewer has taken the area it was asked for. */
export function clearPendingArea(): void {
  useRunbookStore.setState({ pendingArea: null });
}

let searchSeq = 0;

export async function searchRunbooks(api: OpsApi, query: string): Promise<void> {
  const seq = ++searchSeq;
  useRunbookStore.setState({ query });
  if (!query.trim()) {
    useRunbookStore.setState({ hits: [], tookMs: null, searchError: null });
    return;
  }
  const result = await api.searchRunbooks({ query: query.slice(0, 200), limit: 20 });
  if (seq !== searchSeq) return; // a newer keystroke's answer wins
  if (result.ok) useRunbookStore.setState({ hits: result.value.hits, tookMs: result.value.tookMs, searchError: null });
  else useRunbookStore.setState({ hits: [], searchError: `${result.error.code}: ${result.error.message}` });
}

/** A panel's "Open runbook": the section of the panel's area. */
export function openRunbookForEndpoint(endpoint: Endpoint): void {
  const area = areaOfEndpoint(endpoint);
  if (area) openRunbookForArea(area);
}
