import { useEffect, useRef } from 'react';

/**
 * A ref for the sticky top block (header, banner, alert strip). Its height goes to the page as
 * `--top-height`, so an element scrolled into view (a panel reached from an alert or the area
 * strip, a runbook section) stops below the block instead of under it.
 */
export function useStickyHeight(): React.RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const set = () => document.documentElement.style.setProperty('--top-height', `${Math.ceil(el.getBoundingClientRect().height)}px`);
    set();
    const observer = new ResizeObserver(set);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return ref;
}
