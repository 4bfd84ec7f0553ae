import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { fleetCounts, selectFleetGrid } from '../panels/fleet/selectors';
import { STATUS_SHAPE } from '../status/status';
import { useNow } from '../status/useNow';
import { useAppStore } from '../store/appStore';

/** The window title, e.g. "■ 2 failing · ▲ 1 warning — Opsdeck": a background tab or taskbar still shows the fire. */
export function fleetTitle(counts: { fail: number; warn: number; unknown: number; ok: number }, demo: boolean): string {
  const parts = [
    counts.fail ? `${STATUS_SHAPE.fail} ${counts.fail} failing` : '',
    counts.warn ? `${STATUS_SHAPE.warn} ${counts.warn} warning` : '',
    // blind (an API that cannot be read, stale data, a host that cannot be reached) is its own count, never part of "ok"
    counts.unknown ? `${STATUS_SHAPE.unknown} ${counts.unknown} blind/unknown` : '',
  ].filter(Boolean);
  const head = parts.length ? parts.join(' · ') : counts.ok > 0 ? `${STATUS_SHAPE.ok} all ok` : '';
  return `${head ? `${head} — ` : ''}Opsdeck${demo ? ' (DEMO)' : ''}`;
}

export function useFleetTitle(): void {
  const { fleet, health, connections } = useAppStore(useShallow((s) => ({ fleet: s.fleet, health: s.health, connections: s.connections })));
  const now = useNow(5000);
  const title = useMemo(
    () => (fleet ? fleetTitle(fleetCounts(selectFleetGrid(fleet, health, now, connections)), fleet.demo) : 'Opsdeck'),
    [fleet, health, now, connections],
  );
  useEffect(() => {
    document.title = title;
  }, [title]);
}
