// Focus must never fall to the page's body: a keyboard-only engineer would have to Tab from the
// top of the page again. Chromium puts it there in two cases we cause ourselves:
//
// - a focused button becomes `disabled` (a "busy" button while its own call runs): such buttons
//   are marked `aria-disabled` instead and ignore the press, so they keep focus (and Tab still
//   stops there, where a screen reader says "unavailable");
// - a focused control leaves the page because pressing it worked (Retry once the host has
//   connected, Ack once the alert is acknowledged, Cancel run once the run has stopped): this
//   hook hands focus to the natural next thing instead.
import { useCallback, useLayoutEffect, useRef } from 'react';

/** Focus is nowhere a user put it: on the body, or on an element that has left the page. */
export function focusLost(): boolean {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

/** Controls that have left the page, and where focus goes in their place. */
const insteadOf = new WeakMap<HTMLElement, () => HTMLElement | null | undefined>();

/**
 * Where focus goes in place of `control`, a control that has left the page: for a dialog it
 * opened that closes after it went (a host's Retry asks for a passphrase; the host connects
 * before the dialog has closed). Null if it is still on the page or has no stand-in.
 */
export function standInFor(control: HTMLElement): HTMLElement | null {
  if (control.isConnected) return null;
  const target = insteadOf.get(control)?.();
  return target?.isConnected ? target : null;
}

/**
 * A ref for a control that can leave the page while it has focus. If it does, focus goes to
 * `next(near)` once React has finished the update that removed it (so `next` sees the page as it
 * is now: a button that went in the same update is not picked), unless something else (a
 * dialog, a jump) took focus meanwhile. `near` is the closest element that held the control and
 * is still on the page (its table cell, its row), for a `next` that looks around it.
 */
export function useFocusHandoff<T extends HTMLElement>(next: (near: HTMLElement | null) => HTMLElement | null | undefined): React.RefCallback<T> {
  const pick = useRef(next);
  useLayoutEffect(() => {
    pick.current = next;
  });
  return useCallback((node: T | null) => {
    if (!node) return;
    // React runs a ref's cleanup before it takes the element out of the page: focus is still on it
    return () => {
      const holders: HTMLElement[] = [];
      for (let el = node.parentElement; el && el !== document.body; el = el.parentElement) holders.push(el);
      const instead = () => pick.current(holders.find((el) => el.isConnected) ?? null);
      insteadOf.set(node, instead);
      if (document.activeElement !== node) return;
      queueMicrotask(() => {
        if (!focusLost()) return;
        const target = instead();
        if (target?.isConnected) target.focus();
      });
    };
  }, []);
}
