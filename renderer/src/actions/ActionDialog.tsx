// Preview -> confirm -> run. The dialog shows exactly what main will run (its rendered
// command, its hosts, its risk, and for a destructive action what is there to lose) and sends
// back only the preview token, so what runs is what the engineer saw. While running: one
// progress row and one virtualized output view per host; once every host succeeded, the
// catalog's follow-up (a restart after a config edit) is offered as a new preview.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Preview } from '../../../common/contract';
import { focusLost, useFocusHandoff } from '../a11y/useFocusHandoff';
import { useModal } from '../a11y/useModal';
import { useApi } from '../api/ApiContext';
import { duration } from '../status/format';
import { useNow } from '../status/useNow';
import { cancelActiveRun, canConfirm, closeDialog, confirmRun, loadAudit, runFinished, startPreview } from '../store/actions';
import type { HostRun, RunView } from '../store/slices';
import { useStore } from '../store/useStore';
import { loadCatalog, useActionsStore } from './actionsStore';
import { describeWithParams } from './paramForm';
import { RiskBadge } from './RiskBadge';
import { VirtualOutput } from './VirtualOutput';
import './actions.css';

function hostStatusText(run: HostRun | undefined): string {
  if (!run) return 'queued';
  // settled later by checking the host: say so, so it is never mistaken for an exit status
  if (run.settled) return `${run.state === 'succeeded' ? '●' : '■'} ${run.settled}, after the outcome was unknown`;
  if (run.state === 'unknown') return `? unknown, no exit status${run.error ? `: ${run.error}` : ''}`;
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
      {preview.precheck ? (
        <section className={`precheck precheck-${preview.risk}`} aria-label={preview.precheck.label}>
          <h3>
            {preview.precheck.label} <span className="muted">(checked on the host just now; nothing has run yet)</span>
          </h3>
          {preview.precheck.hosts.map((c) => (
            <pre key={c.hostId} className={c.ok ? undefined : 'stderr'}>
              {preview.hosts.length > 1 ? `${preview.hosts.find((h) => h.id === c.hostId)?.label ?? c.hostId}: ` : ''}
              {c.text || '(no output)'}
            </pre>
          ))}
        </section>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (allowed) void confirmRun(api, typed);
        }}
      >
        {preview.confirmation.kind === 'typed' ? (
          <label className="typed">
            <span>
              Type <code>{preview.confirmation.text}</code> to confirm{preview.hosts.length > 1 ? ` on all ${preview.hosts.length} hosts` : ''}
            </span>
            <input ref={input} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} aria-label={`Type ${preview.confirmation.text} to confirm`} />
          </label>
        ) : null}
        {error ? (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        ) : null}
        <div className="buttons">
          {/* aria-disabled, not disabled: a focused button that becomes disabled drops focus to the
              page's body (pressed Confirm while it starts the run; Confirm when the preview expires) */}
          <button
            type="button"
            aria-disabled={submitting}
            onClick={() => {
              if (!submitting) closeDialog();
            }}
          >
            Cancel
          </button>
          <button ref={confirm} type="submit" className={`confirm confirm-${preview.risk}`} aria-disabled={!allowed}>
            {submitting ? 'Starting…' : 'Confirm'}
          </button>
        </div>
      </form>
    </>
  );
}

function ProgressTable({ preview, run }: { preview: Preview; run: RunView | undefined }) {
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
              <th scope="col" className="num">Exit code</th>
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

function FollowUpOffer({ preview }: { preview: Preview }) {
  const api = useApi();
  const catalog = useActionsStore((s) => s.catalog);
  useEffect(() => {
    void loadCatalog(api);
  }, [api]);
  const followUp = catalog?.find((a) => a.id === preview.actionId)?.followUp;
  const target = followUp ? catalog?.find((a) => a.id === followUp.actionId) : undefined;
  if (!followUp || !target) return null;
  const what = describeWithParams(target.title, followUp.params);
  const where = preview.hosts.length === 1 ? preview.hosts[0]!.label : `the same ${preview.hosts.length} hosts`;
  return (
    <section className="follow-up" aria-label="Follow-up">
      <p>
        Next: {what} on {where} now?
      </p>
      <button
        type="button"
        onClick={() => void startPreview(api, target.title, { actionId: target.id, params: followUp.params, hostIds: preview.hosts.map((h) => h.id) })}
      >
        Preview follow-up
      </button>
    </section>
  );
}

function RunBody({ preview, runId, cancelling, cancelError }: { preview: Preview; runId: string; cancelling: boolean; cancelError: string | null }) {
  const api = useApi();
  const run = useStore((s) => s.runs[runId]);
  const hostIds = preview.hosts.map((h) => h.id as string);
  const finished = runFinished(run, hostIds);
  const allSucceeded = finished && hostIds.every((id) => run?.hosts[id]?.state === 'succeeded');
  const wasFinished = useRef(false);
  const close = useRef<HTMLButtonElement>(null);
  // Cancel run goes once the run has stopped: Close (enabled by then) takes focus, Enter closes
  const cancelHandoff = useFocusHandoff<HTMLButtonElement>(() => close.current);
  useEffect(() => {
    // A finished run has new audit records; refresh the list so the Audit tab is current.
    if (finished && !wasFinished.current) {
      void loadAudit(api);
      // Enter now closes, unless the engineer is reading the output (focus in the log)
      const active = document.activeElement;
      if (focusLost() || active?.getAttribute('role') === 'dialog') close.current?.focus();
    }
    wasFinished.current = finished;
  }, [finished, api]);
  // One host gets a tall view; a fan-out's views share the dialog.
  const height = preview.hosts.length === 1 ? 360 : preview.hosts.length <= 3 ? 220 : 140;
  const commandLines = preview.command.split('\n');
  return (
    <>
      {commandLines.length > 3 ? (
        // a long script would push the progress and the follow-up out of sight: fold it
        <details className="run-command">
          <summary>
            Command: <code>{commandLines[0]!.slice(0, 80)}</code> … ({commandLines.length} lines)
          </summary>
          <pre className="command" aria-label="Command">
            {preview.command}
          </pre>
        </details>
      ) : (
        <pre className="command" aria-label="Command">
          {preview.command}
        </pre>
      )}
      <ProgressTable preview={preview} run={run} />
      {allSucceeded ? <FollowUpOffer preview={preview} /> : null}
      <section aria-label="Output" className="output">
        {preview.hosts.map((h) => {
          const host = run?.hosts[h.id];
          return (
            <div key={h.id} className="output-host">
              <p className={`run-status run-${host?.state ?? 'queued'}`} role="status" aria-label={`${h.label} status`}>
                <strong>{h.label}</strong> {hostStatusText(host)}
              </p>
              <VirtualOutput label={h.label} host={host} height={height} />
            </div>
          );
        })}
      </section>
      {cancelError ? <p className="notice notice-error">cancel: {cancelError}</p> : null}
      <div className="buttons">
        {finished ? null : (
          <button
            ref={cancelHandoff}
            type="button"
            aria-disabled={cancelling}
            onClick={() => {
              if (!cancelling) void cancelActiveRun(api);
            }}
          >
            {cancelling ? 'Cancelling…' : 'Cancel run'}
          </button>
        )}
        <button ref={close} type="button" onClick={closeDialog} disabled={!finished} title={finished ? undefined : 'the run is still going: cancel it or wait'}>
          Close
        </button>
      </div>
    </>
  );
}

export function ActionDialog() {
  const dialog = useStore(useShallow((s) => s.dialog));
  const box = useRef<HTMLDivElement>(null);
  // Escape is Cancel: before the run nothing has been sent; a running run is not cancelled by a
  // stray Escape (that is the "Cancel run" button's job), a finished one just closes.
  useModal(box, dialog !== null, () => {
    const now = useStore.getState().dialog;
    if (!now) return;
    if (now.phase === 'preview' && now.submitting) return; // the run is being started: too late to cancel
    if (now.phase !== 'run') return closeDialog();
    if (runFinished(useStore.getState().runs[now.runId], now.preview.hosts.map((h) => h.id as string))) closeDialog();
  });
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
    <div className="overlay">
      <div ref={box} role="dialog" aria-modal="true" aria-label={name} className="dialog" tabIndex={-1}>
        <h2>{name}</h2>
        {body}
      </div>
    </div>
  );
}
