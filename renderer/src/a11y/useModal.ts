// Every modal dialog's keyboard contract in one place: while open, the rest of the page is
// inert (Tab, screen readers and clicks cannot reach it), Tab and Shift+Tab wrap inside the
// dialog, Escape cancels, and on close focus goes back to the control that opened it.
//
// `inert` does the trapping for the page behind; the wrap is ours because without it Tab past
// the last button leaves for the browser's own toolbar before it comes back. A stack keeps a
// dialog opened over another (an SSH question during a preview) from un-inerting the page
// when either one closes first.
import { useEffect, useLayoutEffect, useRef } from 'react';
import { focusLost, standInFor } from './useFocusHandoff';

const TABBABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** The elements Tab stops at inside `root`, in order (hidden ones skipped). */
export function tabbables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(TABBABLE)).filter((el) => el.tabIndex >= 0 && !el.closest('[inert]') && el.getClientRects().length > 0);
}

interface Open {
  node: HTMLElement;
  onEscape: () => void;
}

const stack: Open[] = [];
/** elements this module made inert (never one something else made inert) */
let inerted: HTMLElement[] = [];

function applyInert(): void {
  for (const el of inerted) el.inert = false;
  inerted = [];
  const top = stack.at(-1);
  if (!top) return;
  // everything outside the top dialog, walking up to <body>: siblings at each level
  for (let el: HTMLElement | null = top.node; el && el !== document.body; el = el.parentElement) {
    const parent: HTMLElement | null = el.parentElement;
    if (!parent) break;
    for (const sibling of Array.from<Element>(parent.children)) {
      if (sibling !== el && sibling instanceof HTMLElement && !sibling.inert) {
        sibling.inert = true;
        inerted.push(sibling);
      }
    }
  }
}

function onKeyDown(event: KeyboardEvent): void {
  const top = stack.at(-1);
  if (!top || event.defaultPrevented) return;
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    top.onEscape();
    return;
  }
  if (event.key !== 'Tab') return;
  const stops = tabbables(top.node);
  if (stops.length === 0) {
    event.preventDefault();
    top.node.focus();
    return;
  }
  const first = stops[0]!;
  const last = stops.at(-1)!;
  const active = document.activeElement;
  const inside = active instanceof Node && top.node.contains(active);
  if (event.shiftKey && (active === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Makes `ref` (the element with role="dialog") modal while `open`. `onEscape` is the dialog's
 * cancel: it must run nothing. Focus moves into the dialog unless a child already put it there
 * (the Confirm button, the passphrase field), and returns to the opener on close; `fallback`
 * names where to go if the opener has left the page or been hidden meanwhile.
 */
export function useModal(ref: React.RefObject<HTMLElement | null>, open: boolean, onEscape: () => void, fallback?: () => HTMLElement | null): void {
  const escape = useRef(onEscape);
  const back = useRef(fallback);
  useLayoutEffect(() => {
    escape.current = onEscape;
    back.current = fallback;
  });
  // Layout effect: the opener is read before any child effect moves focus into the dialog.
  useLayoutEffect(() => {
    const node = ref.current;
    if (!open || !node) return;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    const entry: Open = { node, onEscape: () => escape.current() };
    if (stack.length === 0) document.addEventListener('keydown', onKeyDown, true);
    stack.push(entry);
    applyInert();
    return () => {
      stack.splice(stack.indexOf(entry), 1);
      if (stack.length === 0) document.removeEventListener('keydown', onKeyDown, true);
      applyInert();
      // only when focus was in this dialog (or lost with it): never steal it from a newer one
      const active = document.activeElement;
      if (active && active !== document.body && !node.contains(active)) return;
      // an opener that left the page meanwhile may have named its stand-in (useFocusHandoff)
      const target = opener?.isConnected ? opener : ((opener && standInFor(opener)) ?? back.current?.() ?? null);
      target?.focus();
      // The opener can be on the page but hidden (a palette jump switched views): then the
      // fallback, once the update that closed the dialog has drawn where it leads.
      if (focusLost()) queueMicrotask(() => focusLost() && back.current?.()?.focus());
    };
  }, [open, ref]);
  // Keep focus inside: a phase change (preview -> run) removes the focused button.
  useEffect(() => {
    const node = ref.current;
    if (!open || !node) return;
    const active = document.activeElement;
    if (!(active instanceof Node) || !node.contains(active)) node.focus();
  });
}
