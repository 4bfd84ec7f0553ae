// One host's details: OS, load, CPU, memory, disks, units, failed units, processes; refresh,
// terminal, connect and its dashboards through SSH tunnels.
import { useMemo, useRef } from 'react';
import type { HostFacts } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { ConnectHostButton } from '../ssh/ConnectHostButton';
import { StatusIcon } from '../status/StatusIcon';
import { STATUS_WORD } from '../status/status';
import { useAppStore } from '../store/appStore';
import { plural } from '../status/format';
import { bytes, duration, pct } from './format';
import { addTerminalTab, openTunnel, useHostsStore } from './hostsStore';
import { ToolsNotice } from './ToolsNotice';

/** The shown host's name (one host view on the page): where a palette jump to a host leaves focus. */
export const HOST_HEADING_ID = 'host-detail-heading';

/** "0.52 / 0.40 / 0.31 on 4 CPUs"; says what is unknown instead of "– on ? CPUs". */
/** Why this host's facts could not be read (its own error, or no refresh yet); null when they were. */
export function unread(f: HostFacts): string | null {
  if (f.error) return f.error;
  return f.refreshedAt ? null : 'not read yet';
}

/** "none" only when systemctl answered on this host; otherwise unknown, with this host's reason. */
export function failedUnitsText(f: HostFacts): string {
  const why = unread(f);
  if (why) return `unknown (${why})`;
  return f.failedUnits.length ? f.failedUnits.join(', ') : 'none';
}

export function loadText(load: readonly number[] | null, cpus: number | null): string {
  if (!load) return 'unknown (not read)';
  return `${load.map((x) => x.toFixed(2)).join(' / ')}${cpus ? ` on ${plural(cpus, 'CPU')}` : ''}`;
}

export function HostDetail({ hostId, label }: { hostId: string; label: string }) {
  const api = useApi();
  const f: HostFacts | undefined = useHostsStore((s) => s.facts[hostId]);
  const tools = useHostsStore((s) => s.tools);
  const deployments = useAppStore((s) => s.fleet?.deployments);
  const conn = useAppStore((s) => s.connections[hostId]);
  const dashboards = useMemo(() => {
    const seen = new Map<string, { name: string; port: number; path: string }>();
    for (const d of deployments ?? [])
      if (d.hosts.includes(hostId as never)) for (const x of tools?.dashboards[d.id] ?? []) if (!seen.has(x.name)) seen.set(x.name, x);
    return [...seen.values()];
  }, [deployments, tools, hostId]);
  const status = f?.status ?? 'unknown';
  const heading = useRef<HTMLHeadingElement>(null);
  return (
    <section className={`panel panel-${status}`} aria-label={`Host ${label}`}>
      <header className="panel-head">
        <StatusIcon status={status} withWord />
        {/* tabIndex -1: where focus lands when this host's Retry goes away because it connected, or after a jump to the host */}
        <h2 ref={heading} id={HOST_HEADING_ID} tabIndex={-1}>
          {label}
        </h2>
        <span className="panel-summary">{f?.os ?? ''}</span>
        <span className="panel-polled">{f?.refreshedAt ? `refreshed ${f.refreshedAt.slice(11, 19)} UTC` : 'not refreshed yet'}</span>
      </header>
      <div className="host-actions">
        <button onClick={() => void api.refreshHost({ hostId })} aria-label={`Refresh ${label}`}>
          Refresh
        </button>
        <button onClick={() => addTerminalTab(hostId, label)} aria-label={`Open terminal on ${label}`}>
          Open terminal
        </button>
        <ConnectHostButton hostId={hostId} label={label} conn={conn} focusNext={() => heading.current} />
        {dashboards.map((d) => (
          <button
            key={d.name}
            onClick={() => void openTunnel(api, hostId, d.name)}
            aria-label={`Open ${d.name} on ${label}`}
            title={`127.0.0.1:${d.port}${d.path} on ${label}, through SSH`}
          >
            Open {d.name}
          </button>
        ))}
      </div>
      <ToolsNotice hostId={hostId} />
      {f?.error ? <p className="notice notice-error">{f.error}</p> : null}
      {f ? (
        <>
          <dl className="host-facts" aria-label={`${label} figures`}>
            <dt>Kernel</dt>
            <dd>{f.kernel ?? '–'}</dd>
            <dt>Uptime</dt>
            <dd>{duration(f.uptimeSeconds)}</dd>
            <dt>Load</dt>
            <dd>{loadText(f.load, f.cpus)}</dd>
            <dt>CPU</dt>
            <dd>{pct(f.cpuPct)}</dd>
            <dt>Memory</dt>
            <dd>{f.memory ? `${bytes(f.memory.usedBytes)} used of ${bytes(f.memory.totalBytes)} (${bytes(f.memory.availableBytes)} available)` : '–'}</dd>
            <dt>Swap</dt>
            <dd>{f.memory ? (f.memory.swapTotalBytes ? `${bytes(f.memory.swapUsedBytes)} used of ${bytes(f.memory.swapTotalBytes)}` : 'none') : '–'}</dd>
            {f.processes.map((p) => (
              <FragmentProcess key={p.name} name={p.name} running={p.running} pids={p.pids} />
            ))}
          </dl>
          <table className="items" aria-label="Disks">
            <thead>
              <tr>
                <th scope="col" className="col-status">
                  <span className="sr-only">Status</span>
                </th>
                <th scope="col">Mount</th>
                <th scope="col">Used</th>
                <th scope="col">Size</th>
                <th scope="col">Use</th>
                <th scope="col">Filesystem</th>
              </tr>
            </thead>
            <tbody>
              {f.disks.map((d) => (
                <tr key={d.mount} aria-label={`disk ${d.mount}: ${STATUS_WORD[d.status]}, ${d.usedPct} % used`}>
                  <td className="col-status">
                    <StatusIcon status={d.status} />
                  </td>
                  <th scope="row" className="item-name mount" title={d.mount}>
                    {d.mount}
                  </th>
                  <td>{bytes(d.usedBytes)}</td>
                  <td>{bytes(d.sizeBytes)}</td>
                  <td className={`why why-${d.status}`}>
                    <span className="usage">
                      <span className="usage-bar">
                        <span className={`usage-fill status-${d.status}`} style={{ width: `${Math.min(100, d.usedPct)}%` }} />
                      </span>
                      {d.usedPct} %
                    </span>
                  </td>
                  <td className="muted mono">
                    {d.filesystem} ({d.type})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="items" aria-label="Units">
            <thead>
              <tr>
                <th scope="col" className="col-status">
                  <span className="sr-only">Status</span>
                </th>
                <th scope="col">Unit</th>
                <th scope="col">State</th>
                <th scope="col">PID</th>
                <th scope="col">Restarts</th>
              </tr>
            </thead>
            <tbody>
              {f.units.map((u) => (
                <tr key={u.unit} aria-label={`${u.unit}: ${STATUS_WORD[u.status]}, ${u.active}`}>
                  <td className="col-status">
                    <StatusIcon status={u.status} />
                  </td>
                  <th scope="row" className="item-name">
                    {u.unit}
                  </th>
                  <td className={`why why-${u.status}`} title={u.since ? `active since ${u.since}` : undefined}>
                    {u.why}
                  </td>
                  <td className="mono">{u.mainPid ?? '–'}</td>
                  <td>{u.restarts ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p aria-label="Failed units" className={f.failedUnits.length ? 'why why-fail' : unread(f) ? 'why why-unknown' : 'muted'}>
            systemctl --failed: {failedUnitsText(f)}
          </p>
        </>
      ) : (
        <p className="muted">no facts yet</p>
      )}
    </section>
  );
}

function FragmentProcess({ name, running, pids }: { name: string; running: boolean; pids: number[] }) {
  return (
    <>
      <dt>{name}</dt>
      <dd className={running ? undefined : 'why-warn'}>{running ? `running (PID ${pids.join(', ')})` : 'not running'}</dd>
    </>
  );
}
