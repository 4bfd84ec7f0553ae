// Open port forwards: where each goes, its local link, and a Close button. The link is shown in
// both shells; in Electron the page was also opened in the system browser.
import { useRef } from 'react';
import { useFocusHandoff } from '../a11y/useFocusHandoff';
import { useApi } from '../api/ApiContext';
import { closeTunnel, useHostsStore } from '../hosts/hostsStore';

export function TunnelList({ labelOf }: { labelOf: (hostId: string) => string }) {
  const api = useApi();
  const tunnels = useHostsStore((s) => s.tunnels);
  // a row goes with its Close button: focus to the Close of the tunnel that took its place (the
  // one before it for the last row), or to the Tunnels heading when none is left
  const panel = useRef<HTMLElement>(null);
  const closedAt = useRef(0);
  const closeHandoff = useFocusHandoff<HTMLButtonElement>(() => {
    const closes = Array.from(panel.current?.querySelectorAll<HTMLElement>('tbody button') ?? []);
    return closes[Math.min(closedAt.current, closes.length - 1)] ?? panel.current?.querySelector<HTMLElement>('h2') ?? null;
  });
  return (
    <section ref={panel} className="panel" aria-label="Tunnels">
      <header className="panel-head">
        {/* tabIndex -1: where focus lands when the last tunnel is closed */}
        <h2 tabIndex={-1}>Tunnels</h2>
        <span className="panel-summary">{tunnels.length ? `${tunnels.length} open` : 'none open'}</span>
      </header>
      {tunnels.length ? (
        <table className="items" aria-label="Open tunnels">
          <thead>
            <tr>
              <th scope="col">Dashboard</th>
              <th scope="col">Host</th>
              <th scope="col">Remote</th>
              <th scope="col">Local link</th>
              <th scope="col">
                <span className="sr-only">Close</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tunnels.map((t, i) => (
              <tr key={t.id}>
                <th scope="row">{t.dashboard}</th>
                <td>{labelOf(t.hostId)}</td>
                <td className="mono muted">{t.remote}</td>
                <td className="mono">
                  <a href={t.url} target="_blank" rel="noreferrer noopener">
                    {t.url}
                  </a>
                </td>
                <td>
                  <button
                    ref={closeHandoff}
                    aria-label={`Close tunnel ${t.dashboard} on ${labelOf(t.hostId)}`}
                    onClick={() => {
                      closedAt.current = i;
                      void closeTunnel(api, t.id);
                    }}
                  >
                    Close
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Open a dashboard from a host to forward it here over SSH (127.0.0.1 only).</p>
      )}
    </section>
  );
}
