// The run phase: progress per host, one virtualized output view per host, cancel, close.
import { useEffect, useRef } from 'react';
import type { Preview } from '../../../common/contract';
import { focusLost, useFocusHandoff } from '../a11y/useFocusHandoff';
import { useApi } from '../api/ApiContext';
import { cancelActiveRun, closeDialog, loadAudit, returnToPanel, runFinished } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { plural } from '../status/format';
import { FollowUpOffer } from './FollowUpOffer';
import { hostStatusText, RunProgress } from './RunProgress';
import { VirtualOutput } from './VirtualOutput';

export function RunBody({ preview, runId, cancelling, cancelError }: { preview: Preview; runId: string; cancelling: boolean; cancelError: string | null }) {
  const api = useApi();
  const run = useAppStore((s) => s.runs[runId]);
  const returnTo = useAppStore((s) => s.returnTo);
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
            Command: <code>{commandLines[0]!.slice(0, 80)}</code> … ({plural(commandLines.length, 'line')})
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
      <RunProgress preview={preview} run={run} />
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
        {finished && returnTo ? (
          <button type="button" className="confirm" onClick={returnToPanel}>
            Back to {returnTo.label}
          </button>
        ) : null}
      </div>
    </>
  );
}
