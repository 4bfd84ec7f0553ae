import type { MouseEvent } from 'react';
import { setHostsOpen, useHostsStore } from './hostsStore';

/**
 * The "Hosts" tab. It sits in its own tablist beside the header's "Views" because the view
 * type and that tablist belong to the foundation's store; clicking any "Views" tab closes it
 * (closeHostsOnViewTab, wired around the header in App).
 */
export function HostsTab() {
  const open = useHostsStore((s) => s.open);
  return (
    <div role="tablist" aria-label="Host tools" className="tabs hosts-tabstrip">
      <button role="tab" aria-selected={open} aria-controls="view-hosts" onClick={() => setHostsOpen(true)}>
        Hosts
      </button>
    </div>
  );
}

export function closeHostsOnViewTab(event: MouseEvent<HTMLElement>): void {
  const target = event.target as HTMLElement | null;
  if (target?.closest('[role="tablist"][aria-label="Views"] [role="tab"]')) setHostsOpen(false);
}
