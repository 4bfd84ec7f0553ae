import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApi } from '../api/ApiContext';
import { StatusIcon } from '../status/StatusIcon';
import { visible, VisibleText } from '../status/VisibleText';
import { connectionLine, CONNECTION_STATUS } from '../header/Header';
import { ConnectHostButton } from '../ssh/ConnectHostButton';
import { startPreview } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { factsText } from './format';
import { selectHost, setHostsOpen, useHostsStore } from './hostsStore';

export const RESTART_INGESTION = { actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } } as const;

/** The host's name in the row of `near` (a cell of it). */
const rowHeader = (near: HTMLElement | null): HTMLElement | null => near?.closest('tr')?.querySelector<HTMLElement>('th[scope="row"]') ?? null;

/** The selected deployment's hosts: connection state and the remediation buttons. */
export function HostsPanel({ deploymentId }: { deploymentId: string }) {
  const api = useApi();
  const { fleet, connections } = useAppStore(useShallow((s) => ({ fleet: s.fleet, connections: s.connections })));
  const facts = useHostsStore((s) => s.facts);
  const hosts = useMemo(() => {
    const deployment = fleet?.deployments.find((d) => d.id === deploymentId);
    return (deployment?.hosts ?? []).map((id) => {
      const info = fleet?.hosts.find((h) => h.id === id);
      return {
        id: id as string,
        label: info?.label ?? id,
        address: info ? `${info.user}@${info.address}:${info.port}` : '',
        demo: info?.demo ?? false,
        conn: connections[id],
      };
    });
  }, [fleet, connections, deploymentId]);
  return (
    <section className="panel hosts" aria-label="Hosts">
      <header className="panel-head">
        <h2>Hosts</h2>
      </header>
      <table className="items" aria-label="Hosts">
        <thead>
          <tr>
            <th scope="col" className="col-status">
              <span className="sr-only">Connection</span>
            </th>
            <th scope="col">Host</th>
            <th scope="col">Actions</th>
            <th scope="col">Host facts</th>
            <th scope="col">SSH</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <tr key={h.id}>
              <td className="col-status">
                <StatusIcon status={CONNECTION_STATUS[h.conn?.state ?? 'idle']} word="SSH" why={connectionLine(h.conn)} />
              </td>
              {/* the address sits in the tooltip: a column for it pushed this half-width table past its panel */}
              {/* tabIndex -1: where focus lands when this host's Retry goes away because it connected */}
              <th scope="row" className="item-name" title={h.address} tabIndex={-1}>
                {h.label}
                {h.demo ? <span className="demo-tag"> demo</span> : null}
              </th>
              <td>
                <button
                  className="action"
                  aria-label={`Restart autotrader-ingestion on ${h.label}`}
                  onClick={() =>
                    void startPreview(api, `Restart autotrader-ingestion on ${h.label}`, {
                      ...RESTART_INGESTION,
                      params: { ...RESTART_INGESTION.params },
                      hostIds: [h.id],
                    })
                  }
                >
                  Restart ingestion
                </button>
              </td>
              <td className={`why why-${facts[h.id]?.status ?? 'unknown'}`}>
                <button
                  className="link-button"
                  aria-label={`Host view of ${h.label}`}
                  onClick={() => {
                    selectHost(h.id);
                    setHostsOpen(true);
                  }}
                >
                  {/* clamped and breakable: a host key fingerprint is one long word that pushed the SSH column and its Retry out of the panel */}
                  <span className="clamp" title={visible(factsText(facts[h.id], 'no facts yet'))}>
                    <VisibleText text={factsText(facts[h.id], 'no facts yet')} />
                  </span>
                </button>
              </td>
              <td className="why">
                <span className="clamp" title={connectionLine(h.conn)}>
                  {connectionLine(h.conn)}
                </span>{' '}
                <ConnectHostButton hostId={h.id} label={h.label} conn={h.conn} focusNext={rowHeader} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
