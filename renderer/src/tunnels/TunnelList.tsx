// Open port forwards: where each goes, its local link, and a Close button. The link is shown in
// both shells; in Electron the page was also opened in the system browser.
import { useApi } from '../api/ApiContext';
import { closeTunnel, useHostsStore } from '../hosts/hostsStore';

export function TunnelList({ labelOf }: { labelOf: (hostId: string) => string }) {
  const api = useApi();
  const tunnels = useHostsStore((s) => s.tunnels);
  return (
    <section className="panel" aria-label="Tunnels">
      <header className="panel-head">
        <h2>Tunnels</h2>
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
            {tunnels.map((t) => (
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
                  <button aria-label={`Close tunnel ${t.dashboard} on ${labelOf(t.hostId)}`} onClick={() => void closeTunnel(api, t.id)}>
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
