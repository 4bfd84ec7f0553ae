// The offline runbook viewer: search (minisearch in main, matched words marked here), the
// library, and one runbook at a time with its contents, each area section topped by the live
// state of its area. Runbook HTML arrives sanitized from main; links inside it are handled
// here (anchors scroll, runbook-to-runbook links open, external ones are not followed: the
// viewer must work with no network).
import type { MouseEvent, RefObject } from 'react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RunbookDoc, RunbookSection } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { AreaLiveState } from './AreaLiveState';
import { hiddenCharacterWarning, visibleText } from '../../../common/visibleText';
import { CodeBlock, copyText } from './CodeBlock';
import { highlightTerms } from './highlightTerms';
import { groupLibrary } from './libraryGroups';
import { resolveRunbookLink } from './runbookLinks';
import { clearPendingArea, loadRunbookLibrary, openRunbook, searchRunbooks, sectionForArea, useRunbookStore } from './runbookStore';
import { blocksForAlert } from './alertBlocks';
import './runbooks.css';

function Marked({ text, terms }: { text: string; terms: readonly string[] }) {
  return <>{highlightTerms(text, terms).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</>;
}

function SearchBox() {
  const api = useApi();
  const { query, hits, tookMs, error } = useRunbookStore(useShallow((s) => ({ query: s.query, hits: s.hits, tookMs: s.tookMs, error: s.searchError })));
  return (
    <div className="runbook-search">
      <input
        type="search"
        aria-label="Search runbooks"
        placeholder="Search runbooks (symptom, command, error…)"
        value={query}
        onChange={(e) => void searchRunbooks(api, e.target.value)}
        spellCheck={false}
        autoComplete="off"
      />
      {error ? <p className="notice notice-error">{error}</p> : null}
      {query.trim() ? (
        <>
          <p className="muted small" role="status" aria-label="Search status">
            {hits.length} {hits.length === 1 ? 'match' : 'matches'}
            {tookMs !== null ? ` in ${tookMs} ms` : ''}
          </p>
          <ul className="search-hits" aria-label="Search results">
            {hits.map((hit) => (
              <li key={`${hit.runbookId}#${hit.sectionId}`}>
                <button type="button" onClick={() => void openRunbook(api, hit.runbookId, hit.anchor)} aria-label={`${hit.title} › ${hit.sectionTitle}`}>
                  <span className="hit-title">
                    <Marked text={hit.title} terms={hit.terms} />
                    {hit.sectionTitle !== hit.title ? (
                      <>
                        {' › '}
                        <Marked text={hit.sectionTitle} terms={hit.terms} />
                      </>
                    ) : null}
                  </span>
                  <span className="hit-excerpt">
                    <Marked text={hit.excerpt} terms={hit.terms} />
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

function Skipped({ problems }: { problems: readonly string[] }) {
  if (!problems.length) return null;
  return (
    <details className="notice notice-error skipped-files" open={problems.length <= 10}>
      <summary>
        <span aria-hidden="true">▲ </span>
        {problems.length} {problems.length === 1 ? 'file' : 'files'} skipped
      </summary>
      <ul>
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </details>
  );
}

function Library() {
  const api = useApi();
  const { list, problems, error, current } = useRunbookStore(
    useShallow((s) => ({ list: s.list, problems: s.problems, error: s.listError, current: s.doc?.id ?? null })),
  );
  const groups = useMemo(() => groupLibrary(list ?? []), [list]);
  if (error) return <p className="notice notice-error">cannot list runbooks: {error}</p>;
  if (!list) return <p className="notice">loading runbooks…</p>;
  return (
    <nav aria-label="Runbooks" className="runbook-library">
      {/* every file not shown, first: the reader must know what is missing */}
      <Skipped problems={problems} />
      {groups.map((g) => (
        <details key={g.source} open className="library-source">
          <summary>
            {g.source === 'bundled' ? 'bundled' : g.source} <span className="muted small">({g.count})</span>
          </summary>
          {g.folders.map((f) => (
            <details key={f.folder} open={g.folders.length <= 8 || f.runbooks.some((r) => r.id === current)} className="library-folder">
              <summary>
                {f.folder || '.'} <span className="muted small">({f.runbooks.length})</span>
              </summary>
              <ul>
                {f.runbooks.map((r) => (
                  <li key={r.id}>
                    <button type="button" aria-current={r.id === current ? 'page' : undefined} onClick={() => void openRunbook(api, r.id)} title={r.file}>
                      {r.title}
                    </button>
                    {r.notes.length ? (
                      <span className="muted small" title={r.notes.join('\n')}>
                        {' '}
                        ({r.notes.length} {r.notes.length === 1 ? 'note' : 'notes'})
                      </span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </details>
      ))}
    </nav>
  );
}

/**
 * Code blocks main leaves inside the HTML (in numbered steps and other lists, where cutting the
 * list would change it) get a Copy button too; it copies what the reader sees (hidden
 * characters as <U+XXXX> escapes) and says when there were any.
 */
function useCopyOnHtmlBlocks(root: RefObject<HTMLElement | null>, section: RunbookSection): void {
  useEffect(() => {
    for (const pre of root.current?.querySelectorAll<HTMLPreElement>('.runbook-html pre') ?? []) {
      if (pre.previousElementSibling?.classList.contains('pre-copy')) continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'copy pre-copy';
      button.textContent = 'Copy';
      button.setAttribute('aria-label', 'Copy this code block');
      button.addEventListener('click', () => {
        const visible = visibleText((pre.textContent ?? '').replace(/\n$/, ''));
        void copyText(visible.text).then((ok) => {
          button.textContent = ok ? (visible.escaped ? `Copied; ${hiddenCharacterWarning(visible)}` : 'Copied') : 'Copy failed: select the text';
        });
      });
      pre.before(button);
    }
  }, [root, section]);
}

function Section({ section, onLink }: { section: RunbookSection; onLink: (e: MouseEvent<HTMLElement>) => void }) {
  const root = useRef<HTMLElement>(null);
  useCopyOnHtmlBlocks(root, section);
  const focus = useRunbookStore((s) => s.alertFocus);
  const marked = useMemo(() => (focus && section.area ? blocksForAlert(section, focus) : null), [focus, section]);
  return (
    <section ref={root} className="runbook-section" aria-label={`Section: ${section.title}`} data-area={section.area ?? undefined}>
      {section.area ? <AreaLiveState area={section.area} /> : null}
      {section.parts.map((part, i) =>
        part.kind === 'html' ? (
          // sanitized in main (sanitize-html allow-list); links are intercepted by onLink
          <div key={i} className="runbook-html" onClick={onLink} onAuxClick={onLink} dangerouslySetInnerHTML={{ __html: part.html }} />
        ) : (
          <CodeBlock key={i} block={part.block} forAlert={marked?.has(part.block.index) ? focus!.item : null} />
        ),
      )}
    </section>
  );
}

function Doc({ doc }: { doc: RunbookDoc }) {
  const api = useApi();
  const list = useRunbookStore((s) => s.list);
  const target = useRunbookStore((s) => s.target);
  const article = useRef<HTMLElement>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const scrollTo = (anchor: string | null) => {
    const root = article.current;
    if (!root) return;
    const el = anchor ? root.querySelector<HTMLElement>(`[id="${CSS.escape(anchor)}"]`) : root;
    if (!el) return;
    el.scrollIntoView({ block: 'start' });
    el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: true });
  };

  useEffect(() => {
    if (!target) return;
    scrollTo(target.anchor);
    // from an alert: the first marked Run button of that section takes focus (Enter runs it)
    const root = article.current;
    const section = target.anchor ? root?.querySelector(`[id="${CSS.escape(target.anchor)}"]`)?.closest('section') : null;
    const run = (section ?? root)?.querySelector<HTMLElement>('figure[data-for-alert] button.run-on');
    if (useRunbookStore.getState().alertFocus && run) {
      run.scrollIntoView({ block: 'center' });
      run.focus({ preventScroll: true });
    }
  }, [target, doc]);

  const onLink = (e: MouseEvent<HTMLElement>) => {
    const link = (e.target as HTMLElement).closest('a');
    if (!link) return;
    // no click on a runbook link opens anything of the browser's own: not a new tab
    // (Ctrl/Cmd/Shift-click, middle click), not a navigation
    e.preventDefault();
    if (e.type === 'auxclick' && e.button !== 1) return;
    const target = resolveRunbookLink(link.getAttribute('href') ?? '', doc, list ?? []);
    if (target.kind === 'anchor') scrollTo(target.anchor);
    else if (target.kind === 'runbook') void openRunbook(api, target.runbookId, target.anchor);
    else if (target.kind === 'missing') setNotice(`no runbook at ${target.path}`);
    else setNotice(`not opened (the viewer works offline): ${target.href}`);
  };

  return (
    <article ref={article} tabIndex={-1} className="runbook-doc" aria-label={`Runbook: ${doc.title}`}>
      <p className="muted small">
        {doc.source === 'bundled' ? 'bundled runbook' : `from ${doc.source}`} · {doc.file}
      </p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {doc.description ? <p className="runbook-description">{doc.description}</p> : null}
      {doc.notes.length ? (
        <ul className="notice runbook-notes" aria-label="Notes on this runbook">
          {doc.notes.map((n) => (
            <li key={n}>
              <span aria-hidden="true">▲ </span>
              {n}
            </li>
          ))}
        </ul>
      ) : null}
      {doc.toc.length > 2 ? (
        <nav aria-label="Contents" className="runbook-toc">
          <ul>
            {doc.toc
              .filter((h) => h.level >= 2 && h.level <= 3)
              .map((h) => (
                <li key={h.anchor} className={`toc-${h.level}`}>
                  <a href={`#${h.anchor.replace(/^rb-/, '')}`} onClick={onLink} onAuxClick={onLink}>
                    {h.text}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
      ) : null}
      {doc.sections.map((s) => (
        <Section key={s.id} section={s} onLink={onLink} />
      ))}
    </article>
  );
}

export function RunbookView() {
  const api = useApi();
  const { doc, docError, loadingId, list, pendingArea } = useRunbookStore(
    useShallow((s) => ({ doc: s.doc, docError: s.docError, loadingId: s.loadingId, list: s.list, pendingArea: s.pendingArea })),
  );
  useEffect(() => {
    if (!list) void loadRunbookLibrary(api);
  }, [api, list]);
  useEffect(() => {
    // A panel's "Open runbook" asked for an area: open its section once the library is here.
    if (!pendingArea || !list) return;
    const focus = useRunbookStore.getState().alertFocus;
    clearPendingArea();
    const found = sectionForArea(list, pendingArea);
    if (found) void openRunbook(api, found.runbookId, found.anchor, focus);
  }, [api, list, pendingArea]);
  return (
    <div className="runbooks">
      <aside className="runbook-side" aria-label="Runbook library">
        <SearchBox />
        <Library />
      </aside>
      <div className="runbook-main">
        {docError ? <p className="notice notice-error">{docError}</p> : null}
        {loadingId && !doc ? <p className="notice">loading {loadingId}…</p> : null}
        {doc ? <Doc doc={doc} /> : <p className="notice">Pick a runbook, search, or press Ctrl+K.</p>}
      </div>
    </div>
  );
}
