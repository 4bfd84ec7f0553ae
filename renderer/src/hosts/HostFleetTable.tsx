// The fleet's hosts sorted by trouble, with why in words and sparklines of load, memory and disk.
// The reasons quote the host's own words (unit names, mount paths): shown through VisibleText.
import type { HostFacts } from '../../../common/contract';
import { connectionLine } from '../header/Header';
import { visible, VisibleText } from '../status/VisibleText';
import { useAppStore } from '../store/appStore';
import { factsText } from './format';
import { selectHost } from './hostsStore';
import { Sparkline } from './Sparkline';
import { StatusHeader, StatusRow } from './StatusRow';

export interface HostRow {
  id: string;
  label: string;
  facts: HostFacts | undefined;
  trouble: number;
}

export function HostFleetTable({ rows, selected }: { rows: HostRow[]; selected: string | null }) {
  const connections = useAppStore((s) => s.connections);
  return (
    <section className="panel" aria-label="Host fleet">
      <header className="panel-head">
        <h2>Hosts by trouble</h2>
      </header>
      <table className="items" aria-label="Hosts by trouble">
        <thead>
          <tr>
            <StatusHeader />
            <th scope="col">Host</th>
            <th scope="col">Why</th>
            <th scope="col">Load</th>
            <th scope="col">Memory</th>
            <th scope="col">Disk</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <StatusRow
              key={r.id}
              status={r.facts?.status ?? 'unknown'}
              why={visible(r.facts ? r.facts.reasons.join('; ') : connectionLine(connections[r.id])) || undefined}
              selected={r.id === selected}
              name={
                <button className="link-button" aria-label={`Show host ${r.label}`} aria-pressed={r.id === selected} onClick={() => selectHost(r.id)}>
                  {r.label}
                </button>
              }
            >
              <td className={`why why-${r.facts?.status ?? 'unknown'}`}>
                <VisibleText text={factsText(r.facts, connectionLine(connections[r.id]))} />
              </td>
              <td>
                <Sparkline values={r.facts?.history.load1 ?? []} label={`${r.label} load`} />
              </td>
              <td>
                <Sparkline values={r.facts?.history.memPct ?? []} max={100} label={`${r.label} memory %`} />
              </td>
              <td>
                <Sparkline values={r.facts?.history.diskPct ?? []} max={100} label={`${r.label} fullest disk %`} />
              </td>
            </StatusRow>
          ))}
        </tbody>
      </table>
    </section>
  );
}
