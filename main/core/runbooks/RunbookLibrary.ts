// Every runbook the console knows: the bundled set plus the folders the config names, parsed
// once at start-up, and a full-text index over their sections. The index is minisearch
// (BM25-ranked, fuzzy and prefix matching, per-field boosts, no native code): it answers in well
// under a millisecond on hundreds of runbooks, so search can run on every keystroke.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import MiniSearch from 'minisearch';
import type { RunbookArea, RunbookDoc, RunbookHit, RunbookSummary } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Catalog } from '../actions/Catalog';
import type { Logger } from '../app';
import { parseRunbook, slugify, type ParsedRunbook } from './parseRunbook';
import { loadBashParser } from './shell/bashParser';
import { SnippetMatcher } from './SnippetMatcher';

export interface RunbookFolder {
  readonly path: string;
  /** shown next to each runbook: "bundled" or the folder as the config names it */
  readonly source: string;
}

export interface RunbookLibraryOptions {
  readonly folders: readonly RunbookFolder[];
  readonly catalog: Catalog;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** A runbook file larger than this is refused: runbooks are pages, not logs. */
export const MAX_RUNBOOK_BYTES = 1024 * 1024;
const MAX_FILES_PER_FOLDER = 2000;

export interface IndexedSection {
  id: string;
  runbookId: string;
  sectionId: string;
  title: string;
  symptoms: string;
  headings: string;
  commands: string;
  body: string;
}

/** Field boosts: a word in a title outranks one in symptoms, then headings, then commands, then prose. */
export const SEARCH_BOOSTS = { title: 5, symptoms: 3, headings: 2, commands: 1.5, body: 1 } as const;

export function createSearchIndex(): MiniSearch<IndexedSection> {
  return new MiniSearch<IndexedSection>({
    fields: ['title', 'symptoms', 'headings', 'commands', 'body'],
    storeFields: ['runbookId', 'sectionId'],
    // typo tolerance only for words of 4+ letters (a 3-letter typo matches too much) and at most
    // 2 edits, which also bounds the work per query
    searchOptions: { boost: { ...SEARCH_BOOSTS }, prefix: true, fuzzy: (term: string) => (term.length >= 4 ? 0.25 : false), maxFuzzy: 2, combineWith: 'OR' },
  });
}

export class RunbookLibrary {
  private readonly docs = new Map<string, RunbookDoc>();
  private readonly plain = new Map<string, string>();
  private index = createSearchIndex();
  private readonly matcher: SnippetMatcher;
  private readonly now: () => number;
  /** files that could not be read or parsed, each naming the file and what was wrong */
  readonly problems: string[] = [];

  constructor(private readonly options: RunbookLibraryOptions) {
    this.matcher = new SnippetMatcher(options.catalog);
    this.now = options.now ?? (() => performance.now());
  }

  private loading: Promise<void> = Promise.resolve();

  /**
   * Reads every folder; a bad file is reported in `problems` and skipped, never fatal. Start-up
   * need not wait for it (the calls wait on ready()), and it yields to the event loop between
   * files, so a folder of hundreds of runbooks holds up neither the window nor SSH keepalives.
   */
  load(): Promise<void> {
    this.loading = this.loadAll();
    return this.loading;
  }

  /** Settles once the last load() has finished. */
  ready(): Promise<void> {
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    await loadBashParser();
    this.docs.clear();
    this.plain.clear();
    this.index = createSearchIndex();
    this.problems.length = 0;
    const entries: Array<{ folder: RunbookFolder; file: string; text: string }> = [];
    for (const folder of this.options.folders) {
      let files: string[];
      try {
        files = await markdownFiles(folder.path);
      } catch (error) {
        this.problem(`${folder.path}: cannot read the runbook folder: ${(error as Error).message}`);
        continue;
      }
      for (const file of files) {
        try {
          const text = await readFile(file, 'utf8');
          if (Buffer.byteLength(text) > MAX_RUNBOOK_BYTES) throw new Error(`larger than ${MAX_RUNBOOK_BYTES} bytes`);
          entries.push({ folder, file, text });
        } catch (error) {
          this.problem(`${file}: ${(error as Error).message}`);
        }
      }
    }
    for (const entry of entries) {
      this.add(entry.text, entry.folder, entry.file);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Adds one runbook from its text (load() uses it; so do tests and the bench). */
  add(text: string, folder: RunbookFolder, file: string): RunbookDoc | null {
    const id = this.uniqueId(slugify(basename(file).replace(/\.(md|markdown)$/i, '')).replace(/[^a-z0-9_.-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'runbook');
    let parsed: ParsedRunbook;
    try {
      parsed = parseRunbook(text, { id, source: folder.source, file: relative(folder.path, file) || basename(file), dir: folder.path, catalog: this.options.catalog, matcher: this.matcher });
    } catch (error) {
      this.problem(`${file}: ${(error as Error).message}`);
      return null;
    }
    const doc = parsed.doc;
    this.docs.set(id, doc);
    for (const s of doc.sections) this.plain.set(`${id}#${s.id}`, parsed.text.get(s.id)!.body);
    this.index.addAll(searchEntries(parsed));
    return doc;
  }

  list(): RunbookSummary[] {
    return [...this.docs.values()].map((d) => ({
      id: d.id,
      title: d.title,
      source: d.source,
      file: d.file,
      sections: d.sections.map((s) => ({ id: s.id, title: s.title, anchor: s.anchor, area: s.area })),
    }));
  }

  get(id: string): RunbookDoc {
    const doc = this.docs.get(id);
    if (!doc) throw new OpsFailure('not-found', `no runbook "${id}"`);
    return doc;
  }

  /** Sections keyed to an area, bundled runbooks first. */
  sectionsFor(area: RunbookArea): Array<{ runbookId: string; sectionId: string }> {
    return [...this.docs.values()].flatMap((d) => d.sections.filter((s) => s.area === area).map((s) => ({ runbookId: d.id, sectionId: s.id })));
  }

  search(query: string, limit = 20): { hits: RunbookHit[]; tookMs: number } {
    const started = this.now();
    const trimmed = query.trim();
    if (!trimmed) return { hits: [], tookMs: 0 };
    const results = this.index.search(trimmed).slice(0, limit);
    const hits = results.map((r) => {
      const doc = this.docs.get(r.runbookId as string)!;
      const section = doc.sections.find((s) => s.id === r.sectionId)!;
      return {
        runbookId: doc.id,
        sectionId: section.id,
        anchor: section.anchor,
        title: doc.title,
        sectionTitle: section.title,
        area: section.area,
        score: Math.round(r.score * 1000) / 1000,
        terms: r.terms,
        excerpt: excerpt(this.plain.get(r.id as string) ?? '', r.terms),
      };
    });
    return { hits, tookMs: Math.round((this.now() - started) * 1000) / 1000 };
  }

  private uniqueId(base: string): string {
    let id = base.slice(0, 90);
    for (let n = 2; this.docs.has(id); n++) id = `${base.slice(0, 90)}-${n}`;
    return id;
  }

  private problem(message: string): void {
    this.problems.push(message);
    this.options.logger.warn(`runbooks: ${message}`);
  }
}

/** One search document per section: the fields the boosts weigh. */
export function searchEntries(parsed: ParsedRunbook): IndexedSection[] {
  const doc = parsed.doc;
  return doc.sections.map((s) => {
    const text = parsed.text.get(s.id)!;
    return {
      id: `${doc.id}#${s.id}`,
      runbookId: doc.id,
      sectionId: s.id,
      title: s.title === doc.title ? s.title : `${doc.title} ${s.title}`,
      symptoms: s.symptoms.join('\n'),
      headings: s.headings.map((h) => h.text).join('\n'),
      commands: text.commands,
      body: text.body,
    };
  });
}

/** About 160 characters of the section around its first matched word. */
export function excerpt(text: string, terms: readonly string[]): string {
  const lower = text.toLowerCase();
  const at = terms.map((t) => lower.indexOf(t.toLowerCase())).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0;
  const start = Math.max(0, at - 60);
  const cut = text.slice(start, start + 160).trim();
  return `${start > 0 ? '…' : ''}${cut}${start + 160 < text.length ? '…' : ''}`;
}

async function markdownFiles(dir: string, depth = 0): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 3) out.push(...(await markdownFiles(path, depth + 1)));
    else if (entry.isFile() && /\.(md|markdown)$/i.test(entry.name)) out.push(path);
    if (out.length >= MAX_FILES_PER_FOLDER) break;
  }
  return out;
}
