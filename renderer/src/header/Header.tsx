import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ConnectionState } from '../../../common/contract';
import { onTablistKeyDown } from '../a11y/tablistKeys';
import type { Status } from '../status/status';
import { StatusIcon } from '../status/StatusIcon';
import { selectDeployment, setView } from '../store/actions';
import type { View } from '../store/slices';
import { useAppStore } from '../store/appStore';
import { ImportSshHostsButton } from '../ssh/ImportSshHosts';
import { useFleetTitle } from './useFleetTitle';

export const CONNECTION_STATUS: Record<ConnectionState['state'], Status> = {
  connected: 'ok',
  connecting: 'warn',
  unresponsive: 'fail',
  failed: 'fail',
  idle: 'unknown',
};

export function connectionText(c: ConnectionState | undefined, now = Date.now()): string {
  if (!c) return 'no connection state yet';
  if (c.state === 'failed') return `failed${c.error ? `: ${c.error}` : ''}${c.nextRetryAt ? `; retry at ${c.nextRetryAt.slice(11, 19)} UTC` : ''}`;
  if (c.state === 'unresponsive') return `unresponsive${c.error ? `: ${c.error}` : ''}`;
  if (c.state === 'connecting') {
    // between attempts, say when the next one is and why the last one failed
    const next = c.nextRetryAt ? Math.max(0, Math.ceil((Date.parse(c.nextRetryAt) - now) / 1000)) : null;
    return `connecting (attempt ${c.attempt}${next !== null ? `, next try in ${next} s` : ''})${next !== null && c.error ? `: ${c.error}` : ''}`;
  }
  return c.state;
}

/** The status with what the host's ssh_config asks for that the console cannot do, when there is such a note. */
export function connectionLine(c: ConnectionState | undefined, now = Date.now()): string {
  const text = connectionText(c, now);
  return c?.note ? `${text} (${c.note})` : text;
}

/** Re-render every second while some host waits for a retry, so "next try in s" counts down. */
function useSecondTick(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function HostDots() {
  const { fleet, selected, connections } = useAppStore(useShallow((s) => ({ fleet: s.fleet, selected: s.selectedDeploymentId, connections: s.connections })));
  const hosts = useMemo(() => {
    const deployment = fleet?.deployments.find((d) => d.id === selected);
    return (deployment?.hosts ?? []).map((id) => ({ id: id as string, label: fleet?.hosts.find((h) => h.id === id)?.label ?? id, conn: connections[id] }));
  }, [fleet, selected, connections]);
  const now = useSecondTick(hosts.some((h) => h.conn?.nextRetryAt));
  return (
    <ul className="host-dots" aria-label="Host connections">
      {hosts.map((h) => {
        const status = CONNECTION_STATUS[h.conn?.state ?? 'idle'];
        return (
          <li key={h.id} aria-label={`${h.label}: ${connectionLine(h.conn, now)}`} title={connectionLine(h.conn, now)}>
            <StatusIcon status={status} word="SSH" why={connectionLine(h.conn, now)} /> {h.label}
          </li>
        );
      })}
    </ul>
  );
}

const NO_DEPLOYMENTS: never[] = [];

const TABS: Array<{ view: View; label: string }> = [
  { view: 'fleet', label: 'Fleet' },
  { view: 'deployment', label: 'Deployment' },
  { view: 'runbooks', label: 'Runbooks' },
  { view: 'actions', label: 'Actions' },
  { view: 'hosts', label: 'Hosts' },
  { view: 'audit', label: 'Audit' },
];

export function Header() {
  useFleetTitle();
  const { demo, deployments, selected, view, configPath } = useAppStore(
    useShallow((s) => ({
      demo: s.fleet?.demo ?? false,
      deployments: s.fleet?.deployments ?? NO_DEPLOYMENTS,
      selected: s.selectedDeploymentId,
      view: s.view,
      configPath: s.fleet?.configPath ?? null,
    })),
  );
  return (
    <header className="app-header">
      <h1>Opsdeck</h1>
      {demo ? (
        <span className="demo-badge" title="Built-in demo fleet: nothing here touches real hosts">
          DEMO
        </span>
      ) : null}
      <label className="picker">
        Deployment
        <select value={selected ?? ''} onChange={(e) => selectDeployment(e.target.value)} disabled={deployments.length === 0}>
          {deployments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <HostDots />
      {/* one Tab stop (the selected view); arrows, Home and End switch views */}
      <div role="tablist" aria-label="Views" className="tabs" onKeyDown={(e) => onTablistKeyDown(e, (i) => setView(TABS[i]!.view))}>
        {TABS.map((t) => (
          <button
            key={t.view}
            role="tab"
            aria-selected={view === t.view}
            aria-controls={`view-${t.view}`}
            tabIndex={view === t.view ? 0 : -1}
            onClick={() => setView(t.view)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <span className="config-path muted" title={configPath ?? 'demo: no config file'}>
        {configPath ?? ''}
      </span>
      {configPath ? <ImportSshHostsButton /> : null}
    </header>
  );
}
