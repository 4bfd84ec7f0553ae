// Every runbook the console knows: the bundled set plus the folders the config names, parsed
// once at start-up, and a full-text index over their sections. The index lives in a worker
// thread (search/SearchWorkerClient), so no runbook, however hostile, can make a query hold up
// main, which also serves hosts and running actions.
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { RunbookArea, RunbookDoc, RunbookHit, RunbookSummary } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Catalog } from '../actions/Catalog';
import type { Logger } from '../../../common/logger';
import { outlineRunbook, slugify, type ParsedRunbook, type RunbookOutline } from './parseRunbook';
import { loadBashParser } from './shell/bashParser';
import { boundedBody, MAX_DISTINCT_WORDS, type IndexedSection } from './search/searchIndex';
import { SearchWorkerClient } from './search/SearchWorkerClient';
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
  /** the search worker (tests and the bench pass their own); default: spawned on first use */
  readonly search?: SearchWorkerClient;
}

/** A runbook file larger than this is refused: runbooks are pages, not logs. */
export const MAX_RUNBOOK_BYTES = 1024 * 1024;
const MAX_FILES_PER_FOLDER = 2000;

export class RunbookLibrary {
  /** outlines: a runbook's page is built when it is first opened (get) */
  private readonly docs = new Map<string, RunbookOutline>();
  private readonly index: SearchWorkerClient;
  private readonly matcher: SnippetMatcher;
  private readonly now: () => number;
  /** files that could not be read or parsed, each naming the file and what was wrong */
  readonly problems: string[] = [];

  constructor(private readonly options: RunbookLibraryOptions) {
    this.matcher = new SnippetMatcher(options.catalog);
    this.index = options.search ?? new SearchWorkerClient();
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
    // the worker starts while the files are read and parsed
    this.index.start();
    await loadBashParser();
    this.docs.clear();
    this.index.clear();
    this.problems.length = 0;
    const entries: Array<{ folder: RunbookFolder; file: string; text: string }> = [];
    for (const folder of this.options.folders) {
      let files: string[];
      try {
        files = await markdownFiles(folder.path, (file, why) => this.problem(`${file}: ${why}`));
      } catch (error) {
        this.problem(`${folder.path}: cannot read the runbook folder: ${(error as Error).message}`);
        continue;
      }
      for (const file of files) {
        try {
          const text = await readFile(file, 'utf8');
          if (Buffer.byteLength(text) > MAX_RUNBOOK_BYTES) throw new Error(`larger than ${MAX_RUNBOOK_BYTES} bytes: not read`);
          entries.push({ folder, file, text });
        } catch (error) {
          this.problem(`${file}: ${(error as Error).message}`);
        }
      }
    }
    for (const [n, entry] of entries.entries()) {
      this.add(entry.text, entry.folder, entry.file);
      // the worker indexes one batch while the next is parsed
      if (n % 64 === 63) this.index.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.index.flush();
  }

  /** Adds one runbook from its text (load() uses it; so do tests and the bench). */
  add(text: string, folder: RunbookFolder, file: string): RunbookDoc | null {
    const id = this.uniqueId(
      slugify(basename(file).replace(/\.(md|markdown)$/i, ''))
        .replace(/[^a-z0-9_.-]/g, '-')
        .replace(/^[^a-z0-9]+/, '') || 'runbook',
    );
    let parsed: RunbookOutline;
    try {
      parsed = outlineRunbook(text, {
        id,
        source: folder.source,
        file: relative(folder.path, file) || basename(file),
        dir: dirname(file),
        root: folder.path,
        catalog: this.options.catalog,
        matcher: this.matcher,
      });
    } catch (error) {
      this.problem(`${file}: ${(error as Error).message}`);
      return null;
    }
    const doc = parsed.doc;
    const entries = searchEntries(parsed);
    const cut = entries.filter((e) => {
      const bounded = boundedBody(e.body);
      e.body = bounded.text;
      return bounded.cut;
    });
    if (cut.length)
      doc.notes.push(
        `search reads only the first ${MAX_DISTINCT_WORDS} distinct words of ${cut.map((e) => e.sectionId).join(', ')}; the rest is shown but not searched`,
      );
    this.docs.set(id, parsed);
    this.index.add(entries);
    return doc;
  }

  list(): RunbookSummary[] {
    return [...this.docs.values()].map(({ doc: d }) => ({
      id: d.id,
      title: d.title,
      source: d.source,
      file: d.file,
      notes: d.notes,
      weight: d.weight,
      sections: d.sections.map((s) => ({ id: s.id, title: s.title, anchor: s.anchor, area: s.area })),
    }));
  }

  /** The runbook's page, built on its first opening (see RunbookOutline). */
  get(id: string): RunbookDoc {
    const outline = this.docs.get(id);
    if (!outline) throw new OpsFailure('not-found', `no runbook "${id}"`);
    return outline.render();
  }

  /** Sections keyed to an area, bundled runbooks first. */
  sectionsFor(area: RunbookArea): Array<{ runbookId: string; sectionId: string }> {
    return [...this.docs.values()].flatMap(({ doc: d }) => d.sections.filter((s) => s.area === area).map((s) => ({ runbookId: d.id, sectionId: s.id })));
  }

  /** Runs in the search worker; a query overtaken by a newer one fails with "superseded". */
  async search(query: string, limit = 20): Promise<{ hits: RunbookHit[]; tookMs: number }> {
    const started = this.now();
    if (!query.trim()) return { hits: [], tookMs: 0 };
    const answer = await this.index.search(query, limit);
    const hits = answer.hits.flatMap((r) => {
      const doc = this.docs.get(r.runbookId)?.doc;
      const section = doc?.sections.find((s) => s.id === r.sectionId);
      if (!doc || !section) return [];
      return [
        {
          runbookId: doc.id,
          sectionId: section.id,
          anchor: r.anchor || section.anchor,
          title: doc.title,
          sectionTitle: r.partTitle ? `${section.title} › ${r.partTitle}` : section.title,
          area: section.area,
          score: r.score,
          terms: r.terms,
          excerpt: r.excerpt,
        },
      ];
    });
    return { hits, tookMs: Math.round((this.now() - started) * 1000) / 1000 };
  }

  /** Stops the search worker. */
  close(): Promise<void> {
    return this.index.close();
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
  return doc.sections.flatMap((s): IndexedSection[] => {
    const text = parsed.text.get(s.id)!;
    const title = s.title === doc.title ? s.title : `${doc.title} ${s.title}`;
    // a one-runbook section (Symptoms, Diagnosis, Resolution…) is searched by its parts, so a hit opens at the part
    if (text.parts.length > 1) {
      return text.parts.map((part, k) => ({
        id: `${doc.id}#${s.id}#${k}`,
        runbookId: doc.id,
        sectionId: s.id,
        anchor: part.anchor,
        partTitle: part.title,
        title,
        symptoms: /symptom/i.test(part.title) ? s.symptoms.join('\n') : '',
        headings: part.title,
        commands: part.commands,
        body: part.body,
      }));
    }
    return [
      {
        id: `${doc.id}#${s.id}`,
        runbookId: doc.id,
        sectionId: s.id,
        anchor: s.anchor,
        partTitle: '',
        title,
        symptoms: s.symptoms.join('\n'),
        headings: s.headings.map((h) => h.text).join('\n'),
        commands: text.commands,
        body: text.body,
      },
    ];
  });
}

/**
 * Every Markdown file under `root`, any depth, sorted. Symbolic links are followed while they
 * stay inside the folder; a link out of it, a broken one or one back to a folder already read
 * (a cycle) is reported through `skip` with its reason, never dropped in silence. Dot folders
 * (.git, .github) are not runbooks and are passed over.
 */
async function markdownFiles(root: string, skip: (file: string, why: string) => void): Promise<string[]> {
  const top = await realpath(root);
  const inside = (real: string) => real === top || real.startsWith(top + sep);
  const out: string[] = [];
  // the real folders from the top down to here: a link to one of them is a cycle; a second
  // path to a folder read elsewhere is not (GitHub shows it under both paths too)
  const visit = async (dir: string, real: string, ancestors: ReadonlySet<string>): Promise<void> => {
    if (ancestors.has(real)) {
      skip(dir, 'a link back to a folder it is inside (a cycle): not read again');
      return;
    }
    const chain = new Set(ancestors).add(real);
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const markdown = /\.(md|markdown)$/i.test(entry.name);
      let isDir = entry.isDirectory();
      let target = path;
      if (entry.isSymbolicLink()) {
        try {
          target = await realpath(path);
        } catch {
          if (markdown) skip(path, 'a broken symbolic link: not read');
          continue;
        }
        if (!inside(target)) {
          skip(path, `a link to ${target}, outside the runbook folder: not read`);
          continue;
        }
        isDir = (await stat(target)).isDirectory();
      }
      if (isDir) await visit(path, entry.isSymbolicLink() ? target : await realpath(path), chain);
      else if (markdown) {
        if (out.length >= MAX_FILES_PER_FOLDER) skip(path, `more than ${MAX_FILES_PER_FOLDER} runbooks in ${root}: not read`);
        else out.push(path);
      }
    }
  };
  await visit(root, top, new Set());
  return out;
}
