// issue 5: connect a host again from the views (Retry / Connect). A host refused for a key, a
// cancelled or mistyped passphrase or a refused host key stays failed until someone asks; main
// then asks again whatever question stood in the way (the passphrase dialog comes back).
import { useEffect, useState } from 'react';
import type { ConnectionState } from '../../../common/contract';
import { useFocusHandoff } from '../a11y/useFocusHandoff';
import { useApi } from '../api/ApiContext';

/** The control's word for a state, or null when there is nothing to do. */
export function connectWord(c: ConnectionState | undefined): string | null {
  if (!c || c.state === 'failed') return c ? 'Retry' : null;
  if (c.state === 'idle') return 'Connect';
  // a frozen link: give it up for a new connection now rather than wait for the keepalive
  if (c.state === 'unresponsive') return 'Reconnect';
  if (c.state === 'connecting' && c.nextRetryAt) return 'Retry now';
  return null;
}

/**
 * What the control shows: connectWord's word, or, while the connect this control started is
 * still under way, "Connecting" (a control that cannot be pressed again yet). `pressedOn` is the
 * state the user pressed it in; null: not pressed.
 */
export function connectControl(c: ConnectionState | undefined, pressedOn: ConnectionState | undefined | null): { word: string; waiting: boolean } | null {
  const word = connectWord(c);
  // a retriable failure (connecting, next try scheduled) is an outcome too: "Retry now" is live again
  const waiting = pressedOn !== null && (c === pressedOn || (c?.state === 'connecting' && !c.nextRetryAt));
  if (word) return { word, waiting };
  return waiting ? { word: 'Connecting', waiting } : null;
}

/**
 * `focusNext(near)`: where focus goes when the button leaves the page while it has it, which is
 * what success looks like (the host connected): the host's name in the same row or view. `near`
 * is what held the button and is still there (useFocusHandoff).
 */
export function ConnectHostButton({
  hostId,
  label,
  conn,
  focusNext,
}: {
  hostId: string;
  label: string;
  conn: ConnectionState | undefined;
  focusNext: (near: HTMLElement | null) => HTMLElement | null | undefined;
}) {
  const api = useApi();
  const handoff = useFocusHandoff(focusNext);
  // The button stays on the page, focused, until the connect it started has an outcome: a
  // question that connect asks (passphrase, host key) closes with focus back here, not on the
  // page's body, and a keyboard user carries on from the host they were on (docs/keyboard.md).
  const [pressedOn, setPressedOn] = useState<ConnectionState | undefined | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const control = connectControl(conn, pressedOn);
  useEffect(() => {
    if (pressedOn !== null && !control?.waiting) setPressedOn(null);
  }, [pressedOn, control?.waiting]);
  if (!control) return null;
  return (
    <>
      <button
        ref={handoff}
        className="ssh-connect"
        // aria-disabled, not disabled: a disabled button drops focus to the page's body
        aria-disabled={control.waiting}
        aria-label={`${control.word} SSH to ${label}`}
        onClick={() => {
          if (control.waiting) return;
          setPressedOn(conn);
          void api.connectHost({ hostId }).then((r) => {
            setRefusal(r.ok ? null : r.error.message);
            // not started (already connecting, or gone): nothing to wait for
            if (!r.ok || !r.value.started) setPressedOn(null);
          });
        }}
      >
        {control.word}
      </button>
      {refusal ? (
        <span role="alert" className="ssh-message">
          {refusal}
        </span>
      ) : null}
    </>
  );
}
