// The preview phase: what main will run (its rendered command, its hosts, its risk and, for a
// destructive action, what there is to lose) and the confirmation: a button, or the typed word.
import { useEffect, useRef, useState } from 'react';
import type { Preview } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { duration } from '../status/format';
import { useNow } from '../status/useNow';
import { canConfirm, closeDialog, confirmRun } from '../store/actions';
import { RiskBadge } from './RiskBadge';

export function PreviewBody({ preview, submitting, error }: { preview: Preview; submitting: boolean; error: string | null }) {
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
            <input
              ref={input}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-label={`Type ${preview.confirmation.text} to confirm`}
            />
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
