// The Actions tab's own store: whether the catalog browser is open, the catalog as main lists
// it, and the action being filled in. The dialog (preview/run) stays in the foundation store.
import { create } from 'zustand';
import type { ActionSummary, OpsApi } from '../../../common/contract';

export interface ActionsState {
  open: boolean;
  catalog: ActionSummary[] | null;
  catalogError: string | null;
  selectedId: string | null;
  /** host ids ticked for the next preview (fan-out when more than one) */
  hostIds: string[];
}

const initial: ActionsState = { open: false, catalog: null, catalogError: null, selectedId: null, hostIds: [] };

export const useActionsStore = create<ActionsState>()(() => ({ ...initial }));

export const resetActionsStore = (): void => useActionsStore.setState({ ...initial });
export const setActionsOpen = (open: boolean): void => useActionsStore.setState({ open });
/**
 * Picking another action starts again from one host: a two-host selection made for a restart
 * must not silently carry over into a queue clear.
 */
export const selectAction = (id: string): void =>
  useActionsStore.setState((s) => (s.selectedId === id ? {} : { selectedId: id, hostIds: [] }));
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
