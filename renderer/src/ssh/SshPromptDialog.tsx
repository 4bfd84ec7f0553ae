// The questions SSH asks: a key's passphrase, an unknown host key, a changed host key.
// The passphrase lives in this component's state only until it is sent, once, to main; main
// never sends it back. A changed key is refused unless the host name is typed (main checks it too).
import { useEffect, useRef, useState } from 'react';
import type { SshPrompt } from '../../../common/contract';
import { useModal } from '../a11y/useModal';
import { useApi } from '../api/ApiContext';
import './ssh.css';

/** ssh's words for a key type in its "key fingerprint is" line */
const keyWord = (keyType: string): string =>
  keyType === 'ssh-ed25519' ? 'ED25519' : keyType.startsWith('ecdsa') ? 'ECDSA' : keyType.startsWith('rsa') || keyType === 'ssh-rsa' ? 'RSA' : keyType;
const hostName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

export function SshPromptDialog() {
  const api = useApi();
  const [prompts, setPrompts] = useState<SshPrompt[]>([]);
  useEffect(() => {
    let live = true;
    // a question asked before this view opened (start-up connects) arrives through the list
    void api.listSshPrompts({}).then((r) => live && r.ok && setPrompts(r.value.prompts));
    const off = api.on('onSshPrompt', (p) => setPrompts(p.prompts));
    return () => {
      live = false;
      off();
    };
  }, [api]);
  // a passphrase first: one key often opens many hosts, and host-key questions wait behind it
  const prompt = prompts.find((p) => p.kind === 'passphrase') ?? prompts[0];
  if (!prompt) return null;
  return (
    <div className="overlay ssh-overlay">
      {prompt.kind === 'passphrase' ? (
        <Passphrase key={prompt.promptId} prompt={prompt} />
      ) : prompt.kind === 'host-key-unknown' ? (
        <UnknownKey key={prompt.promptId} prompt={prompt} />
      ) : (
        <ChangedKey key={prompt.promptId} prompt={prompt} />
      )}
    </div>
  );
}

// While an answer is on its way the buttons are aria-disabled, not disabled (a focused button
// that becomes disabled drops focus to the page's body), so `send` itself refuses a second one.
function useAnswer() {
  const api = useApi();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);
  const send = async (request: Parameters<typeof api.answerSshPrompt>[0]) => {
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    const r = await api.answerSshPrompt(request);
    sending.current = false;
    setBusy(false);
    if (!r.ok) setMessage(r.error.message);
    else if (!r.value.accepted) setMessage(r.value.message);
  };
  return { message, busy, send };
}

function Passphrase({ prompt }: { prompt: Extract<SshPrompt, { kind: 'passphrase' }> }) {
  const { message, busy, send } = useAnswer();
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLFormElement>(null);
  useEffect(() => input.current?.focus(), []);
  // Escape is Cancel: the key stays locked, nothing is sent but the refusal
  useModal(box, true, () => {
    if (!busy) void send({ promptId: prompt.promptId, decision: 'refuse' });
  });
  const name = `Passphrase for ${prompt.keyPath}`;
  return (
    <form
      ref={box}
      tabIndex={-1}
      role="dialog"
      aria-modal="true"
      aria-label={name}
      className="dialog"
      onSubmit={(e) => {
        e.preventDefault();
        if (busy) return; // the answer before is still on its way: keep what was typed
        const value = input.current?.value ?? '';
        // cleared before sending: the secret is not kept in the page
        if (input.current) input.current.value = '';
        void send({ promptId: prompt.promptId, passphrase: value });
      }}
    >
      <h2>{name}</h2>
      <p>
        {prompt.hostId ? `Connecting to ${prompt.hostId} needs` : 'A connection needs'} the key <code>{prompt.keyPath}</code>, which is encrypted.
        {prompt.remember
          ? " The passphrase is kept for the next session too, encrypted by your operating system's keychain (ssh.rememberPassphrases); it is never written in clear."
          : " The passphrase stays in the console's memory for this session; it is never written to disk."}
      </p>
      {prompt.retry ? <p role="alert">That passphrase was wrong. Try again.</p> : null}
      <label className="ssh-field">
        Passphrase
        <input ref={input} type="password" autoComplete="off" spellCheck={false} />
      </label>
      <div className="ssh-buttons">
        <button type="submit" aria-disabled={busy}>
          Unlock
        </button>
        <button type="button" aria-disabled={busy} onClick={() => void send({ promptId: prompt.promptId, decision: 'refuse' })}>
          Cancel
        </button>
      </div>
      {message ? (
        <p role="alert" className="ssh-message">
          {message}
        </p>
      ) : null}
    </form>
  );
}

function UnknownKey({ prompt }: { prompt: Extract<SshPrompt, { kind: 'host-key-unknown' }> }) {
  const { message, busy, send } = useAnswer();
  const box = useRef<HTMLDivElement>(null);
  // Escape is Refuse: an unknown key is never trusted by a stray key press
  useModal(box, true, () => {
    if (!busy) void send({ promptId: prompt.promptId, decision: 'refuse' });
  });
  const name = `Unknown host key for ${hostName(prompt.host, prompt.port)}`;
  return (
    <div ref={box} tabIndex={-1} role="dialog" aria-modal="true" aria-label={name} className="dialog">
      <h2>{name}</h2>
      <p>
        The authenticity of host &apos;{hostName(prompt.host, prompt.port)}&apos;{prompt.hostId ? ` (${prompt.hostId})` : ''} can&apos;t be established.
        <br />
        {keyWord(prompt.keyType)} key fingerprint is:
      </p>
      <p className="ssh-fingerprint" aria-label="Fingerprint">
        {prompt.fingerprint}
      </p>
      <p>
        Compare it with the fingerprint from the host&apos;s owner (for example <code>ssh-keygen -lf</code> on the host) before trusting it.
      </p>
      <div className="ssh-buttons">
        <button aria-disabled={busy} onClick={() => void send({ promptId: prompt.promptId, decision: 'trust' })} title={`adds it to ${prompt.knownHostsPath}`}>
          Trust
        </button>
        <button
          aria-disabled={busy}
          onClick={() => void send({ promptId: prompt.promptId, decision: 'accept-once' })}
          title="connect this session only; nothing is written"
        >
          Accept once
        </button>
        <button aria-disabled={busy} onClick={() => void send({ promptId: prompt.promptId, decision: 'refuse' })}>
          Refuse
        </button>
      </div>
      {message ? (
        <p role="alert" className="ssh-message">
          {message}
        </p>
      ) : null}
    </div>
  );
}

function ChangedKey({ prompt }: { prompt: Extract<SshPrompt, { kind: 'host-key-changed' }> }) {
  const { message, busy, send } = useAnswer();
  const [typed, setTyped] = useState('');
  const refuse = useRef<HTMLButtonElement>(null);
  // refusing is the default: focus lands on it, so Enter never accepts a changed key
  useEffect(() => refuse.current?.focus(), []);
  const box = useRef<HTMLDivElement>(null);
  useModal(box, true, () => {
    if (!busy) void send({ promptId: prompt.promptId, decision: 'refuse' });
  });
  const name = `Host key CHANGED for ${hostName(prompt.host, prompt.port)}`;
  return (
    <div ref={box} tabIndex={-1} role="alertdialog" aria-modal="true" aria-label={name} className="dialog ssh-changed">
      <h2>⚠ {name}</h2>
      <p className="ssh-warning">
        WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! Someone could be eavesdropping on you right now (a man-in-the-middle attack), or the host key was
        replaced. The connection is refused.
      </p>
      <p>Presented {keyWord(prompt.keyType)} key fingerprint:</p>
      <p className="ssh-fingerprint" aria-label="Presented fingerprint">
        {prompt.fingerprint}
      </p>
      <p>Pinned in {prompt.knownHostsPath}:</p>
      <ul aria-label="Pinned keys">
        {prompt.expected.map((e) => (
          <li key={e.line} className="ssh-fingerprint">
            line {e.line}: {keyWord(e.keyType)} {e.fingerprint}
          </li>
        ))}
      </ul>
      <p>Only if you know the key was replaced on purpose, type the host name to replace the pinned key.</p>
      <label className="ssh-field">
        {`Type ${prompt.host} to replace the pinned key`}
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
      </label>
      <div className="ssh-buttons">
        <button ref={refuse} aria-disabled={busy} onClick={() => void send({ promptId: prompt.promptId, decision: 'refuse' })}>
          Refuse
        </button>
        <button
          aria-disabled={busy || typed === ''}
          onClick={() => typed !== '' && void send({ promptId: prompt.promptId, decision: 'replace', typedHost: typed })}
        >
          Replace pinned key
        </button>
      </div>
      {message ? (
        <p role="alert" className="ssh-message">
          {message}
        </p>
      ) : null}
    </div>
  );
}
