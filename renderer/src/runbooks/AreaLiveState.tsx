// The live state of a runbook section's area for the selected deployment, at the top of the
// section: the same summary and rows the panel shows (panels/areas.ts, read-only), and a way
// back to the panel.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RunbookArea } from '../../../common/contract';
import { AREAS, summarizeArea } from '../panels/areas';
import { StatusIcon } from '../status/StatusIcon';
import { useNow } from '../status/useNow';
import { openPanel } from '../store/actions';
import { healthKey } from '../store/slices';
import { useAppStore } from '../store/appStore';
import { AREA_ENDPOINT, setRunbooksOpen } from './runbookStore';

export function AreaLiveState({ area }: { area: RunbookArea }) {
  const endpoint = AREA_ENDPOINT[area];
  const def = AREAS.find((a) => a.endpoint === endpoint)!;
  const { deploymentId, deploymentName, state } = useAppStore(
    useShallow((s) => {
      const id = s.selectedDeploymentId;
      return {
        deploymentId: id,
        deploymentName: s.fleet?.deployments.find((d) => d.id === id)?.name ?? null,
        state: id ? s.health[healthKey(id, endpoint)] : undefined,
      };
    }),
  );
  const now = useNow(2000);
  const { summary, bad } = useMemo(() => {
    const summary = summarizeArea(def, state, now);
    const rows = state && summary.status !== 'unknown' ? def.rows(state, now) : [];
    return { summary, bad: rows.filter((r) => r.status !== 'ok') };
  }, [def, state, now]);
  if (!deploymentId) return <p className="notice live-state">no deployment selected: live state unavailable</p>;
  return (
    <aside className={`live-state live-${summary.status}`} aria-label={`Live state: ${def.title}`}>
      <p>
        <StatusIcon status={summary.status} withWord /> <strong>{def.title}</strong> on {deploymentName ?? deploymentId}:{' '}
        <span className="live-headline">{summary.headline}</span>
      </p>
      {bad.length > 0 ? (
        <ul className="live-rows">
          {bad.slice(0, 6).map((row) => (
            <li key={row.name}>
              <StatusIcon status={row.status} /> <span className="mono">{row.name}</span>: {row.reasons.join('; ') || row.status}
            </li>
          ))}
          {bad.length > 6 ? <li className="muted">and {bad.length - 6} more</li> : null}
        </ul>
      ) : null}
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setRunbooksOpen(false);
          openPanel(deploymentId, endpoint);
        }}
      >
        Open the {def.title} panel
      </button>
    </aside>
  );
}
