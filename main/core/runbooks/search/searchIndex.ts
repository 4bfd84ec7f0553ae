// The full-text index over runbook sections, as plain data in and out so it can live in a
// worker thread (searchWorker.ts) and answer there without holding up main. minisearch:
// BM25-ranked, prefix and typo-tolerant, per-field boosts, no native code. Excerpts are found
// in one pass over the section's words, whatever the number of matched terms, so a runbook
// with a huge table of distinct words costs the same per hit as any other.
import MiniSearch from 'minisearch';

export interface IndexedSection {
  id: string;
  runbookId: string;
  sectionId: string;
  /** where a hit opens: the section, or the part of it (Symptoms, Resolution…) */
  anchor: string;
  /** the part's heading, '' for a whole section */
  partTitle: string;
  title: string;
  symptoms: string;
  headings: string;
  commands: string;
  body: string;
}

/** What the worker answers per hit; main adds titles and anchors from its documents. */
export interface RawHit {
  id: string;
  runbookId: string;
  sectionId: string;
  anchor: string;
  partTitle: string;
  score: number;
  terms: string[];
  excerpt: string;
}

/** Field boosts: a word in a title outranks one in symptoms, then headings, then commands, then prose. */
export const SEARCH_BOOSTS = { title: 5, symptoms: 3, headings: 2, commands: 1.5, body: 1 } as const;

/** At most this many matched words go back for highlighting (a prefix can match thousands). */
export const MAX_TERMS = 40;

/**
 * A section's body is indexed up to its first this-many distinct words: a prefix query costs
 * the number of words it expands to, so one runbook holding a huge table of distinct words
 * must not be able to make every query slow. The rest stays on the page, only not searchable.
 */
export const MAX_DISTINCT_WORDS = 3000;

/** The body cut after its MAX_DISTINCT_WORDS-th distinct word (one pass), and whether it was cut. */
export function boundedBody(text: string): { text: string; cut: boolean } {
  const seen = new Set<string>();
  for (const m of text.matchAll(WORD)) {
    seen.add(m[0].toLowerCase());
    if (seen.size > MAX_DISTINCT_WORDS) return { text: text.slice(0, m.index), cut: true };
  }
  return { text, cut: false };
}

export function createSearchIndex(): MiniSearch<IndexedSection> {
  return new MiniSearch<IndexedSection>({
    fields: ['title', 'symptoms', 'headings', 'commands', 'body'],
    storeFields: ['runbookId', 'sectionId', 'anchor', 'partTitle'],
    // typo tolerance only for words of 4+ letters (a 3-letter typo matches too much) and at most
    // 2 edits, which also bounds the work per query
    // prefix matching from the second letter: one letter would expand to most of the vocabulary
    searchOptions: {
      boost: { ...SEARCH_BOOSTS },
      prefix: (term: string) => term.length >= 2,
      fuzzy: (term: string) => (term.length >= 4 ? 0.25 : false),
      maxFuzzy: 2,
      combineWith: 'OR',
    },
  });
}

export class SearchIndex {
  private index = createSearchIndex();
  private readonly plain = new Map<string, string>();

  clear(): void {
    this.index = createSearchIndex();
    this.plain.clear();
  }

  add(entries: readonly IndexedSection[]): void {
    for (const e of entries) this.plain.set(e.id, e.body);
    this.index.addAll(entries);
  }

  search(query: string, limit: number): RawHit[] {
    const trimmed = query.trim();
    if (!trimmed) return [];
    return this.index
      .search(trimmed)
      .slice(0, limit)
      .map((r) => ({
        id: String(r.id),
        runbookId: r.runbookId as string,
        sectionId: r.sectionId as string,
        anchor: r.anchor as string,
        partTitle: r.partTitle as string,
        score: Math.round(r.score * 1000) / 1000,
        terms: r.terms.slice(0, MAX_TERMS),
        excerpt: excerpt(this.plain.get(String(r.id)) ?? '', r.terms),
      }));
  }
}

/** minisearch's own word boundaries (whitespace and punctuation), so its terms are found again. */
const WORD = /[^\n\r\p{Z}\p{P}]+/gu;

/** About 160 characters of the section around its first matched word: one pass over the text. */
export function excerpt(text: string, terms: readonly string[]): string {
  const wanted = new Set(terms.map((t) => t.toLowerCase()));
  let at = 0;
  for (const m of text.matchAll(WORD)) {
    if (wanted.has(m[0].toLowerCase())) {
      at = m.index;
      break;
    }
  }
  const start = Math.max(0, at - 60);
  const cut = text.slice(start, start + 160).trim();
  return `${start > 0 ? '…' : ''}${cut}${start + 160 < text.length ? '…' : ''}`;
}
