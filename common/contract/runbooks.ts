// Runbooks: the library, one document parsed for the viewer, and search. Main parses and
// sanitizes; the page only renders what arrives here.
import { z } from 'zod';
import { RUNBOOK_SECTIONS } from '../thresholds';
import { Risk } from './actions';
import { Empty, ActionId } from './ids';

export const RunbookArea = z.enum(RUNBOOK_SECTIONS);
export type RunbookArea = z.infer<typeof RunbookArea>;
export const RunbookId = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'not a runbook id');

/** A line of a code block; main decides what it is and whether a catalog action runs it. */
export const RunbookLine = z.object({
  text: z.string(),
  /** command: a shell command (first line of it); continuation: a later line of one; code: other languages */
  kind: z.enum(['command', 'continuation', 'code', 'comment', 'blank']),
  /** highlight.js markup of this line (spans with hljs-* classes only), sanitized */
  html: z.string(),
  action: z
    .object({
      actionId: ActionId,
      title: z.string(),
      risk: Risk,
      params: z.record(z.string(), z.union([z.string(), z.number()])),
      note: z.string().nullable(),
      /** the exact command the action runs for these params, shown beside the line with every difference marked */
      command: z.string(),
    })
    .nullable(),
  /** why a line that reads as a command has no "Run on…" (shown on hover) */
  withheld: z.string().nullable(),
  /** what the line, Copy and the preview must say: a comment after the command, hidden characters */
  warnings: z.array(z.string()),
  /** placeholder words to fill in before copying ("0x...", "your-key"); never filled from the environment */
  placeholders: z.array(z.object({ text: z.string(), label: z.string() })),
});
export type RunbookLine = z.infer<typeof RunbookLine>;

export const RunbookCodeBlock = z.object({ index: z.number().int(), lang: z.string(), label: z.string().nullable(), lines: z.array(RunbookLine) });
export type RunbookCodeBlock = z.infer<typeof RunbookCodeBlock>;

export const RunbookPart = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('html'), html: z.string() }),
  z.object({ kind: z.literal('code'), block: RunbookCodeBlock }),
]);
export type RunbookPart = z.infer<typeof RunbookPart>;

export const RunbookHeading = z.object({ level: z.number().int(), text: z.string(), anchor: z.string() });
export type RunbookHeading = z.infer<typeof RunbookHeading>;

export const RunbookSection = z.object({
  id: z.string(),
  anchor: z.string(),
  title: z.string(),
  area: RunbookArea.nullable(),
  alerts: z.array(z.string()),
  actions: z.array(z.string()),
  /** alert rule id -> the label of the block with that alert's fix, from the front matter */
  fixes: z.record(z.string(), z.string()),
  symptoms: z.array(z.string()),
  diagnosis: z.array(z.object({ title: z.string(), detail: z.string() })),
  headings: z.array(RunbookHeading),
  parts: z.array(RunbookPart),
});
export type RunbookSection = z.infer<typeof RunbookSection>;

export const RunbookSummary = z.object({
  id: RunbookId,
  title: z.string(),
  /** where it came from: the bundled set or a folder named in the config */
  source: z.string(),
  file: z.string(),
  /** what was ignored or recovered while reading it (foreign front matter, unclosed raw HTML, deep nesting) */
  notes: z.array(z.string()),
  /** order within its folder from the source tool's front matter (Hugo weight, sidebar_position) */
  weight: z.number().nullable(),
  sections: z.array(z.object({ id: z.string(), title: z.string(), anchor: z.string(), area: RunbookArea.nullable() })),
});
export type RunbookSummary = z.infer<typeof RunbookSummary>;

export const RunbookDoc = RunbookSummary.extend({ description: z.string().nullable(), toc: z.array(RunbookHeading), sections: z.array(RunbookSection) });
export type RunbookDoc = z.infer<typeof RunbookDoc>;

export const RunbookHit = z.object({
  runbookId: RunbookId,
  sectionId: z.string(),
  anchor: z.string(),
  title: z.string(),
  sectionTitle: z.string(),
  area: RunbookArea.nullable(),
  score: z.number(),
  /** the words of the runbook that matched (after typo tolerance), for highlighting */
  terms: z.array(z.string()),
  excerpt: z.string(),
});
export type RunbookHit = z.infer<typeof RunbookHit>;

export const runbookCalls = {
  listRunbooks: { request: Empty, response: z.object({ runbooks: z.array(RunbookSummary), problems: z.array(z.string()) }) },
  getRunbook: { request: z.object({ id: RunbookId }).strict(), response: RunbookDoc },
  searchRunbooks: {
    request: z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(100).optional() }).strict(),
    response: z.object({ hits: z.array(RunbookHit), tookMs: z.number() }),
  },
} as const;

export const runbookEvents = {} as const;
