// A run's kept output on one host, opened from its audit record: what the run dialog showed
// (redacted, stderr coloured), read from main a page at a time (readRunOutput) and drawn by the
// run dialog's own VirtualOutput. It opens at the end, as the run ended. A run main no longer keeps (pruned, or run before outputs were
// kept) says so. Escape or Close returns focus to the row's Output button.
//
// Accessible names: dialog "Output: <action> on <host>"; status "Kept output position"; buttons
// "First page", "Previous page", "Next page", "Last page", "Close"; log "Output from <host>".
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HostId, RunId } from '../../../common/contract';
import { useModal } from '../a11y/useModal';
import { useApi } from '../api/ApiContext';
import { VirtualOutput } from '../actions/VirtualOutput';
import type { HostRun } from '../store/slices';

/** how the kept file marks a stderr line (main/core/actions/spoolText.ts) */
const STDERR_MARK = '[stderr] ';

export interface KeptOutputRef {
  runId: string;
  hostId: string;
  hostLabel: string;
  actionId: string;
}

/** past any page: main answers with the last one */
const LAST_PAGE = 1_000_000;

type Read = { page: number; pages: number; lines: string[]; total: number };

export function RunOutputDialog({ run, onClose }: { run: KeptOutputRef; onClose: () => void }) {
  const api = useApi();
  const box = useRef<HTMLDivElement>(null);
  useModal(box, true, onClose);
  // the last page first, its newest line in view: how a run ended is what one opens it for
  const [page, setPage] = useState(LAST_PAGE);
  const [read, setRead] = useState<Read | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void api.readRunOutput({ runId: run.runId as RunId, hostId: run.hostId as HostId, page }).then((result) => {
      if (!current) return;
      if (result.ok) {
        setError(null);
        setRead(result.value);
      } else {
        setError(result.error.message);
      }
    });
    return () => {
      current = false;
    };
  }, [api, run.runId, run.hostId, page]);
  // the page as the run dialog's store holds a host's output, stderr lines as stderr again
  const host = useMemo<HostRun | undefined>(() => {
    if (!read) return undefined;
    const output = read.lines.map((line) =>
      line.startsWith(STDERR_MARK)
        ? { stream: 'stderr' as const, text: `${line.slice(STDERR_MARK.length)}\n` }
        : { stream: 'stdout' as const, text: `${line}\n` },
    );
    return {
      hostId: run.hostId,
      state: 'succeeded',
      exitCode: null,
      error: null,
      output,
      outputChars: 0,
      droppedLines: 0,
      trimmedChars: 0,
      trimmedLines: 0,
      outputNewlines: output.length,
      at: null,
    };
  }, [read, run.hostId]);
  const name = `Output: ${run.actionId} on ${run.hostLabel}`;
  return (
    <div className="overlay">
      <div ref={box} role="dialog" aria-modal="true" aria-label={name} className="dialog run-output" tabIndex={-1}>
        <h2>{name}</h2>
        <p className="muted mono">{run.runId}</p>
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="muted" role="status" aria-label="Kept output position">
            {!read
              ? 'reading…'
              : read.total === 0
                ? 'the run printed nothing'
                : `page ${read.page + 1} of ${read.pages} · ${read.total.toLocaleString('en')} ${read.total === 1 ? 'line' : 'lines'} kept`}
          </p>
        )}
        {read && read.pages > 1 ? (
          <div className="buttons" role="group" aria-label="Pages">
            <PageButton to={0} at={read.page} onPage={setPage}>
              First page
            </PageButton>
            <PageButton to={Math.max(0, read.page - 1)} at={read.page} onPage={setPage}>
              Previous page
            </PageButton>
            <PageButton to={Math.min(read.pages - 1, read.page + 1)} at={read.page} onPage={setPage}>
              Next page
            </PageButton>
            <PageButton to={read.pages - 1} at={read.page} onPage={setPage}>
              Last page
            </PageButton>
          </div>
        ) : null}
        {read && !error ? <VirtualOutput key={read.page} label={run.hostLabel} host={host} height={420} /> : null}
        <div className="buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/** aria-disabled, not disabled, on the page shown: a focused button that becomes disabled drops focus */
function PageButton({ to, at, onPage, children }: { to: number; at: number; onPage: (page: number) => void; children: string }) {
  return (
    <button type="button" aria-disabled={to === at} onClick={() => to !== at && onPage(to)}>
      {children}
    </button>
  );
}
