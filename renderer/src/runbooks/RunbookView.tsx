// The offline runbook viewer: search (minisearch in main, matched words marked here), the
// library, and one runbook at a time with its contents, each area section topped by the live
// state of its area. Runbook HTML arrives sanitized from main; links inside it are handled
// here (anchors scroll, runbook-to-runbook links open, external ones are not followed: the
// viewer must work with no network).
import type { MouseEvent } from 'react';
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RunbookDoc, RunbookSection } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { AreaLiveState } from './AreaLiveState';
import { CodeBlock } from './CodeBlock';
import { highlightTerms } from './highlightTerms';
import { clearPendingArea, loadRunbookLibrary, openRunbook, searchRunbooks, sectionForArea, useRunbookStore } from './runbookStore';
import './runbooks.css';

function Marked({ text, terms }: { text: string; terms: readonly string[] }) {
  return (
    <>
      {highlightTerms(text, terms).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
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

function Library() {
  const api = useApi();
  const { list, problems, error, current } = useRunbookStore(useShallow((s) => ({ list: s.list, problems: s.problems, error: s.listError, current: s.doc?.id ?? null })));
  if (error) return <p className="notice notice-error">cannot list runbooks: {error}</p>;
  if (!list) return <p className="notice">loading runbooks…</p>;
  return (
    <nav aria-label="Runbooks" className="runbook-library">
      <ul>
        {list.map((r) => (
          <li key={r.id}>
            <button type="button" aria-current={r.id === current ? 'page' : undefined} onClick={() => void openRunbook(api, r.id)}>
              {r.title}
            </button>
            <span className="muted small"> {r.source === 'bundled' ? 'bundled' : r.file}</span>
          </li>
        ))}
      </ul>
      {problems.length ? (
        <details className="notice notice-error">
          <summary>
            {problems.length} runbook {problems.length === 1 ? 'file' : 'files'} could not be read
          </summary>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </nav>
  );
}

function Section({ section, onLink }: { section: RunbookSection; onLink: (e: MouseEvent<HTMLElement>) => void }) {
  return (
    <section className="runbook-section" aria-label={`Section: ${section.title}`} data-area={section.area ?? undefined}>
      {section.area ? <AreaLiveState area={section.area} /> : null}
      {section.parts.map((part, i) =>
        part.kind === 'html' ? (
          // sanitized in main (sanitize-html allow-list); links are intercepted by onLink
          <div key={i} className="runbook-html" onClick={onLink} dangerouslySetInnerHTML={{ __html: part.html }} />
        ) : (
          <CodeBlock key={i} block={part.block} />
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
    if (target) scrollTo(target.anchor);
  }, [target, doc]);

  const onLink = (e: MouseEvent<HTMLElement>) => {
    const link = (e.target as HTMLElement).closest('a');
    if (!link) return;
    const href = link.getAttribute('href') ?? '';
    e.preventDefault();
    if (href.startsWith('#')) {
      scrollTo(`rb-${decodeURIComponent(href.slice(1))}`);
      return;
    }
    const local = /^(?:\.\/)?([^:?#]+\.md)(?:#(.*))?$/i.exec(href);
    if (local) {
      const name = local[1]!.split('/').pop()!.toLowerCase();
      const other = list?.find((r) => r.file.split('/').pop()!.toLowerCase() === name);
      if (other) void openRunbook(api, other.id, local[2] ? `rb-${local[2]}` : null);
      else setNotice(`no runbook named ${local[1]}`);
      return;
    }
    setNotice(`not opened (the viewer works offline): ${href}`);
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
      {doc.toc.length > 2 ? (
        <nav aria-label="Contents" className="runbook-toc">
          <ul>
            {doc.toc
              .filter((h) => h.level >= 2 && h.level <= 3)
              .map((h) => (
                <li key={h.anchor} className={`toc-${h.level}`}>
                  <a href={`#${h.anchor.replace(/^rb-/, '')}`} onClick={onLink}>
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
    clearPendingArea();
    const found = sectionForArea(list, pendingArea);
    if (found) void openRunbook(api, found.runbookId, found.anchor);
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
