// The history charts wait until the first frame with the panels' tables has been painted:
// recharts' first render is the page's longest task (about a second of CPU on a busy machine),
// and the numbers an on-call engineer opened the console for must not wait behind it. Until
// then the panels show "loading charts…", and the charts' chunk is not even fetched.
import { useEffect, useSyncExternalStore } from 'react';

/** A background tab runs no animation frames; its timers still run (throttled). */
const FALLBACK_MS = 250;

let painted = false;
let scheduled = false;
const listeners = new Set<() => void>();

function markPainted(): void {
  if (painted) return;
  painted = true;
  for (const listener of listeners) listener();
}

function scheduleAfterPaint(): void {
  if (painted || scheduled) return;
  scheduled = true;
  // a task queued from an animation frame runs after that frame is painted
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(markPainted, 0));
  setTimeout(markPainted, FALLBACK_MS);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** False until a frame has been painted after the first component that asked was committed. */
export function useAfterFirstPaint(): boolean {
  useEffect(scheduleAfterPaint, []);
  return useSyncExternalStore(
    subscribe,
    () => painted,
    () => painted,
  );
}
