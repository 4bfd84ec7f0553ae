// Preview -> confirm -> run. The dialog shows exactly what main will run (its rendered
// command, its hosts, its risk) and sends back only the preview token, so what runs is what
// the engineer saw.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Preview } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { duration } from '../status/format';
import { useNow } from '../status/useNow';
import { cancelActiveRun, canConfirm, closeDialog, confirmRun, FINISHED, loadAudit, runFinished } from '../store/actions';
import type { HostRun } from '../store/slices';
import { useStore } from '../store/useStore';

function RiskBadge({ risk }: { risk: Preview['risk'] }) {
  const shape = risk === 'destructive' ? '■' : risk === 'service-affecting' ? '▲' : '●';
  return (
    <span className={`risk risk-${risk}`} aria-label={`risk: ${risk}`}>
      <span aria-hidden="true">{shape}</span> {risk}
    </span>
  );
}

function hostStatusText(run: HostRun | undefined): string {
  if (!run) return 'queued';
  if (run.state === 'succeeded' || run.state === 'failed') {
    const exit = run.exitCode === null ? 'no exit code' : `exit ${run.exitCode}`;
    return `${run.state === 'succeeded' ? '●' : '■'} ${run.state}, ${exit}${run.error ? `: ${run.error}` : ''}`;
  }
  if (run.state === 'cancelled') return `◌ cancelled${run.exitCode !== null ? `, exit ${run.exitCode}` : ''}${run.error ? `: ${run.error}` : ''}`;
  return run.state === 'running' ? '… running' : '… queued';
}

function PreviewBody({ preview, submitting, error }: { preview: Preview; submitting: boolean; error: string | null }) {
  const api = useApi();
  const now = useNow(1000);
  const [typed, setTyped] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    (preview.confirmation.kind === 'typed' ? input.current : confirm.current)?.focus();
  }, [preview]);
  const expiresIn = (Date.parse(preview.expiresAt) - now) / 1000;
  const allowed = canConfirm(preview, typed, now) && !submitting;
  return (
    <>
      <dl className="preview-facts">
        <dt>Risk</dt>
        <dd>
          <RiskBadge risk={preview.risk} />
        </dd>
        <dt>Hosts</dt>
        <dd>
          <ul aria-label="Target hosts" className="inline-list">
            {preview.hosts.map((h) => (
              <li key={h.id}>{h.label}</li>
            ))}
          </ul>
        </dd>
        <dt>Expires</dt>
        <dd>{expiresIn > 0 ? `in ${duration(expiresIn)}` : 'expired: close and preview again'}</dd>
      </dl>
      <p className="label">Command (exactly as each host will run it)</p>
      <pre className="command" aria-label="Command">
        {preview.command}
      </pre>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (allowed) void confirmRun(api, typed);
        }}
      >
        {preview.confirmation.kind === 'typed' ? (
          <label className="typed">
            Type <code>{preview.confirmation.text}</code> to confirm
            <input ref={input} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} aria-label={`Type ${preview.confirmation.text} to confirm`} />
          </label>
        ) : null}
        {error ? (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        ) : null}
        <div className="buttons">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
          <button ref={confirm} type="submit" className={`confirm confirm-${preview.risk}`} disabled={!allowed}>
            {submitting ? 'Starting…' : 'Confirm'}
          </button>
        </div>
      </form>
    </>
  );
}

function RunBody({ preview, runId, cancelling, cancelError }: { preview: Preview; runId: string; cancelling: boolean; cancelError: string | null }) {
  const api = useApi();
  const run = useStore((s) => s.runs[runId]);
  const hostIds = preview.hosts.map((h) => h.id as string);
  const finished = runFinished(run, hostIds);
  const wasFinished = useRef(false);
  useEffect(() => {
    // A finished run has new audit records; refresh the list so the Audit tab is current.
    if (finished && !wasFinished.current) void loadAudit(api);
    wasFinished.current = finished;
  }, [finished, api]);
  return (
    <>
      <pre className="command" aria-label="Command">
        {preview.command}
      </pre>
      <section aria-label="Output" className="output">
        {preview.hosts.map((h) => {
          const host = run?.hosts[h.id];
          const done = host ? FINISHED.has(host.state) : false;
          return (
            <div key={h.id} className="output-host">
              <p className={`run-status run-${host?.state ?? 'queued'}`} role="status" aria-label={`${h.label} status`}>
                <strong>{h.label}</strong> {hostStatusText(host)}
              </p>
              <pre className="output-text" aria-label={`Output from ${h.label}`} data-done={done}>
                {host && host.trimmedChars > 0 ? <span className="muted">[{host.trimmedChars} earlier characters not kept]\n</span> : null}
                {host?.output.map((chunk, i) => (
                  <span key={i} className={chunk.stream === 'stderr' ? 'stderr' : undefined}>
                    {chunk.text}
                  </span>
                ))}
                {host && host.droppedLines > 0 ? <span className="muted">{`\n[${host.droppedLines} lines dropped by the console to keep up]`}</span> : null}
              </pre>
            </div>
          );
        })}
      </section>
      {cancelError ? <p className="notice notice-error">cancel: {cancelError}</p> : null}
      <div className="buttons">
        {finished ? null : (
          <button type="button" onClick={() => void cancelActiveRun(api)} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel run'}
          </button>
        )}
        <button type="button" onClick={closeDialog} disabled={!finished} title={finished ? undefined : 'the run is still going: cancel it or wait'}>
          Close
        </button>
      </div>
    </>
  );
}

/** While the dialog is open the rest of the page is inert: Tab cannot wander behind it. */
function useInertSiblings(overlay: React.RefObject<HTMLDivElement | null>, open: boolean): void {
  useEffect(() => {
    const node = overlay.current;
    if (!open || !node?.parentElement) return;
    const siblings = Array.from(node.parentElement.children).filter((el): el is HTMLElement => el !== node && el instanceof HTMLElement && !el.inert);
    for (const el of siblings) el.inert = true;
    return () => {
      for (const el of siblings) el.inert = false;
    };
  }, [overlay, open]);
}

export function ActionDialog() {
  const dialog = useStore(useShallow((s) => s.dialog));
  const overlay = useRef<HTMLDivElement>(null);
  useInertSiblings(overlay, dialog !== null);
  useEffect(() => {
    if (!dialog || dialog.phase === 'run') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeDialog();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dialog]);
  if (!dialog) return null;
  let name: string;
  let body: React.ReactNode;
  switch (dialog.phase) {
    case 'loading':
      name = `Preview: ${dialog.title}`;
      body = <p className="notice">asking the console to render the command…</p>;
      break;
    case 'preview-error':
      name = `Preview: ${dialog.title}`;
      body = (
        <>
          <p role="alert" className="notice notice-error">
            Preview refused: {dialog.message}
          </p>
          <div className="buttons">
            <button type="button" onClick={closeDialog}>
              Close
            </button>
          </div>
        </>
      );
      break;
    case 'preview':
      name = `Preview: ${dialog.preview.title}`;
      body = <PreviewBody key={dialog.preview.token} preview={dialog.preview} submitting={dialog.submitting} error={dialog.error} />;
      break;
    case 'run':
      name = `Run: ${dialog.preview.title}`;
      body = <RunBody preview={dialog.preview} runId={dialog.runId} cancelling={dialog.cancelling} cancelError={dialog.cancelError} />;
      break;
  }
  return (
    <div className="overlay" ref={overlay}>
      <div role="dialog" aria-modal="true" aria-label={name} className="dialog">
        <h2>{name}</h2>
        {body}
      </div>
    </div>
  );
}
