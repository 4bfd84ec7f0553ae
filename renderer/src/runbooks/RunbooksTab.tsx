// The "Runbooks" tab, in its own tablist beside the header's "Views" (the view type and that
// tablist belong to the foundation's store, as with the host view's tab). Any other tab closes
// the viewer.
import { useEffect } from 'react';
import { setRunbooksOpen, useRunbookStore } from './runbookStore';

export function RunbooksTab({ onOpen }: { onOpen?: () => void }) {
  const open = useRunbookStore((s) => s.open);
  useEffect(() => {
    const onClick = (event: globalThis.MouseEvent) => {
      const tab = (event.target as HTMLElement | null)?.closest('[role="tab"]');
      if (tab && !tab.closest('[aria-label="Runbook tools"]')) setRunbooksOpen(false);
    };
    document.addEventListener('click', onClick, true);
    return () => document.removeEventListener('click', onClick, true);
  }, []);
  return (
    <div role="tablist" aria-label="Runbook tools" className="tabs runbooks-tabstrip">
      <button
        role="tab"
        aria-selected={open}
        aria-controls="view-runbooks"
        onClick={() => {
          onOpen?.();
          setRunbooksOpen(true);
        }}
      >
        Runbooks
      </button>
    </div>
  );
}
