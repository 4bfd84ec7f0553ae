// What each host of a run is doing, in words and a table (a fan-out's hosts side by side).
import type { Preview } from '../../../common/contract';
import type { HostRun, RunView } from '../store/slices';

export function hostStatusText(run: HostRun | undefined): string {
  if (!run) return 'queued';
  // settled later by checking the host: say so, so it is never mistaken for an exit status
  if (run.settled) return `${run.state === 'succeeded' ? '●' : '■'} ${run.settled}, after the outcome was unknown`;
  if (run.state === 'unknown') return `? unknown, no exit status${run.error ? `: ${run.error}` : ''}`;
  if (run.state === 'succeeded' || run.state === 'failed') {
    const exit = run.exitCode === null ? 'no exit code' : `exit ${run.exitCode}`;
    return `${run.state === 'succeeded' ? '●' : '■'} ${run.state}, ${exit}${run.error ? `: ${run.error}` : ''}`;
  }
  // main's error for a cancelled run is often just "cancelled": do not say it twice
  const why = run.error && run.error !== 'cancelled' ? `: ${run.error}` : '';
  if (run.state === 'cancelled') return `◌ cancelled${run.exitCode !== null ? `, exit ${run.exitCode}` : ''}${why}`;
  return run.state === 'running' ? '… running' : '… queued';
}

export function RunProgress({ preview, run }: { preview: Preview; run: RunView | undefined }) {
  const counts = new Map<string, number>();
  for (const h of preview.hosts) {
    const state = run?.hosts[h.id]?.state ?? 'queued';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const summary = ['succeeded', 'failed', 'unknown', 'cancelled', 'running', 'queued']
    .filter((s) => counts.get(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
  return (
    <>
      <p className="run-summary" role="status" aria-label="Run progress">
        {preview.hosts.length} host{preview.hosts.length === 1 ? '' : 's'}: {summary}
      </p>
      {preview.hosts.length > 1 ? (
        <table className="progress" aria-label="Host progress">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Exit code
              </th>
            </tr>
          </thead>
          <tbody>
            {preview.hosts.map((h) => {
              const host = run?.hosts[h.id];
              const state = host?.state ?? 'queued';
              return (
                <tr key={h.id} className={`run-${state}`} aria-label={`${h.label}: ${state}${host?.exitCode != null ? `, exit ${host.exitCode}` : ''}`}>
                  <th scope="row">{h.label}</th>
                  <td>{hostStatusText(host)}</td>
                  <td className="num">{host?.exitCode ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
