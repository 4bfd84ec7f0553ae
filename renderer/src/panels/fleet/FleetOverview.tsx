import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { STATUS_WORD } from '../../status/status';
import { StatusIcon } from '../../status/StatusIcon';
import { visible, VisibleText } from '../../status/VisibleText';
import { useNow } from '../../status/useNow';
import { openPanel } from '../../store/actions';
import { useAppStore } from '../../store/appStore';
import { AREAS } from '../areas';
import { fleetCounts, selectFleetGrid } from './selectors';

/** Deployments x runbook areas, worst deployment first; a cell opens that panel. */
export function FleetOverview() {
  const { fleet, health, connections } = useAppStore(useShallow((s) => ({ fleet: s.fleet, health: s.health, connections: s.connections })));
  // The grid is a summary: once every 2 s is enough for staleness to show, and 50 x 7 cells stay cheap.
  const now = useNow(2000);
  const rows = useMemo(() => selectFleetGrid(fleet, health, now, connections), [fleet, health, now, connections]);
  const counts = fleetCounts(rows);
  const unreachable = new Set(rows.flatMap((r) => r.unreachable)).size;
  return (
    <section className="panel fleet" aria-label="Fleet overview">
      <header className="panel-head">
        <h2>Fleet overview</h2>
        <span className="panel-summary">
          {rows.length} deployment{rows.length === 1 ? '' : 's'}: {counts.fail} failing, {counts.warn} warning, {counts.unknown} blind/unknown, {counts.ok} ok
          {unreachable ? `; ${unreachable} host${unreachable === 1 ? '' : 's'} unreachable` : ''}
        </span>
      </header>
      <table className={`grid${rows.length <= 12 ? ' grid-roomy' : ''}`} aria-label="Deployments by area">
        <thead>
          <tr>
            <th scope="col">Deployment</th>
            {AREAS.map((a) => (
              <th scope="col" key={a.endpoint}>
                {a.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.deploymentId} className={`row-${row.status}`}>
              <th scope="row">
                <button className="link" title={row.name} onClick={() => openPanel(row.deploymentId, null)}>
                  <StatusIcon status={row.status} /> {row.name}
                </button>
                {row.unreachable.length ? <span className="cell-flag">{`unreachable: ${row.unreachable.join(', ')}`}</span> : null}
              </th>
              {row.cells.map((cell, i) => {
                const area = AREAS[i]!;
                const flags = [cell.error ? 'poll error' : '', cell.stale ? 'stale' : ''].filter(Boolean).join(', ');
                return (
                  <td key={area.endpoint} className={`cell cell-${cell.status}`}>
                    <button
                      className="cell-button"
                      aria-label={`${row.name} ${area.title}: ${STATUS_WORD[cell.status]}, ${visible(cell.headline)}${flags ? ` (${flags})` : ''}`}
                      title={`${visible(cell.headline)}${flags ? ` (${flags})` : ''}`}
                      onClick={() => openPanel(row.deploymentId, area.endpoint)}
                    >
                      <StatusIcon status={cell.status} />
                      <span className="cell-text">{cell.status === 'ok' ? 'ok' : <VisibleText text={cell.headline} />}</span>
                      {cell.problems > 1 ? <span className="cell-more">+{cell.problems - 1}</span> : null}
                      {flags ? <span className="cell-flag">{flags}</span> : null}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
