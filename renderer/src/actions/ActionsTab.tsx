// The "Actions" tab, in its own tablist beside the header's "Views" (as the Hosts and Runbooks
// tabs: the view type and that tablist belong to the foundation's store). Any other tab closes it.
import { useEffect } from 'react';
import { setHostsOpen } from '../hosts/hostsStore';
import { setActionsOpen, useActionsStore } from './actionsStore';

export function ActionsTab() {
  const open = useActionsStore((s) => s.open);
  useEffect(() => {
    const onClick = (event: globalThis.MouseEvent) => {
      const tab = (event.target as HTMLElement | null)?.closest('[role="tab"]');
      if (tab && !tab.closest('[aria-label="Action tools"]')) setActionsOpen(false);
    };
    document.addEventListener('click', onClick, true);
    return () => document.removeEventListener('click', onClick, true);
  }, []);
  return (
    <div role="tablist" aria-label="Action tools" className="tabs actions-tabstrip">
      <button
        role="tab"
        aria-selected={open}
        aria-controls="view-actions"
        onClick={() => {
          setHostsOpen(false);
          setActionsOpen(true);
        }}
      >
        Actions
      </button>
    </div>
  );
}
