// "Import hosts from ~/.ssh/config": the aliases of the user's ssh_config, grouped by
// the Host patterns that apply to them, picked with checkboxes and appended to the Opsdeck
// config by main (comments kept). Main applies the config at once: the new hosts appear and
// connect (onFleet), or the note says why only a restart can (the demo fleet).
import { useEffect, useMemo, useRef, useState } from 'react';
import { useFocusHandoff } from '../a11y/useFocusHandoff';
import { useModal } from '../a11y/useModal';
import type { CallResponse } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { useAppStore } from '../store/appStore';
import './ssh.css';

type Listing = CallResponse<'listSshConfigHosts'>;
const TITLE = 'Import hosts from ~/.ssh/config';
const NO_DEPLOYMENTS: NonNullable<ReturnType<typeof useAppStore.getState>['fleet']>['deployments'] = [];
/** Why the demo's deployment is not offered as a target. */
export const DEMO_TARGET_NOTE =
  'The demo deployment exists only while your config names no hosts, so it cannot take them: the hosts are added to your config and replace the demo on the next start.';

export function ImportSshHostsButton() {
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const demo = useAppStore((s) => s.fleet?.demo ?? false);
  return (
    <>
      <button
        ref={opener}
        className="ssh-import-open"
        onClick={() => setOpen(true)}
        title={demo ? 'adds them to your config; the demo fleet is replaced after a restart' : undefined}
      >
        {TITLE}
      </button>
      {open ? <ImportDialog onClose={() => setOpen(false)} opener={() => opener.current} /> : null}
    </>
  );
}

function ImportDialog({ onClose, opener }: { onClose: () => void; opener: () => HTMLElement | null }) {
  const api = useApi();
  const box = useRef<HTMLDivElement>(null);
  // Escape is Cancel: nothing is written to the config until "Import N hosts"
  useModal(box, true, onClose, opener);
  // the demo's deployment is not in the config file the hosts are written to: it cannot take them
  const demo = useAppStore((s) => s.fleet?.demo ?? false);
  const deployments = useAppStore((s) => (s.fleet && !s.fleet.demo ? s.fleet.deployments : NO_DEPLOYMENTS));
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [deploymentId, setDeploymentId] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    void api.listSshConfigHosts({}).then((r) => live && (r.ok ? setListing(r.value) : setError(r.error.message)));
    return () => {
      live = false;
    };
  }, [api]);
  const groups = useMemo(() => {
    const byGroup = new Map<string, Listing['hosts']>();
    for (const h of listing?.hosts ?? []) {
      const g = h.groups[0] ?? 'no pattern';
      byGroup.set(g, [...(byGroup.get(g) ?? []), h]);
    }
    return [...byGroup];
  }, [listing]);
  const toggle = (alias: string) =>
    setPicked((p) => {
      const next = new Set(p);
      if (next.has(alias)) next.delete(alias);
      else next.add(alias);
      return next;
    });
  // Import is aria-disabled, not disabled, while it runs (a focused button that becomes disabled
  // drops focus); once done it goes, and Close, which stays, takes focus
  const close = useRef<HTMLButtonElement>(null);
  const importHandoff = useFocusHandoff<HTMLButtonElement>(() => close.current);
  const submit = async () => {
    if (busy || picked.size === 0) return;
    setBusy(true);
    setError(null);
    const r = await api.importSshHosts({ aliases: [...picked], ...(deploymentId ? { deploymentId } : {}) });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    setDone(`Added ${r.value.added.map((a) => a.hostId).join(', ')} to ${r.value.configPath} (previous version in ${r.value.backupPath}). ${r.value.note}`);
  };
  return (
    <div className="overlay ssh-overlay">
      <div ref={box} tabIndex={-1} role="dialog" aria-modal="true" aria-label={TITLE} className="dialog ssh-import">
        <h2>{TITLE}</h2>
        {listing ? <p className="muted">from {listing.configFile}</p> : error ? null : <p>reading the ssh config…</p>}
        {listing && listing.hosts.length === 0 ? <p>No concrete Host aliases in it.</p> : null}
        {groups.map(([group, hosts]) => (
          <fieldset key={group}>
            <legend>{group}</legend>
            {hosts.map((h) => (
              <label key={h.alias} className="host">
                <input type="checkbox" checked={picked.has(h.alias)} disabled={h.inFleet || !!h.error || !!done} onChange={() => toggle(h.alias)} /> {h.alias}{' '}
                {h.error ? (
                  <span className="muted">({h.error})</span>
                ) : (
                  <span className="muted">
                    ({h.user}@{h.hostName}:{h.port}){h.inFleet ? ' already in the config' : ''}
                  </span>
                )}
              </label>
            ))}
          </fieldset>
        ))}
        {deployments.length ? (
          <label className="ssh-field">
            Add to deployment
            <select value={deploymentId} onChange={(e) => setDeploymentId(e.target.value)} disabled={!!done}>
              <option value="">none</option>
              {deployments.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
        ) : demo ? (
          <p className="muted" aria-label="Deployment">
            {DEMO_TARGET_NOTE}
          </p>
        ) : null}
        {error ? <p role="alert">{error}</p> : null}
        {done ? <p role="status">{done}</p> : null}
        <div className="ssh-buttons">
          {!done ? (
            <button ref={importHandoff} aria-disabled={busy || picked.size === 0} onClick={() => void submit()}>
              {`Import ${picked.size} host${picked.size === 1 ? '' : 's'}`}
            </button>
          ) : null}
          <button ref={close} onClick={onClose}>
            {done ? 'Close' : 'Cancel'}
          </button>
        </div>
      </div>
    </div>
  );
}
