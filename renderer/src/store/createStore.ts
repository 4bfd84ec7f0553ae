// Every store of the page is made here, so they share one policy:
//   - named `use<Area>Store`, in `<area>Store.ts` beside the feature that owns it;
//   - written only by the actions exported from that file (components select and call actions;
//     lint refuses `setState` in a component);
//   - reset together by `resetAllStores()`, which the renderer tests run between cases.
import { create } from 'zustand';
import type { StoreApi, UseBoundStore } from 'zustand';

const resets: Array<() => void> = [];

/** A zustand store whose state `initial()` builds, registered for `resetAllStores`. */
export function createStore<T extends object>(initial: () => T): UseBoundStore<StoreApi<T>> {
  const store = create<T>()(initial);
  resets.push(() => store.setState(initial(), true));
  return store;
}

/** Every store created so far back to its first state. */
export function resetAllStores(): void {
  for (const reset of resets) reset();
}
