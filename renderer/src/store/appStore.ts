import { create } from 'zustand';
import { resetHistory } from '../history/historyStore';
import { createAuditSlice, createConnectionSlice, createFleetSlice, createHealthSlice, createRunsSlice } from './slices';
import type { Store } from './slices';

export const useStore = create<Store>()((...a) => ({
  ...createFleetSlice(...a),
  ...createConnectionSlice(...a),
  ...createHealthSlice(...a),
  ...createRunsSlice(...a),
  ...createAuditSlice(...a),
}));

const initial = useStore.getState();

/** Back to the first state; tests call it between cases. */
export function resetStores(): void {
  useStore.setState(initial, true);
  resetHistory();
}
