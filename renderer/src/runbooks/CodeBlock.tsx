// A runbook code block, line by line, from main's model (never from HTML): the highlighted
// markup of each line, "Run on…" where main proved the line is exactly a catalog action, and
// otherwise "Copy" with main's reason for withholding Run on hover. "Run on…" shows the line
// beside the command the action runs, every difference marked, then opens the same preview ->
// confirm -> run flow as the panels (store/actions startPreview -> ActionDialog). Blocks longer
// than a screenful render only the lines in view.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ActionSummary, RunbookCodeBlock, RunbookLine } from '../../../common/contract';
import { hiddenCharacterWarning, visibleText } from '../../../common/visibleText';
import { useApi } from '../api/ApiContext';
import { startPreview } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { useRunbookStore } from './runbookStore';
import { VisibleText } from '../status/VisibleText';
import { wordDiff, type DiffWord } from './wordDiff';

/** The whole command a first line starts (continuation lines joined), as the runbook wrote it. */
function logicalText(lines: readonly RunbookLine[], index: number): string {
  const parts = [lines[index]!.text];
  for (let k = index + 1; k < lines.length && lines[k]!.kind === 'continuation'; k++) parts.push(lines[k]!.text);
  return parts.join('\n');
}

export async function copyText(text: string): Promise<boolean> {
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

/**
 * Copies what the reader sees: hidden characters as `<U+XXXX>` escapes, never the raw ones.
 * The status repeats main's warnings about the line (a comment Run leaves out, hidden text).
 */
function CopyControl({
  text,
  placeholders,
  warnings,
  label = 'Copy',
}: {
  text: string;
  placeholders: RunbookLine['placeholders'];
  warnings: readonly string[];
  label?: string;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  // Placeholders are filled only from what the engineer types here, never from any environment.
  const filled = placeholders.reduce((t, p) => (values[p.text] ? t.split(p.text).join(values[p.text]!) : t), text);
  const missing = placeholders.filter((p) => !values[p.text]);
  const visible = visibleText(filled);
  const notes = [...warnings, ...(visible.escaped && !warnings.length ? [hiddenCharacterWarning(visible)!] : [])];
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
        title={[missing.length ? `still to fill in: ${missing.map((p) => p.label).join(', ')}` : 'copy the text', ...notes].join('\n')}
        onClick={() =>
          void copyText(visible.text).then((ok) =>
            setStatus(ok ? (notes.length ? `copied; note: ${notes.join('; ')}` : 'copied') : 'copy failed: select the text'),
          )
        }
      >
        {notes.length ? <span aria-hidden="true">⚠ </span> : null}
        {label}
      </button>
      {status ? (
        <span role="status" className={notes.length ? 'copy-status copy-warning' : 'copy-status muted'}>
          {status}
        </span>
      ) : null}
    </span>
  );
}

function Withheld({ reason }: { reason: string }) {
  // focusable so the reason is reachable without a mouse; shown on hover and on focus (CSS)
  return (
    <span className="withheld" data-reason={reason} aria-label={`No Run: ${reason}`} tabIndex={0}>
      <span aria-hidden="true">⊘</span> no Run
    </span>
  );
}

function Words({ words, side }: { words: DiffWord[]; side: 'line' | 'command' }) {
  return (
    <code className="diff-words">
      {words.map((w, i) => (
        <span key={i}>
          {i > 0 ? ' ' : ''}
          {w.same ? (
            visibleText(w.text).text
          ) : (
            <mark className={`diff-${side}`} title={side === 'line' ? 'only in the runbook line' : 'only in the command that runs'}>
              {visibleText(w.text).text}
            </mark>
          )}
        </span>
      ))}
    </code>
  );
}

/** The runbook's line beside the command the action runs; every word on one side only is marked. */
export function LineVersusCommand({ line, command }: { line: string; command: string }) {
  const diff = useMemo(() => wordDiff(line, command), [line, command]);
  const differences = diff.line.filter((w) => !w.same).length + diff.command.filter((w) => !w.same).length;
  return (
    <div className="line-vs-command" role="group" aria-label="Runbook line and the command that runs">
      <div>
        <span className="muted small">Runbook line</span>
        <Words words={diff.line} side="line" />
      </div>
      <div>
        <span className="muted small">Command that runs</span>
        <Words words={diff.command} side="command" />
      </div>
      <p className={differences ? 'diff-summary diff-differs' : 'diff-summary muted'}>
        {differences ? `▲ ${differences} ${differences === 1 ? 'word differs' : 'words differ'} (marked)` : '● the command is the line as written'}
      </p>
    </div>
  );
}

function RunForm({ line, logical, spec, onClose }: { line: RunbookLine; logical: string; spec: ActionSummary | undefined; onClose: () => void }) {
  const api = useApi();
  const action = line.action!;
  // select stable references and derive in useMemo: a fresh array from a selector re-renders forever
  const { fleet, selected } = useAppStore(useShallow((s) => ({ fleet: s.fleet, selected: s.selectedDeploymentId })));
  const hosts = useMemo(() => {
    const deployment = fleet?.deployments.find((d) => d.id === selected);
    return (deployment?.hosts ?? []).map((id) => ({ id: id as string, label: fleet?.hosts.find((h) => h.id === id)?.label ?? id }));
  }, [fleet, selected]);
  const hostKey = hosts.map((h) => h.id).join(',');
  const [picked, setPicked] = useState<string[] | null>(null);
  const chosen = picked ?? hosts.map((h) => h.id);
  const submit = () => {
    // close first: focus is back on "Run on…" before the dialog opens and remembers its opener
    onClose();
    // the parameters are the line's own: Run does what the line says, nothing edited in between
    // opened from an alert: the run records which one
    const alert = useRunbookStore.getState().alertFocus?.alert;
    void startPreview(api, action.title, { actionId: action.actionId, params: { ...action.params }, hostIds: chosen, ...(alert ? { alert } : {}) });
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
      {line.warnings.map((w) => (
        <p key={w} className="line-warning">
          <span aria-hidden="true">⚠ </span>
          {w}
        </p>
      ))}
      <LineVersusCommand line={logical} command={action.command} />
      {(spec?.params ?? []).length ? (
        <dl className="run-params">
          {(spec?.params ?? []).map((p) => (
            <div key={p.name}>
              <dt>{p.label}</dt>
              <dd>{String(action.params[p.name] ?? p.default ?? '')}</dd>
            </div>
          ))}
        </dl>
      ) : null}
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

function RunControl({ line, logical }: { line: RunbookLine; logical: string }) {
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
      {open ? <RunForm line={line} logical={logical} spec={spec} onClose={close} /> : null}
    </span>
  );
}

/** Blocks longer than this render only the lines in view (a 10,000-line log paste stays instant). */
export const VIRTUAL_FROM = 200;
const LINE_PX = 22;

function CodeLine({ lines, i }: { lines: readonly RunbookLine[]; i: number }) {
  const line = lines[i]!;
  const logical = line.kind === 'command' ? logicalText(lines, i) : line.text;
  return (
    <>
      {/* sanitized in main: hljs spans only (and the marked escapes of hidden characters) */}
      <code dangerouslySetInnerHTML={{ __html: line.html || '\u200b' }} />
      {line.action ? <RunControl line={line} logical={logical} /> : null}
      {line.kind === 'command' ? <CopyControl text={logical} placeholders={line.placeholders} warnings={line.warnings} /> : null}
      {!line.action && line.withheld ? <Withheld reason={line.withheld} /> : null}
      {line.warnings.map((w) => (
        <span key={w} className="line-warning" role="note">
          <span aria-hidden="true">⚠ </span>
          {w}
        </span>
      ))}
    </>
  );
}

function VirtualLines({ block }: { block: RunbookCodeBlock }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: block.lines.length, getScrollElement: () => scroller.current, estimateSize: () => LINE_PX, overscan: 20 });
  return (
    <div ref={scroller} className="code-scroller" tabIndex={0} aria-label={`${block.lines.length} lines; scroll to read`}>
      <ol className="code-lines" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const line = block.lines[item.index]!;
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={`code-line code-${line.kind}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
            >
              <CodeLine lines={block.lines} i={item.index} />
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** `forAlert`: the alerting item this block fixes; its Run buttons are marked. */
export function CodeBlock({ block, forAlert = null }: { block: RunbookCodeBlock; forAlert?: string | null }) {
  const runnable = block.lines.filter((l) => l.action).length;
  const whole = useMemo(() => block.lines.map((l) => l.text).join('\n'), [block]);
  const warnings = useMemo(() => [...new Set(block.lines.flatMap((l) => l.warnings))], [block]);
  return (
    <figure
      className={forAlert ? 'code-block for-alert' : 'code-block'}
      data-for-alert={forAlert ?? undefined}
      aria-label={block.label ? `Code: ${block.label}` : `Code block ${block.index + 1}`}
    >
      {/* the label is the bold line just above the block, already on the page */}
      <figcaption className="muted">
        <span>
          {block.lang}
          {runnable ? ` · ${runnable} runnable` : ''}
          {block.lines.length > VIRTUAL_FROM ? ` · ${block.lines.length} lines` : ''}
        </span>
        {forAlert ? (
          <span className="for-alert-note" role="note">
            <span aria-hidden="true">◆ </span>fix for the alert on <VisibleText text={forAlert} />
          </span>
        ) : null}
        <CopyControl text={whole} placeholders={[]} warnings={warnings} label="Copy block" />
      </figcaption>
      {block.lines.length > VIRTUAL_FROM ? (
        <VirtualLines block={block} />
      ) : (
        <ol className="code-lines">
          {block.lines.map((line, i) => (
            <li key={i} className={`code-line code-${line.kind}`}>
              <CodeLine lines={block.lines} i={i} />
            </li>
          ))}
        </ol>
      )}
    </figure>
  );
}
