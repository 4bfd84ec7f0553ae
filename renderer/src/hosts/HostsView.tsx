// The Hosts tab (docs/hosts.md): a fleet list sorted by trouble with sparklines, one host's details
// (OS, load, CPU, memory, disks, units, failed units, IB Gateway), its dashboards through SSH
// tunnels, escalation, and terminal tabs. Stays mounted while hidden so terminals survive a
// look at another tab.
import { useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { HostFacts } from '../../../common/contract';
import { onTablistKeyDown } from '../a11y/tablistKeys';
import { useApi } from '../api/ApiContext';
import { connectionLine } from '../header/Header';
import { ConnectHostButton } from '../ssh/ConnectHostButton';
import { StatusIcon } from '../status/StatusIcon';
import { STATUS_WORD } from '../status/status';
import { useStore } from '../store/useStore';
import { TerminalPane } from '../terminal/TerminalPane';
import { TunnelList } from '../tunnels/TunnelList';
import { bytes, duration, factsText, pct } from './format';
import { addTerminalTab, bindHostEvents, escalate, loadHostFacts, openTunnel, selectHost, TARGET_WORDS, useHostsStore } from './hostsStore';
import { Sparkline } from './Sparkline';
import './hosts.css';

/** The shown host's name (one host view on the page): where a palette jump to a host leaves focus. */
export const HOST_HEADING_ID = 'host-detail-heading';

export function HostsView({ visible }: { visible: boolean }) {
  const api = useApi();
  const { fleet, connections } = useStore(useShallow((s) => ({ fleet: s.fleet, connections: s.connections })));
  const { facts, selectedHostId, loadError, terminals, activeTerminal } = useHostsStore(
    useShallow((s) => ({ facts: s.facts, selectedHostId: s.selectedHostId, loadError: s.loadError, terminals: s.terminals, activeTerminal: s.activeTerminal })),
  );

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
        .sort((a, b) => b.trouble - a.trouble || a.label.localeCompare(b.label)),
    [fleet, facts],
  );
  const selected = selectedHostId ?? rows[0]?.id ?? null;

  return (
    <div className="hosts-view" hidden={!visible}>
      {loadError ? <p className="notice notice-error">cannot load host facts: {loadError}</p> : null}
      <div className="hosts-grid">
        <section className="panel" aria-label="Host fleet">
          <header className="panel-head">
            <h2>Hosts by trouble</h2>
          </header>
          <table className="items" aria-label="Hosts by trouble">
            <thead>
              <tr>
                <th scope="col" className="col-status">
                  <span className="sr-only">Status</span>
                </th>
                <th scope="col">Host</th>
                <th scope="col">Why</th>
                <th scope="col">Load</th>
                <th scope="col">Memory</th>
                <th scope="col">Disk</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className={r.id === selected ? 'row-selected' : undefined}>
                  <td className="col-status">
                    <StatusIcon status={r.facts?.status ?? 'unknown'} why={r.facts ? r.facts.reasons.join('; ') || undefined : connectionLine(connections[r.id])} />
                  </td>
                  <th scope="row" className="item-name">
                    <button className="link-button" aria-label={`Show host ${r.label}`} aria-pressed={r.id === selected} onClick={() => selectHost(r.id)}>
                      {r.label}
                    </button>
                  </th>
                  <td className={`why why-${r.facts?.status ?? 'unknown'}`}>{factsText(r.facts, connectionLine(connections[r.id]))}</td>
                  <td>
                    <Sparkline values={r.facts?.history.load1 ?? []} label={`${r.label} load`} />
                  </td>
                  <td>
                    <Sparkline values={r.facts?.history.memPct ?? []} max={100} label={`${r.label} memory %`} />
                  </td>
                  <td>
                    <Sparkline values={r.facts?.history.diskPct ?? []} max={100} label={`${r.label} fullest disk %`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        {selected ? <HostDetail hostId={selected} label={labelOf(selected)} /> : null}
      </div>
      <TunnelList labelOf={labelOf} />
      <Escalation />
      <section className="panel terminals" aria-label="Terminals">
        <header className="panel-head">
          {/* tabIndex -1: where focus lands when the last terminal's Close takes its pane away */}
          <h2 tabIndex={-1}>Terminals</h2>
          <span className="panel-summary">keystrokes go to the host only; start and end are audited</span>
        </header>
        {terminals.length ? (
          <>
            <div role="tablist" aria-label="Terminal tabs" className="tabs terminal-tabs" onKeyDown={(e) => onTablistKeyDown(e, (i) => useHostsStore.setState({ activeTerminal: terminals[i]!.key }))}>
              {terminals.map((t) => (
                <button
                  key={t.key}
                  role="tab"
                  aria-selected={t.key === activeTerminal}
                  tabIndex={t.key === activeTerminal ? 0 : -1}
                  onClick={(e) => {
                    // a pointer click (detail > 0) lets the terminal take focus; Enter, Space and arrows stay on the tabs
                    if (e.detail > 0) e.currentTarget.blur();
                    useHostsStore.setState({ activeTerminal: t.key });
                  }}
                >
                  {t.state === 'closed' ? '■ ' : ''}
                  {t.title}
                </button>
              ))}
            </div>
            {terminals.map((t) => (
              <TerminalPane key={t.key} tab={t} active={visible && t.key === activeTerminal} />
            ))}
          </>
        ) : (
          <p className="muted">No terminal open. Use "Open terminal" on a host.</p>
        )}
      </section>
    </div>
  );
}

function HostDetail({ hostId, label }: { hostId: string; label: string }) {
  const api = useApi();
  const f: HostFacts | undefined = useHostsStore((s) => s.facts[hostId]);
  const { tools, notice } = useHostsStore(useShallow((s) => ({ tools: s.tools, notice: s.notice })));
  const deployments = useStore((s) => s.fleet?.deployments);
  const conn = useStore((s) => s.connections[hostId]);
  const dashboards = useMemo(() => {
    const seen = new Map<string, { name: string; port: number; path: string }>();
    for (const d of deployments ?? []) if (d.hosts.includes(hostId as never)) for (const x of tools?.dashboards[d.id] ?? []) if (!seen.has(x.name)) seen.set(x.name, x);
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
          <button key={d.name} onClick={() => void openTunnel(api, hostId, d.name)} aria-label={`Open ${d.name} on ${label}`} title={`127.0.0.1:${d.port}${d.path} on ${label}, through SSH`}>
            Open {d.name}
          </button>
        ))}
      </div>
      {notice ? (
        <p role="status" aria-label="Host tools notice" className={notice.kind === 'error' ? 'notice notice-error' : 'notice'}>
          {notice.text}{' '}
          {notice.url ? (
            <a href={notice.url} target="_blank" rel="noreferrer noopener" className="mono">
              {notice.url}
            </a>
          ) : null}
        </p>
      ) : null}
      {f?.error ? <p className="notice notice-error">{f.error}</p> : null}
      {f ? (
        <>
          <dl className="host-facts" aria-label={`${label} figures`}>
            <dt>Kernel</dt>
            <dd>{f.kernel ?? '–'}</dd>
            <dt>Uptime</dt>
            <dd>{duration(f.uptimeSeconds)}</dd>
            <dt>Load</dt>
            <dd>
              {f.load ? f.load.map((x) => x.toFixed(2)).join(' / ') : '–'} on {f.cpus ?? '?'} CPUs
            </dd>
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
                  <th scope="row" className="item-name">
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
          <p aria-label="Failed units" className={f.failedUnits.length ? 'why why-fail' : 'muted'}>
            systemctl --failed: {f.failedUnits.length ? f.failedUnits.join(', ') : 'none'}
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

function Escalation() {
  const api = useApi();
  const deployments = useStore((s) => s.fleet?.deployments);
  const { tools, timeline } = useHostsStore(useShallow((s) => ({ tools: s.tools, timeline: s.timeline })));
  const targets = (deployments ?? []).map((d) => ({ d, configured: tools?.escalation[d.id] ?? [] }));
  const copy = (text: string) => navigator.clipboard.writeText(text);
  return (
    <section className="panel" aria-label="Escalation">
      <header className="panel-head">
        <h2>Escalate</h2>
        <span className="panel-summary">opens the configured page and copies the incident timeline (alerts and actions, redacted) as Markdown</span>
      </header>
      {targets.map(({ d, configured }) => (
        <div key={d.id} className="host-actions">
          <span className="item-name">{d.name}</span>
          {(['pagerduty', 'ticket', 'logs'] as const).map((t) =>
            configured.includes(t) ? (
              <button key={t} aria-label={`Escalate ${d.name} to ${TARGET_WORDS[t]}`} onClick={() => void escalate(api, d.id, d.name, t, copy)}>
                Escalate: {TARGET_WORDS[t]}
              </button>
            ) : null,
          )}
          {!configured.length ? <span className="muted">no escalation URLs in the config (deployments[].escalation)</span> : null}
        </div>
      ))}
      {timeline ? (
        <div>
          <p className="muted">{timeline.copied ? 'Copied to the clipboard:' : 'Could not reach the clipboard; copy it from here:'}</p>
          <textarea aria-label="Incident timeline" readOnly value={timeline.markdown} rows={10} className="timeline mono" />
        </div>
      ) : null}
    </section>
  );
}
