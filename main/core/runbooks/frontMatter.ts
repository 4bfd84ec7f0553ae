// Front matter of any tool a team's runbooks were written for (Hugo, Hugo Book, Docusaurus,
// Jekyll, MkDocs): Opsdeck's own keys are checked one by one, the other tools' keys it can use
// are kept (a title, a description, an order, hidden pages), the rest are ignored with a note.
// Nothing here refuses a file: a wrong value or broken YAML is a note on the runbook, which is
// still shown.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RunbookArea } from '../../../common/contract';

export interface OwnFrontMatter {
  title?: string;
  area?: z.infer<typeof RunbookArea>;
  alerts?: string[];
  actions?: string[];
  fixes?: Record<string, string>;
}

export interface FrontMatter {
  readonly own: OwnFrontMatter;
  readonly description: string | null;
  /** order within its folder (Hugo weight, Docusaurus sidebar_position, Jekyll nav_order) */
  readonly weight: number | null;
  /** the page is hidden or a draft where it came from (Hugo Book bookHidden, draft, unlisted) */
  readonly hidden: boolean;
  readonly body: string;
  /** what was ignored and why, shown at the top of the runbook */
  readonly notes: string[];
}

const OWN = {
  title: z.string().min(1).max(200),
  area: RunbookArea,
  alerts: z.array(z.string().min(1).max(100)).max(100),
  actions: z.array(z.string().min(1).max(100)).max(100),
  /** alert rule id -> the label of the block that holds its fix (the bold line above the block) */
  fixes: z.record(z.string().min(1).max(100), z.string().min(1).max(200)),
} as const;

const TITLES = ['linkTitle', 'sidebar_label', 'nav_title'];
const DESCRIPTIONS = ['description', 'summary'];
const WEIGHTS = ['weight', 'sidebar_position', 'nav_order'];
const HIDDEN = ['bookHidden', 'draft', 'unlisted', 'hidden', 'nav_exclude'];
/** keys of those tools that change nothing in an offline viewer: kept quiet */
const QUIET = new Set([
  'aliases',
  'redirect_from',
  'date',
  'lastmod',
  'publishDate',
  'expiryDate',
  'tags',
  'categories',
  'keywords',
  'slug',
  'url',
  'permalink',
  'type',
  'layout',
  'toc',
  'bookToc',
  'bookCollapseSection',
  'bookFlatSection',
  'bookComments',
  'bookSearchExclude',
  'menu',
  'id',
  'hide_title',
  'hide_table_of_contents',
  'image',
  'custom_edit_url',
  'displayed_sidebar',
  'pagination_label',
  'pagination_next',
  'pagination_prev',
  'sidebar_class_name',
  'author',
  'authors',
  'parent',
  'grand_parent',
  'has_children',
  'search',
  'template',
  'icon',
  'status',
  'owner',
  'team',
  'severity',
  'labels',
  'hide',
  'tocDepth',
]);

const FENCE = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

export function readFrontMatter(text: string): FrontMatter {
  const m = FENCE.exec(text);
  const none = { own: {}, description: null, weight: null, hidden: false, notes: [] as string[] };
  if (!m) return { ...none, body: text };
  const body = text.slice(m[0].length);
  let raw: unknown;
  try {
    raw = parseYaml(m[1]!) ?? {};
  } catch (error) {
    return { ...none, body, notes: [`front matter is not valid YAML (${(error as Error).message.split('\n')[0]}): ignored`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ...none, body, notes: ['front matter is not a set of keys: ignored'] };
  const own: OwnFrontMatter = {};
  const notes: string[] = [];
  const ignored: string[] = [];
  let description: string | null = null;
  let weight: number | null = null;
  let hidden = false;
  let altTitle: string | null = null;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (Object.hasOwn(OWN, key)) {
      const parsed = OWN[key as keyof typeof OWN].safeParse(value);
      if (parsed.success) (own as Record<string, unknown>)[key] = parsed.data;
      else notes.push(`front matter: ${key}: ${show(value)} ${parsed.error.issues[0]!.message.toLowerCase()}: ignored`);
    } else if (TITLES.includes(key) && typeof value === 'string') altTitle ??= value;
    else if (DESCRIPTIONS.includes(key) && typeof value === 'string') description ??= value.slice(0, 500);
    else if (WEIGHTS.includes(key) && typeof value === 'number' && Number.isFinite(value)) weight ??= value;
    else if (HIDDEN.includes(key)) hidden ||= value === true;
    else if (!QUIET.has(key)) ignored.push(key);
  }
  if (own.title === undefined && altTitle) own.title = altTitle.slice(0, 200);
  if (hidden) notes.push('marked hidden or draft where it came from; shown here');
  if (ignored.length) notes.push(`front matter keys Opsdeck does not use: ${ignored.slice(0, 12).join(', ')}${ignored.length > 12 ? '…' : ''} (ignored)`);
  return { own, description, weight, hidden, body, notes };
}
