// The catalog browser: every action main lists, grouped by runbook section with its risk, a
// form generated from its ParamSpecs, a host picker over the selected deployment's hosts (several
// ticked = one fan-out run), and Preview, which opens the shared preview -> confirm -> run dialog.
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ActionSummary, ParamSpec } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { startPreview } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { RiskBadge } from './RiskBadge';
import { loadCatalog, selectAction, setHostIds, useActionsStore } from './actionsStore';
import { healthKey } from '../store/slices';
import { useHostsStore } from '../hosts/hostsStore';
import {
  groupBySection,
  hintFor,
  initialValues,
  liveChoices,
  missingRequired,
  requestValues,
  resolveValue,
  type FormValues,
  type LiveChoice,
} from './paramForm';
import './actions.css';
import { recordFrom } from '../../../common/emptyRecord';

const RISK_NOTE: Readonly<Record<ActionSummary['risk'], string>> = {
  'read-only': 'Changes nothing on the host; runs after the preview without a confirmation.',
  'service-affecting': 'Changes a running service: the preview needs a click on Confirm.',
  destructive: 'Removes data: the preview shows what is there and Confirm needs the exact text typed.',
};

function ParamField({ spec, value, choices, onChange }: { spec: ParamSpec; value: string; choices: readonly LiveChoice[]; onChange: (value: string) => void }) {
  const resolved = resolveValue(value, choices);
  const hint = hintFor(spec, resolved);
  const id = `param-${spec.name}`;
  const rule =
    spec.kind === 'integer'
      ? `whole number, ${spec.min ?? 0} to ${spec.max ?? '…'}${spec.default !== undefined ? `; default ${spec.default}` : ''}`
      : spec.kind === 'string'
        ? `must match ${spec.pattern ?? 'any text'}`
        : null;
  return (
    <div className="field">
      <label htmlFor={id}>{spec.label}</label>
      {spec.kind === 'enum' ? (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
          {(spec.choices ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : spec.kind === 'integer' ? (
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={spec.min}
          max={spec.max}
          step={1}
          value={value}
          placeholder={spec.default !== undefined ? String(spec.default) : undefined}
          aria-invalid={hint !== null}
          aria-describedby={`${id}-hint`}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <>
          <input
            id={id}
            type="text"
            value={value}
            spellCheck={false}
            autoComplete="off"
            list={choices.length ? `${id}-live` : undefined}
            aria-invalid={hint !== null}
            aria-describedby={`${id}-hint`}
            onChange={(e) => onChange(e.target.value)}
          />
          {choices.length ? (
            <datalist id={`${id}-live`}>
              {choices.map((c) => (
                <option key={c.value} value={c.label}>
                  {c.value}
                </option>
              ))}
            </datalist>
          ) : null}
        </>
      )}
      {choices.length && spec.kind !== 'enum' ? (
        <span className="hint" aria-label={`Live ${spec.label} values`}>
          live:{' '}
          {choices.map((c, i) => (
            <span key={c.value}>
              {i ? ', ' : ''}
              <button type="button" className="link-button" onClick={() => onChange(c.label)}>
                {c.label}
              </button>
            </span>
          ))}
          {resolved !== value ? <span className="muted"> · sends {resolved}</span> : null}
        </span>
      ) : null}
      {spec.kind === 'enum' && choices.length ? <span className="hint">on the chosen hosts: {choices.map((c) => c.label).join(', ')}</span> : null}
      {rule || hint ? (
        <span id={`${id}-hint`} className={hint ? 'hint hint-bad' : 'hint'}>
          {hint ?? rule}
        </span>
      ) : null}
    </div>
  );
}

function ActionForm({ action }: { action: ActionSummary }) {
  const api = useApi();
  const { fleet, deploymentId } = useAppStore(useShallow((s) => ({ fleet: s.fleet, deploymentId: s.selectedDeploymentId })));
  const hostIds = useActionsStore((s) => s.hostIds);
  const [values, setValues] = useState<FormValues>(() => initialValues(action.params));
  const deployment = fleet?.deployments.find((d) => d.id === deploymentId) ?? null;
  const hosts = useMemo(
    () => (deployment ? deployment.hosts.map((id) => fleet!.hosts.find((h) => h.id === id) ?? { id, label: id }) : []),
    [deployment, fleet],
  );
  // Keep only ticked hosts of this deployment; start with its first host so one click previews.
  useEffect(() => {
    const valid = hostIds.filter((id) => hosts.some((h) => h.id === id));
    if (valid.length !== hostIds.length || (valid.length === 0 && hosts.length > 0)) setHostIds(valid.length ? valid : hosts.slice(0, 1).map((h) => h.id));
  }, [hosts, hostIds]);
  const chosen = hostIds.filter((id) => hosts.some((h) => h.id === id));
  // Live values to choose from: the Worker queues panel's queues, the chosen hosts' units.
  const workers = useAppStore((s) => (deploymentId ? s.health[healthKey(deploymentId, 'workers')] : undefined));
  const facts = useHostsStore((s) => s.facts);
  const choices = useMemo(() => {
    const queues = workers ? Object.keys(workers.items).sort() : [];
    const units = [...new Set(chosen.flatMap((id) => facts[id]?.units.map((u) => u.unit) ?? []))];
    return recordFrom(action.params.map((p) => [p.name, liveChoices(p, { queues, units })]));
  }, [workers, facts, chosen, action.params]);
  const missing = missingRequired(action.params, values);
  const [tried, setTried] = useState(false);
  const toggle = (id: string, on: boolean) => setHostIds(on ? [...new Set([...chosen, id])] : chosen.filter((h) => h !== id));
  return (
    <form
      className="action-form"
      aria-label={`Run ${action.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (chosen.length === 0 || missing.length > 0) return;
        void startPreview(api, action.title, { actionId: action.id, params: requestValues(action.params, values, choices), hostIds: chosen });
      }}
    >
      <h2>{action.title}</h2>
      <p className="risk-note">
        <RiskBadge risk={action.risk} /> {RISK_NOTE[action.risk]}
        {action.streams ? ' Streams until you cancel it.' : ''}
      </p>
      {action.description ? <p className="muted">{action.description}</p> : null}
      <p className="muted">
        <code>{action.id}</code>
        {action.followUp ? ` · after it succeeds, offers ${action.followUp.actionId}` : ''}
      </p>
      {action.params.map((p) => (
        <ParamField
          key={p.name}
          spec={p}
          value={values[p.name] ?? ''}
          choices={choices[p.name] ?? []}
          onChange={(v) => setValues((old) => ({ ...old, [p.name]: v }))}
        />
      ))}
      <fieldset>
        <legend>Hosts of {deployment?.name ?? 'no deployment'} (several: one run on each, in parallel)</legend>
        {hosts.length === 0 ? <span className="muted">this deployment has no hosts</span> : null}
        {hosts.map((h) => (
          <label key={h.id}>
            <input type="checkbox" checked={chosen.includes(h.id)} onChange={(e) => toggle(h.id, e.target.checked)} />
            {h.label}
          </label>
        ))}
        {hosts.length > 1 ? (
          <button type="button" onClick={() => setHostIds(chosen.length === hosts.length ? hosts.slice(0, 1).map((h) => h.id) : hosts.map((h) => h.id))}>
            {chosen.length === hosts.length ? 'Only the first host' : 'All hosts'}
          </button>
        ) : null}
      </fieldset>
      {tried && missing.length ? (
        <p role="alert" className="notice notice-error">
          Fill in {missing.join(', ')} first: nothing was sent.
        </p>
      ) : null}
      <div className="buttons">
        <button type="submit" disabled={chosen.length === 0} title={chosen.length === 0 ? 'tick at least one host' : undefined}>
          Preview{chosen.length > 1 ? ` on ${chosen.length} hosts` : ''}
        </button>
      </div>
    </form>
  );
}

export function ActionsView() {
  const api = useApi();
  const { catalog, catalogError, selectedId } = useActionsStore(
    useShallow((s) => ({ catalog: s.catalog, catalogError: s.catalogError, selectedId: s.selectedId })),
  );
  useEffect(() => {
    void loadCatalog(api);
  }, [api]);
  const groups = useMemo(() => groupBySection(catalog ?? []), [catalog]);
  const selected = catalog?.find((a) => a.id === selectedId) ?? null;
  return (
    <div className="actions-view">
      <nav className="panel catalog-list" aria-label="Action catalog">
        <header className="panel-head">
          <h2>Action catalog</h2>
          <span className="panel-summary">{catalog ? `${catalog.length} actions` : ''}</span>
        </header>
        {catalogError ? (
          <p role="alert" className="notice notice-error">
            cannot load the catalog: {catalogError}
          </p>
        ) : null}
        {!catalog && !catalogError ? <p className="notice">loading the catalog…</p> : null}
        {groups.map((g) => (
          <section key={g.section} aria-label={g.title}>
            <h3>{g.title}</h3>
            <ul>
              {g.actions.map((a) => (
                <li key={a.id}>
                  <button type="button" aria-current={a.id === selectedId} onClick={() => selectAction(a.id)} title={a.id}>
                    <span>{a.title}</span>
                    <RiskBadge risk={a.risk} />
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      <section className="panel" aria-label="Action">
        {selected ? (
          <ActionForm key={selected.id} action={selected} />
        ) : (
          <p className="notice">Pick an action on the left: its parameters, hosts and a preview of the exact command come here.</p>
        )}
      </section>
    </div>
  );
}
