// One host's details: OS, load, CPU, memory, disks (DisksTable), units and their actions
// (UnitsTable), failed units, processes; refresh, terminal, connect and its dashboards through SSH tunnels.
// Every text the host reported goes through VisibleText: a host, or a process on it, chooses
// those strings and can hide bidi overrides or zero-width characters in them.
import { useMemo, useRef } from 'react';
import type { HostFacts } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { ConnectHostButton } from '../ssh/ConnectHostButton';
import { StatusIcon } from '../status/StatusIcon';
import { useAppStore } from '../store/appStore';
import { plural } from '../status/format';
import { VisibleText } from '../status/VisibleText';
import { DisksTable } from './DisksTable';
import { bytes, duration, pct } from './format';
import { addTerminalTab, openTunnel, useHostsStore } from './hostsStore';
import { ToolsNotice } from './ToolsNotice';
import { UnitsTable } from './UnitsTable';

/** The shown host's name (one host view on the page): where a palette jump to a host leaves focus. */
export const HOST_HEADING_ID = 'host-detail-heading';

/** Why this host's facts could not be read (its own error, or no refresh yet); null when they were. */
export function unread(f: HostFacts): string | null {
  if (f.error) return f.error;
  return f.refreshedAt ? null : 'not read yet';
}

/** "none" only when `systemctl --failed` answered on this host; otherwise unknown, with this host's reason. */
export function failedUnitsText(f: HostFacts): string {
  const why = f.failedUnitsError ?? unread(f);
  if (why) return `unknown: ${why}`;
  return f.failedUnits.length ? f.failedUnits.join(', ') : 'none';
}

/** "0.52 / 0.40 / 0.31 on 4 CPUs"; says what is unknown instead of "– on ? CPUs". */
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
  const { dashboards, dashboardNotes } = useMemo(() => {
    const seen = new Map<string, { name: string; port: number; path: string }>();
    const notes = new Set<string>();
    for (const d of deployments ?? []) {
      if (!d.hosts.includes(hostId as never)) continue;
      for (const x of tools?.dashboards[d.id] ?? []) if (!seen.has(x.name)) seen.set(x.name, x);
      const note = tools && Object.hasOwn(tools.dashboardNotes, d.id) ? tools.dashboardNotes[d.id] : undefined;
      if (note) notes.add(note);
    }
    return { dashboards: [...seen.values()], dashboardNotes: [...notes] };
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
        <span className="panel-summary">
          <VisibleText text={f?.os ?? ''} />
        </span>
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
      {dashboardNotes.map((note) => (
        <p key={note} className="muted dashboard-note">
          {note}
        </p>
      ))}
      <ToolsNotice hostId={hostId} />
      {f?.error ? (
        <p className="notice notice-error">
          <VisibleText text={f.error} />
        </p>
      ) : null}
      {f ? (
        <>
          <dl className="host-facts" aria-label={`${label} figures`}>
            <dt>Kernel</dt>
            <dd>{f.kernel === null ? '–' : <VisibleText text={f.kernel} />}</dd>
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
          <DisksTable disks={f.disks} />
          <UnitsTable facts={f} hostId={hostId} label={label} />
          <p aria-label="Failed units" className={f.failedUnits.length ? 'why why-fail' : (f.failedUnitsError ?? unread(f)) ? 'why why-unknown' : 'muted'}>
            systemctl --failed: <VisibleText text={failedUnitsText(f)} />
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
      <dt>
        <VisibleText text={name} />
      </dt>
      <dd className={running ? undefined : 'why-warn'}>{running ? `running (PID ${pids.join(', ')})` : 'not running'}</dd>
    </>
  );
}
