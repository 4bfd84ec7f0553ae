// "Export incident timeline": asks main for the redacted Markdown (alerts and audited actions
// in time order) of the selected deployment or of all, shows it in a selectable textarea and
// copies it where the page may use the clipboard (an insecure origin or a denied permission
// leaves the textarea: select and copy by hand).
import { useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DeploymentId } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { useAppStore } from '../store/appStore';

const WINDOWS = [
  { label: 'last hour', ms: 3600_000 },
  { label: 'last 6 hours', ms: 6 * 3600_000 },
  { label: 'last 24 hours', ms: 24 * 3600_000 },
  { label: 'last 7 days', ms: 7 * 24 * 3600_000 },
] as const;

type State =
  | { phase: 'idle' }
  | { phase: 'loading' }
  | { phase: 'error'; message: string }
  | { phase: 'done'; markdown: string; copied: 'yes' | 'no' | 'unavailable'; why: string | null };

export function IncidentExport() {
  const api = useApi();
  const { deployments, selected } = useAppStore(useShallow((s) => ({ deployments: s.fleet?.deployments ?? [], selected: s.selectedDeploymentId })));
  const [scope, setScope] = useState<string>('');
  const [windowMs, setWindowMs] = useState<number>(WINDOWS[2].ms);
  const [state, setState] = useState<State>({ phase: 'idle' });
  const area = useRef<HTMLTextAreaElement>(null);
  const exportNow = async () => {
    setState({ phase: 'loading' });
    const since = new Date(Date.now() - windowMs).toISOString();
    const result = await api.exportIncidentTimeline({ ...(scope ? { deploymentId: scope as DeploymentId } : {}), since });
    if (!result.ok) {
      setState({ phase: 'error', message: `${result.error.code}: ${result.error.message}` });
      return;
    }
    const markdown = result.value.markdown;
    let copied: 'yes' | 'no' | 'unavailable' = 'unavailable';
    let why: string | null = null;
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(markdown);
        copied = 'yes';
      } catch (error) {
        copied = 'no';
        why = (error as Error).message;
      }
    }
    setState({ phase: 'done', markdown, copied, why });
    requestAnimationFrame(() => area.current?.select());
  };
  return (
    <section className="incident-export" aria-label="Incident timeline export">
      <div className="incident-export-row">
        <label>
          Deployment{' '}
          <select value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="">all deployments</option>
            {deployments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
                {d.id === selected ? ' (selected)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Window{' '}
          <select value={windowMs} onChange={(e) => setWindowMs(Number(e.target.value))}>
            {WINDOWS.map((w) => (
              <option key={w.ms} value={w.ms}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        {/* aria-disabled, not disabled, while it runs: a focused button that becomes disabled drops focus to the page's body */}
        <button
          type="button"
          aria-disabled={state.phase === 'loading'}
          onClick={() => {
            if (state.phase !== 'loading') void exportNow();
          }}
        >
          {state.phase === 'loading' ? 'Exporting…' : 'Export incident timeline'}
        </button>
      </div>
      {state.phase === 'error' ? (
        <p role="alert" className="notice notice-error">
          export failed: {state.message}
        </p>
      ) : null}
      {state.phase === 'done' ? (
        <>
          <p role="status" aria-label="Export status" className="notice">
            {state.copied === 'yes'
              ? 'Copied to the clipboard as Markdown (secrets redacted). It is also below.'
              : `Not copied (${state.copied === 'no' ? `clipboard refused: ${state.why}` : 'no clipboard on this page'}): the Markdown below is selected, press Ctrl+C.`}
          </p>
          <textarea
            ref={area}
            className="incident-markdown"
            aria-label="Incident timeline Markdown"
            readOnly
            value={state.markdown}
            rows={18}
            spellCheck={false}
          />
        </>
      ) : null}
    </section>
  );
}
