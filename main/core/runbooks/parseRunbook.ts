// One Markdown runbook -> the viewer's model: sanitized HTML cut into sections (keyed by the
// runbook areas), each with its symptoms, diagnosis steps, headings and code blocks whose lines
// are classified and matched against the action catalog. markdown-it (CommonMark + GFM tables
// and fences, well kept and fast) parses; markdown-it-anchor gives every heading an id;
// markdown-it-task-lists renders "- [ ]" items as disabled checkboxes. Everything the page
// receives as HTML passes sanitizeRunbookHtml.
import MarkdownIt from 'markdown-it';
import anchor from 'markdown-it-anchor';
import admonitions from 'markdown-it-admon';
import container from 'markdown-it-container';
import githubAlerts from 'markdown-it-github-alerts';
import taskLists from 'markdown-it-task-lists';
import type { z } from 'zod';
import type { RunbookArea } from '../../../common/contract';
import { type RunbookCodeBlock, type RunbookDoc, type RunbookHeading, type RunbookLine, type RunbookPart, type RunbookSection } from '../../../common/contract';
import type { Catalog } from '../actions/Catalog';
import { codeLanguage, highlightBlock, splitLines } from './highlightCode';
import { sanitizeHighlight, sanitizeMany, sanitizeRunbookHtml } from './sanitizeRunbookHtml';
import { visibleText } from '../../../common/visibleText';
import { analyzePythonBlock } from './analyzePythonBlock';
import { readFrontMatter } from './frontMatter';
import { parseWithoutLoss } from './recoverContent';
import { analyzeShellBlock, hiddenCharacters, type LineVerdict } from './shell/analyzeShellBlock';
import { findPlaceholders, type SnippetMatch, type SnippetMatcher } from './SnippetMatcher';
import { emptyRecord, recordFrom } from '../../../common/emptyRecord';

type Markdown = InstanceType<typeof MarkdownIt>;
type Token = ReturnType<Markdown['parse']>[number];

export class RunbookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunbookError';
  }
}

/** Heading ids get this prefix so a runbook cannot clobber the page's own ids (or window globals). */
export const ANCHOR_PREFIX = 'rb-';

/** GitHub's heading slugs, so links written for GitHub (`#data-freshness-issues`) keep working. */
export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Sections without front matter are matched to areas by their headings. */
const AREA_HEADINGS: ReadonlyArray<[RegExp, z.infer<typeof RunbookArea>]> = [
  [/\bdata freshness\b|\bfreshness issues?\b/i, 'data-freshness'],
  [/\bbroker connectivity\b|\bbroker (?:problems?|issues?|outages?)\b/i, 'broker-connectivity'],
  [/\bsla violations?\b|\bsla\b/i, 'sla-violations'],
  [/\bcircuit[ -]breakers?\b/i, 'circuit-breakers'],
  [/\brate[ -]limits?\b/i, 'rate-limits'],
  [/\bworker queues?\b|\bqueue backlog\b/i, 'worker-queues'],
  [/\bsecurity checks?\b(?!list)/i, 'security-checks'],
];

/** h2 headings that mark a file as one runbook rather than a collection */
const STRUCTURE = /^(symptoms?|diagnosis( steps)?|resolution|escalation|remediation|mitigation)$/i;

export function areaForHeading(title: string): z.infer<typeof RunbookArea> | null {
  return AREA_HEADINGS.find(([re]) => re.test(title))?.[1] ?? null;
}

function createMarkdown(): Markdown {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false, highlight: (code, info) => highlightBlock(code, codeLanguage(info)) });
  md.use(anchor, { slugify: (s: string) => ANCHOR_PREFIX + slugify(s), tabIndex: false });
  md.use(taskLists, { enabled: false });
  // admonitions as GitHub (> [!WARNING]), MkDocs (!!! note) and Docusaurus (:::tip) render them;
  // the same classes for all three, so one stylesheet serves them
  md.use(githubAlerts, { icons: recordFrom(['note', 'tip', 'important', 'warning', 'caution'].map((k) => [k, ''])) });
  md.use(admonitions);
  // MkDocs writes titles in quotes (!!! danger "Data loss") and shows them without
  md.core.ruler.after('block', 'admonition-title-quotes', (state) => {
    state.tokens.forEach((t, i) => {
      const title = state.tokens[i + 1];
      if (t.type === 'admonition_title_open' && title?.type === 'inline') title.content = title.content.replace(/^"(.*)"$/, '$1');
    });
  });
  for (const kind of DOCUSAURUS_ADMONITIONS) {
    md.use(container, kind, {
      render: (tokens: Token[], idx: number) => {
        const t = tokens[idx]!;
        if (t.nesting !== 1) return '</div>\n';
        const title = t.info.trim().slice(kind.length).trim() || kind.charAt(0).toUpperCase() + kind.slice(1);
        return `<div class="admonition ${kind}"><p class="admonition-title">${md.utils.escapeHtml(title)}</p>\n`;
      },
    });
  }
  return md;
}

const DOCUSAURUS_ADMONITIONS = ['note', 'tip', 'info', 'caution', 'danger', 'warning', 'important', 'success', 'secondary'];

const md = createMarkdown();

const idOf = (t: Token): string => String(t.attrGet('id') ?? '');

/** The text of an inline token, markup removed. */
function plain(inline: Token | undefined): string {
  if (!inline) return '';
  if (!inline.children) return inline.content;
  return inline.children
    .map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : c.type === 'softbreak' || c.type === 'hardbreak' ? ' ' : ''))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface ParseRunbookOptions {
  readonly id: string;
  readonly source: string;
  /** shown to the user; also names the file in errors */
  readonly file: string;
  /** the runbook's own folder: relative images are read from it; null: no images */
  readonly dir: string | null;
  /** the configured folder images must stay inside (default: dir) */
  readonly root?: string | null;
  readonly catalog: Catalog;
  readonly matcher: SnippetMatcher;
}

/** A sub-heading's stretch of a one-runbook section (Symptoms, Diagnosis…): searched on its own so a hit opens there. */
export interface SearchPart {
  readonly anchor: string;
  readonly title: string;
  readonly body: string;
  readonly commands: string;
}

export interface ParsedRunbook {
  readonly doc: RunbookDoc;
  /** per section: plain text for the search index */
  readonly text: ReadonlyMap<string, { body: string; commands: string; parts: SearchPart[] }>;
}

/**
 * A runbook read far enough to list, link and index it: title, notes, sections with their areas,
 * symptoms, diagnosis steps and headings, and the search text. Its page (sanitized HTML,
 * highlighted code, each line's verdict) is built by `render()`, which the library calls when the
 * runbook is first opened: building every page at start-up was most of the load's cost (sanitizing,
 * inlining images, highlighting, parsing each shell block), spent on pages nobody had opened yet.
 */
export interface RunbookOutline {
  /** the doc as listed: every section's `parts` is empty until render() */
  readonly doc: RunbookDoc;
  readonly text: ParsedRunbook['text'];
  /** the doc with every section's parts: built on the first call, the same object after */
  render(): RunbookDoc;
}

/** Outline and page at once (tests, benches). */
export function parseRunbook(source: string, options: ParseRunbookOptions): ParsedRunbook {
  const outline = outlineRunbook(source, options);
  return { doc: outline.render(), text: outline.text };
}

type PendingPart = { kind: 'html'; tokens: Token[] } | { kind: 'code'; fence: Token; label: string | null; index: number };

export function outlineRunbook(source: string, options: ParseRunbookOptions): RunbookOutline {
  const fm = readFrontMatter(source);
  const front = fm.own;
  const body = fm.body;
  const env = emptyRecord<unknown>();
  const notes = [...fm.notes];
  const tokens = parseWithoutLoss(md, body, env, notes);

  // The title: front matter, else the first h1, else the file name.
  const h1 = tokens.findIndex((t) => t.type === 'heading_open' && t.tag === 'h1');
  const title = front.title ?? (h1 >= 0 ? plain(tokens[h1 + 1]) : options.file.replace(/^.*\//, '').replace(/\.md$/i, ''));
  const toc: RunbookHeading[] = tokens.flatMap((t, i) =>
    t.type === 'heading_open' ? [{ level: Number(t.tag.slice(1)), text: plain(tokens[i + 1]), anchor: idOf(t) }] : [],
  );

  // One section per file when the front matter names an area, or when the h2s are the parts of
  // one runbook (Symptoms, Diagnosis, Resolution…); otherwise each h2 is a section of its own.
  const h2s = tokens.flatMap((t, i) => (t.type === 'heading_open' && t.tag === 'h2' && t.level === 0 ? [i] : []));
  const single = front.area !== undefined || (h2s.length > 0 && h2s.some((i) => STRUCTURE.test(plain(tokens[i + 1]))));
  const ranges: Array<{ start: number; end: number; heading: number | null }> = [];
  let firstBody = 0;
  if (h1 >= 0 && tokens.slice(0, h1).every((t) => t.type === 'html_block' || t.type === 'hr')) firstBody = h1 + 3;
  if (single) {
    ranges.push({ start: 0, end: tokens.length, heading: h1 >= 0 ? h1 : null });
  } else {
    const introEnd = h2s[0] ?? tokens.length;
    if (tokens.slice(firstBody, introEnd).some((t) => t.type !== 'hr')) ranges.push({ start: firstBody, end: introEnd, heading: null });
    h2s.forEach((s, k) => ranges.push({ start: s, end: h2s[k + 1] ?? tokens.length, heading: s }));
  }

  const usedIds = new Set<string>();
  const text = new Map<string, { body: string; commands: string; parts: SearchPart[] }>();
  let blockIndex = 0;
  const pendingBySection: PendingPart[][] = [];
  const sections: RunbookSection[] = ranges.map((range) => {
    const sectionTitle = single ? title : range.heading === null ? 'Introduction' : plain(tokens[range.heading + 1]);
    const area = front.area ?? (range.heading === null && !single ? null : areaForHeading(sectionTitle));
    const subTag = single ? 'h2' : 'h3';
    let id = area ?? (slugify(sectionTitle) || 'section');
    for (let n = 2; usedIds.has(id); n++) id = `${area ?? slugify(sectionTitle)}-${n}`;
    usedIds.add(id);
    const anchorId = range.heading !== null ? idOf(tokens[range.heading]!) : h1 >= 0 ? idOf(tokens[h1]!) : '';
    const slice = tokens.slice(range.start, range.end);

    const parts: PendingPart[] = [];
    let pending: Token[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      parts.push({ kind: 'html', tokens: pending });
      pending = [];
    };
    const commands: string[] = [];
    slice.forEach((t, i) => {
      if (t.type === 'fence' && t.level === 0) {
        flush();
        parts.push({ kind: 'code', fence: t, label: labelBefore(slice, i), index: blockIndex++ });
        commands.push(t.content);
      } else {
        if (t.type === 'fence' || t.type === 'code_block') commands.push(t.content);
        pending.push(t);
      }
    });
    flush();
    pendingBySection.push(parts);

    const inlineText = (tokens: Token[]) =>
      tokens
        .filter((t) => t.type === 'inline')
        .map((t) => plain(t))
        .join(' ');
    const subs = single ? slice.flatMap((t, i) => (t.type === 'heading_open' && t.tag === 'h2' ? [i] : [])) : [];
    text.set(id, {
      body: inlineText(slice),
      commands: commands.join('\n'),
      parts: subs.map((at, k) => {
        const part = slice.slice(at, subs[k + 1] ?? slice.length);
        return {
          anchor: idOf(slice[at]!),
          title: plain(slice[at + 1]),
          body: inlineText(part),
          commands: part
            .filter((t) => t.type === 'fence' || t.type === 'code_block')
            .map((t) => t.content)
            .join('\n'),
        };
      }),
    });
    return {
      id,
      anchor: anchorId,
      title: sectionTitle,
      area,
      alerts: front.alerts ?? [],
      actions: front.actions ?? [],
      fixes: front.fixes ?? {},
      symptoms: listUnder(slice, subTag, /symptom/i).map((item) => plain(item)),
      diagnosis: listUnder(slice, subTag, /diagnos/i).map(diagnosisStep),
      headings: slice.flatMap((t, i) => (t.type === 'heading_open' ? [{ level: Number(t.tag.slice(1)), text: plain(slice[i + 1]), anchor: idOf(t) }] : [])),
      parts: [],
    };
  });

  const doc: RunbookDoc = {
    id: options.id,
    title,
    source: options.source,
    file: options.file,
    notes,
    weight: fm.weight,
    description: fm.description,
    toc,
    sections,
  };
  let rendered: RunbookDoc | null = null;
  return {
    doc,
    text,
    render: () => (rendered ??= renderPages(doc, pendingBySection, env, options)),
  };
}

/** The page: every section's parts, its HTML sanitized and its code highlighted and matched. */
function renderPages(outline: RunbookDoc, pending: readonly PendingPart[][], env: Record<string, unknown>, options: ParseRunbookOptions): RunbookDoc {
  const sections: RunbookSection[] = outline.sections.map((s, k) => ({
    ...s,
    parts: pending[k]!.map((p): RunbookPart =>
      p.kind === 'html'
        ? // raw for now: every fragment of the runbook is sanitized in one pass below
          { kind: 'html', html: md.renderer.render(p.tokens, md.options, env) }
        : { kind: 'code', block: codeBlock(p.fence, p.label, p.index, options) },
    ),
  }));
  // One sanitizer pass over all HTML fragments and one over all highlighted code of the runbook.
  const htmlParts = sections.flatMap((s) => s.parts.filter((p): p is Extract<RunbookPart, { kind: 'html' }> => p.kind === 'html'));
  sanitizeMany(
    htmlParts.map((p) => p.html),
    (html) => sanitizeRunbookHtml(html, options.dir, options.root ?? options.dir),
  ).forEach((html, i) => (htmlParts[i]!.html = html.trim()));
  for (const s of sections) s.parts = s.parts.filter((p) => p.kind !== 'html' || p.html !== '');
  const blocks = sections.flatMap((s) => s.parts.flatMap((p) => (p.kind === 'code' ? [p.block] : [])));
  sanitizeMany(
    blocks.map((b) => b.lines.map((l) => l.html).join('\n')),
    sanitizeHighlight,
  ).forEach((html, i) => splitLines(html).forEach((line, k) => (blocks[i]!.lines[k]!.html = showHidden(line))));
  return { ...outline, sections };
}

/** The inline token of each top-level item of the first list under the heading matching `re`. */
function listUnder(slice: Token[], tag: string, re: RegExp): Token[] {
  const at = slice.findIndex((t, i) => t.type === 'heading_open' && t.tag === tag && re.test(plain(slice[i + 1])));
  if (at < 0) return [];
  const items: Token[] = [];
  let depth = 0;
  let listLevel: number | null = null;
  for (let i = at + 3; i < slice.length; i++) {
    const t = slice[i]!;
    if (t.type === 'heading_open') break;
    if (t.type === 'bullet_list_open' || t.type === 'ordered_list_open') {
      if (listLevel === null) listLevel = t.level;
      depth++;
    } else if (t.type === 'bullet_list_close' || t.type === 'ordered_list_close') {
      depth--;
      if (depth === 0) break;
    } else if (t.type === 'inline' && listLevel !== null && t.level === listLevel + 3) {
      // list_item (level+1) > paragraph (level+2) > inline (level+3): the item's own text
      items.push(t);
    }
  }
  return items;
}

/** markdown-it puts empty text tokens around emphasis; they carry nothing. */
const meaningful = (inline: Token): Token[] => (inline.children ?? []).filter((c) => !(c.type === 'text' && c.content === ''));

/** "**Check SLA Status**: Navigate to…" -> title and detail. */
function diagnosisStep(inline: Token): { title: string; detail: string } {
  const children = meaningful(inline);
  if (children[0]?.type === 'strong_open') {
    const close = children.findIndex((c) => c.type === 'strong_close');
    const title = children
      .slice(1, close)
      .map((c) => c.content)
      .join('')
      .trim();
    const rest = plain({ ...inline, children: children.slice(close + 1) } as Token).replace(/^[:\s–—-]+/, '');
    return { title: title.replace(/:$/, ''), detail: rest };
  }
  return { title: plain(inline), detail: '' };
}

/** A paragraph that is only bold text right before a fence labels it ("For CoinGecko Issues:"). */
function labelBefore(slice: Token[], fence: number): string | null {
  const inline = slice[fence - 2];
  if (slice[fence - 1]?.type !== 'paragraph_close' || inline?.type !== 'inline') return null;
  const c = meaningful(inline);
  if (c.length === 3 && c[0]!.type === 'strong_open' && c[2]!.type === 'strong_close') return c[1]!.content.trim().replace(/:$/, '');
  return null;
}

const SHELL = new Set(['bash']);

/** Sanitized line markup with each hidden character as a visible, marked `<U+XXXX>` escape. */
function showHidden(html: string): string {
  const visible = visibleText(html);
  if (visible.escaped === 0) return html;
  // sanitized markup holds no literal "<U+": every one here is an escape visibleText made
  return visible.text.replace(/<U\+([0-9A-F]{4,6})>/g, '<span class="hljs-hidden-char" title="hidden character U+$1">&lt;U+$1&gt;</span>');
}

function codeBlock(fence: Token, label: string | null, index: number, options: ParseRunbookOptions): RunbookCodeBlock {
  const info = fence.info.trim().split(/\s+/)[0] ?? '';
  const lang = codeLanguage(info);
  const source = fence.content.replace(/\n$/, '');
  const rawLines = source.split('\n');
  // raw hljs markup here; sanitized (whole runbook at once) in parseRunbook
  const html = splitLines(highlightBlock(source, lang));
  const verdicts =
    lang !== null && SHELL.has(lang) ? analyzeShellBlock(source, options.matcher) : lang === 'python' ? analyzePythonBlock(source, options.matcher) : null;
  const lines: RunbookLine[] = rawLines.map((text, i) => {
    const hidden = hiddenCharacters(text);
    const v = verdicts?.[i] ?? {
      kind: text.trim() === '' ? 'blank' : lang === 'yaml' && /^\s*#/.test(text) ? 'comment' : 'code',
      match: null,
      withheld: null,
      warnings: hidden ? [hidden] : [],
    };
    const kind: RunbookLine['kind'] = verdicts && v.kind === 'command' && lang === 'python' ? 'code' : v.kind;
    return {
      text,
      kind,
      html: html[i] ?? '',
      action: v.match ? described(v.match, options) : null,
      withheld: v.match ? null : v.withheld,
      warnings: v.warnings,
      placeholders: kind === 'command' || kind === 'code' ? findPlaceholders(kind === 'command' ? logicalLine(rawLines, i, verdicts) : text) : [],
    };
  });
  return { index, lang: lang ?? (info || 'text'), label, lines };
}

/** A command and the continuation lines after it, as one text (placeholders may sit on any of them). */
function logicalLine(lines: string[], i: number, verdicts: LineVerdict[] | null): string {
  let end = i;
  while (verdicts && verdicts[end + 1]?.kind === 'continuation') end++;
  return lines.slice(i, end + 1).join('\n');
}

function described(match: SnippetMatch, options: ParseRunbookOptions): RunbookLine['action'] {
  const action = options.catalog.get(match.actionId)!;
  return {
    actionId: match.actionId,
    title: action.title,
    risk: action.risk,
    params: { ...match.params },
    note: match.note,
    command: options.matcher.commandFor(match),
  };
}
