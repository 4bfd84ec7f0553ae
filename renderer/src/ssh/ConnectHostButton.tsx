// issue 5: connect a host again from the views (Retry / Connect). A host refused for a key, a
// cancelled or mistyped passphrase or a refused host key stays failed until someone asks; main
// then asks again whatever question stood in the way (the passphrase dialog comes back).
import { useState } from 'react';
import type { ConnectionState } from '../../../common/contract';
import { useApi } from '../api/ApiContext';

/** The control's word for a state, or null when there is nothing to do. */
export function connectWord(c: ConnectionState | undefined): string | null {
  if (!c || c.state === 'failed') return c ? 'Retry' : null;
  if (c.state === 'idle') return 'Connect';
  if (c.state === 'connecting' && c.nextRetryAt) return 'Retry now';
  return null;
}

export function ConnectHostButton({ hostId, label, conn }: { hostId: string; label: string; conn: ConnectionState | undefined }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const word = connectWord(conn);
  if (!word) return null;
  return (
    <>
      <button
        className="ssh-connect"
        disabled={busy}
        aria-label={`${word} SSH to ${label}`}
        onClick={() => {
          setBusy(true);
          void api.connectHost({ hostId }).then((r) => {
            setBusy(false);
            setRefusal(r.ok ? null : r.error.message);
          });
        }}
      >
        {word}
      </button>
      {refusal ? (
        <span role="alert" className="ssh-message">
          {refusal}
        </span>
      ) : null}
    </>
  );
}
