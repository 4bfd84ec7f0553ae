// The WAI-ARIA tabs pattern's keys: one Tab stop for the whole tab list (the selected tab),
// arrows move between tabs and select as they go, Home and End jump to the ends.

/** The tab index a key moves to from `current` among `count` tabs, or null for any other key. */
export function nextTabIndex(key: string, current: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return (current + 1) % count;
    case 'ArrowLeft':
    case 'ArrowUp':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/**
 * onKeyDown for a role="tablist": selects the tab the key moves to and focuses it. The tabs are
 * the list's [role=tab] children in order; `select(i)` makes tab i the selected one.
 */
export function onTablistKeyDown(event: React.KeyboardEvent<HTMLElement>, select: (index: number) => void): void {
  const tabs = Array.from(event.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]'));
  const current = tabs.findIndex((t) => t === document.activeElement);
  if (current < 0) return;
  const next = nextTabIndex(event.key, current, tabs.length);
  if (next === null) return;
  event.preventDefault();
  select(next);
  tabs[next]!.focus();
}
