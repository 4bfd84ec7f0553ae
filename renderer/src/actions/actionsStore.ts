// The Actions tab's own store: the catalog as main lists it and the action being filled in
// (whether the tab shows is the app's one `view`, store/slices). The dialog (preview/run) stays in the foundation store.
import type { ActionSummary, OpsApi } from '../../../common/contract';
import { leaveView, setView } from '../store/actions';
import { createStore } from '../store/createStore';

export interface ActionsState {
  catalog: ActionSummary[] | null;
  catalogError: string | null;
  selectedId: string | null;
  /** host ids ticked for the next preview (fan-out when more than one) */
  hostIds: string[];
}

const initial: ActionsState = { catalog: null, catalogError: null, selectedId: null, hostIds: [] };

export const useActionsStore = createStore<ActionsState>(() => ({ ...initial }));

/** The catalog browser is one of the app's views (store/slices View): opening it is a view change. */
export const setActionsOpen = (open: boolean): void => (open ? setView('actions') : leaveView('actions'));
/**
 * Picking another action starts again from one host: a two-host selection made for a restart
 * must not silently carry over into a queue clear.
 */
export const selectAction = (id: string): void => useActionsStore.setState((s) => (s.selectedId === id ? {} : { selectedId: id, hostIds: [] }));
export const setHostIds = (hostIds: string[]): void => useActionsStore.setState({ hostIds });

/** Load the catalog once (it does not change while the console runs); again after an error. */
export async function loadCatalog(api: OpsApi): Promise<void> {
  if (useActionsStore.getState().catalog) return;
  const result = await api.listActions({});
  if (result.ok) useActionsStore.setState({ catalog: result.value, catalogError: null });
  else useActionsStore.setState({ catalogError: `${result.error.code}: ${result.error.message}` });
}

export function findAction(id: string): ActionSummary | undefined {
  return useActionsStore.getState().catalog?.find((a) => a.id === id);
}
