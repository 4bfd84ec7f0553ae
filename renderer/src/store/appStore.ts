// The app's store: fleet, connections, health, the action dialog and runs, the audit list.
// Written only by store/actions.ts.
import { createStore } from './createStore';
import { createAuditSlice, createConnectionSlice, createFleetSlice, createHealthSlice, createRunsSlice } from './slices';
import type { Store } from './slices';

export const useAppStore = createStore<Store>(() => ({
  ...createFleetSlice(),
  ...createConnectionSlice(),
  ...createHealthSlice(),
  ...createRunsSlice(),
  ...createAuditSlice(),
}));
