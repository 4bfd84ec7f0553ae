// The page's first render waits for the fleet: rendered first, the empty shell is a long task
// (a tenth of a second and more on a busy machine) that the fleet, arriving meanwhile, then
// waits behind before its own render. It waits only as long as data is on its way: an
// unreachable backend or a slow one gets the shell (with its "disconnected" banner) at once or
// after `waitMs`.
import { useAppStore } from './appStore';

export interface FirstDataTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const defaultTimers: FirstDataTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `then` once: when the fleet or its error is in the store, when the backend is disconnected, or after `waitMs`. */
export function whenFirstData(then: () => void, waitMs: number, timers: FirstDataTimers = defaultTimers): void {
  const ready = (s: ReturnType<typeof useAppStore.getState>): boolean => s.fleet !== null || s.fleetError !== null || s.backend.state === 'disconnected';
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    unsubscribe();
    timers.clearTimeout(timer);
    then();
  };
  const unsubscribe = useAppStore.subscribe((s) => {
    if (ready(s)) finish();
  });
  const timer = timers.setTimeout(finish, waitMs);
  if (ready(useAppStore.getState())) finish();
}
