// A runbook code block, line by line, from main's model (never from HTML): the highlighted
// markup of each line, "Run on…" where main matched a catalog action, "Copy" on the other
// commands. "Run on…" opens the same preview -> confirm -> run flow as the panels
// (store/actions startPreview -> ActionDialog); what runs is what main renders and validates.
import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ActionSummary, RunbookCodeBlock, RunbookLine } from '../../../common/contract';
import { emptyRecord } from '../../../common/emptyRecord';
import { useApi } from '../api/ApiContext';
import { startPreview } from '../store/actions';
import { useStore } from '../store/useStore';
import { useRunbookStore } from './runbookStore';

/** The whole command a first line starts (continuation lines joined), as the runbook wrote it. */
function logicalText(lines: readonly RunbookLine[], index: number): string {
  const parts = [lines[index]!.text];
  for (let k = index + 1; k < lines.length && lines[k]!.kind === 'continuation'; k++) parts.push(lines[k]!.text);
  return parts.join('\n');
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (e.g. a headless browser): fall back to a selection copy.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

function CopyControl({ text, placeholders }: { text: string; placeholders: RunbookLine['placeholders'] }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  // Placeholders are filled only from what the engineer types here, never from any environment.
  const filled = placeholders.reduce((t, p) => (values[p.text] ? t.split(p.text).join(values[p.text]!) : t), text);
  const missing = placeholders.filter((p) => !values[p.text]);
  return (
    <span className="line-controls">
      {placeholders.map((p) => (
        <input
          key={p.text}
          className="placeholder-input"
          aria-label={`Fill in ${p.label}`}
          placeholder={p.text}
          value={values[p.text] ?? ''}
          onChange={(e) => setValues({ ...values, [p.text]: e.target.value })}
          spellCheck={false}
          autoComplete="off"
        />
      ))}
      <button
        type="button"
        className="copy"
        title={missing.length ? `still to fill in: ${missing.map((p) => p.label).join(', ')}` : 'copy the command'}
        onClick={() => void copyText(filled).then((ok) => setStatus(ok ? 'copied' : 'copy failed: select the text'))}
      >
        Copy
      </button>
      {status ? (
        <span role="status" className="muted">
          {status}
        </span>
      ) : null}
    </span>
  );
}

function RunForm({ line, spec, onClose }: { line: RunbookLine; spec: ActionSummary | undefined; onClose: () => void }) {
  const api = useApi();
  const action = line.action!;
  // select stable references and derive in useMemo: a fresh array from a selector re-renders forever
  const { fleet, selected } = useStore(useShallow((s) => ({ fleet: s.fleet, selected: s.selectedDeploymentId })));
  const hosts = useMemo(() => {
    const deployment = fleet?.deployments.find((d) => d.id === selected);
    return (deployment?.hosts ?? []).map((id) => ({ id: id as string, label: fleet?.hosts.find((h) => h.id === id)?.label ?? id }));
  }, [fleet, selected]);
  const hostKey = hosts.map((h) => h.id).join(',');
  const [picked, setPicked] = useState<string[] | null>(null);
  const chosen = picked ?? hosts.map((h) => h.id);
  const initialParams = useMemo(() => {
    const values = emptyRecord<string>();
    for (const p of spec?.params ?? []) {
      const v = action.params[p.name] ?? p.default;
      if (v !== undefined) values[p.name] = String(v);
    }
    return values;
  }, [spec, action]);
  const [params, setParams] = useState(initialParams);
  const submit = () => {
    const typed = emptyRecord<string | number>();
    for (const p of spec?.params ?? []) {
      const raw = params[p.name];
      if (raw === undefined || raw === '') continue;
      typed[p.name] = p.kind === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    }
    // close first: focus is back on "Run on…" before the dialog opens and remembers its opener
    onClose();
    void startPreview(api, action.title, { actionId: action.actionId, params: typed, hostIds: chosen });
  };
  return (
    <form
      className="run-form"
      aria-label={`Run ${action.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      {action.note ? <p className="muted">{action.note}</p> : null}
      {(spec?.params ?? []).map((p) => (
        <label key={p.name}>
          {p.label}
          {p.kind === 'enum' ? (
            <select value={params[p.name] ?? ''} onChange={(e) => setParams({ ...params, [p.name]: e.target.value })}>
              {(p.choices ?? []).map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ) : (
            <input
              value={params[p.name] ?? ''}
              inputMode={p.kind === 'integer' ? 'numeric' : undefined}
              onChange={(e) => setParams({ ...params, [p.name]: e.target.value })}
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </label>
      ))}
      <fieldset key={hostKey}>
        <legend>Hosts of the selected deployment</legend>
        {hosts.length === 0 ? <p className="notice">no deployment selected: pick one in the header</p> : null}
        {hosts.map((h) => (
          <label key={h.id} className="inline">
            <input
              type="checkbox"
              checked={chosen.includes(h.id)}
              onChange={(e) => setPicked(e.target.checked ? [...chosen, h.id] : chosen.filter((id) => id !== h.id))}
            />
            {h.label}
          </label>
        ))}
      </fieldset>
      <div className="buttons">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" disabled={chosen.length === 0}>
          Preview
        </button>
      </div>
    </form>
  );
}

function RunControl({ line }: { line: RunbookLine }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  // the form goes away on Preview, Cancel or Escape: focus comes back here, so the preview
  // dialog returns it here too when it closes
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const action = line.action!;
  const spec = useRunbookStore((s) => s.actions?.find((a) => a.id === action.actionId));
  const shape = action.risk === 'destructive' ? '■' : action.risk === 'service-affecting' ? '▲' : '●';
  return (
    <span className="line-controls">
      <button
        ref={button}
        type="button"
        className={`run-on risk-${action.risk}`}
        aria-expanded={open}
        aria-label={`Run on… ${action.title}`}
        title={`${action.title} (${action.risk})${action.note ? `: ${action.note}` : ''}`}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">{shape}</span> Run on…
      </button>
      {open ? <RunForm line={line} spec={spec} onClose={close} /> : null}
    </span>
  );
}

export function CodeBlock({ block }: { block: RunbookCodeBlock }) {
  const runnable = block.lines.filter((l) => l.action).length;
  return (
    <figure className="code-block" aria-label={block.label ? `Code: ${block.label}` : `Code block ${block.index + 1}`}>
      {/* the label is the bold line just above the block, already on the page */}
      <figcaption className="muted">
        {block.lang}
        {runnable ? ` · ${runnable} runnable` : ''}
      </figcaption>
      <ol className="code-lines">
        {block.lines.map((line, i) => (
          <li key={i} className={`code-line code-${line.kind}`}>
            {/* sanitized in main: hljs spans only */}
            <code dangerouslySetInnerHTML={{ __html: line.html || '\u200b' }} />
            {line.action ? <RunControl line={line} /> : line.kind === 'command' ? <CopyControl text={logicalText(block.lines, i)} placeholders={line.placeholders} /> : null}
          </li>
        ))}
      </ol>
    </figure>
  );
}
