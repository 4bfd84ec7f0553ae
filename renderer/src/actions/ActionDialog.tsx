// Preview -> confirm -> run, in one modal. The dialog shows exactly what main will run
// (PreviewBody) and sends back only the preview token, so what runs is what the engineer saw;
// while running, RunBody shows each host's progress and output. This file is the frame: the
// phase, the dialog's name, and what Escape does in each phase.
import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useModal } from '../a11y/useModal';
import { useApi } from '../api/ApiContext';
import { dockRun } from '../dock/dockStore';
import { findAction, loadCatalog } from './actionsStore';
import { closeDialog, runFinished } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { PreviewBody } from './PreviewBody';
import { RunBody } from './RunBody';
import './actions.css';

export function ActionDialog() {
  const dialog = useAppStore(useShallow((s) => s.dialog));
  const box = useRef<HTMLDivElement>(null);
  const api = useApi();
  // A follow (journal, log) runs until cancelled: it goes to the follow dock, beside the panels,
  // instead of holding the page in this modal.
  const runId = dialog?.phase === 'run' ? dialog.runId : null;
  useEffect(() => {
    const now = useAppStore.getState().dialog;
    if (!runId || now?.phase !== 'run') return;
    const { preview } = now;
    void loadCatalog(api).then(() => {
      const still = useAppStore.getState().dialog;
      if (!findAction(preview.actionId)?.streams || still?.phase !== 'run' || still.runId !== runId) return;
      dockRun(
        runId,
        `${preview.title}: ${preview.hosts.map((h) => h.label).join(', ')}`,
        preview.hosts.map((h) => ({ id: h.id as string, label: h.label })),
      );
      closeDialog();
    });
  }, [api, runId]);
  // Escape is Cancel: before the run nothing has been sent; a running run is not cancelled by a
  // stray Escape (that is the "Cancel run" button's job), a finished one just closes.
  useModal(box, dialog !== null, () => {
    const now = useAppStore.getState().dialog;
    if (!now) return;
    if (now.phase === 'preview' && now.submitting) return; // the run is being started: too late to cancel
    if (now.phase !== 'run') return closeDialog();
    if (
      runFinished(
        useAppStore.getState().runs[now.runId],
        now.preview.hosts.map((h) => h.id as string),
      )
    )
      closeDialog();
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
