// The Hosts tab: the fleet's hosts sorted by trouble (HostFleetTable), one host's details
// (HostDetail), dashboards through SSH tunnels (TunnelList), escalation (Escalation) and
// terminal tabs (TerminalTabs). Stays mounted while hidden so terminals survive a look at
// another tab.
import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../api/ApiContext';
import { useAppStore } from '../store/appStore';
import { TunnelList } from '../tunnels/TunnelList';
import { Escalation } from './Escalation';
import { HostDetail } from './HostDetail';
import { HostFleetTable } from './HostFleetTable';
import { bindHostEvents, loadHostFacts, useHostsStore } from './hostsStore';
import { TerminalTabs } from './TerminalTabs';
import './hosts.css';

export { HOST_HEADING_ID } from './HostDetail';

export function HostsView({ visible }: { visible: boolean }) {
  const api = useApi();
  const fleet = useAppStore((s) => s.fleet);
  const { facts, selectedHostId, loadError } = useHostsStore(useShallow((s) => ({ facts: s.facts, selectedHostId: s.selectedHostId, loadError: s.loadError })));

  useEffect(() => {
    const off = bindHostEvents(api);
    void loadHostFacts(api);
    return off;
  }, [api]);

  const labelOf = useMemo(() => {
    const labels = new Map((fleet?.hosts ?? []).map((h) => [h.id as string, h.label]));
    return (id: string) => labels.get(id) ?? id;
  }, [fleet]);

  const rows = useMemo(
    () =>
      (fleet?.hosts ?? [])
        .map((h) => ({ id: h.id as string, label: h.label, facts: facts[h.id], trouble: facts[h.id]?.trouble ?? 1000 }))
        // code-unit order, not localeCompare: its first call builds the ICU collator (tens of
        // milliseconds of the page's first render, this view rendered hidden among them)
        .sort((a, b) => b.trouble - a.trouble || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
    [fleet, facts],
  );
  const selected = selectedHostId ?? rows[0]?.id ?? null;

  return (
    <div className="hosts-view" hidden={!visible}>
      {loadError ? <p className="notice notice-error">cannot load host facts: {loadError}</p> : null}
      <div className="hosts-grid">
        <HostFleetTable rows={rows} selected={selected} />
        {selected ? <HostDetail hostId={selected} label={labelOf(selected)} /> : null}
      </div>
      <TunnelList labelOf={labelOf} />
      <Escalation />
      <TerminalTabs visible={visible} />
    </div>
  );
}
