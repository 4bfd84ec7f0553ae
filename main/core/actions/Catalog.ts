// The remediation catalog: every action Opsdeck can run, loaded from YAML (resources/actions.yaml)
// and validated once at start-up, so a bad entry fails loudly naming the action and field
// instead of surfacing when an engineer clicks it mid-incident.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ActionId, type ActionSummary, type ParamSpec, type ParamValues, type Risk } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { emptyRecord } from '../../../common/emptyRecord';
import { shellQuote } from '../shellQuote';
import { EffectCheckDef, renderEffectCheck } from './effectCheck';
import { RUNBOOK_SECTIONS } from '../../../common/thresholds';

/** The runbook sections an action can serve: one list, in common/thresholds.ts. */
export const SECTIONS = RUNBOOK_SECTIONS;

const PLACEHOLDER = /\{([a-zA-Z][a-zA-Z0-9_]*)\}/g;
/** enum choices are shown and passed as-is: keep them plain */
const SAFE_CHOICE = /^[A-Za-z0-9][A-Za-z0-9 _.:@/+*-]{0,127}$/;

const ParamDef = z
  .object({
    name: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,31}$/, 'must be a short lower-camel or snake name'),
    label: z.string().min(1),
    kind: z.enum(['enum', 'integer', 'string']),
    choices: z.array(z.string().regex(SAFE_CHOICE, 'choice must be letters, digits, spaces and _.:@/+*- (no leading "-")')).min(1).optional(),
    min: z.number().int().min(0, 'must be >= 0 (a negative value would read as an option)').optional(),
    max: z.number().int().optional(),
    default: z.union([z.string(), z.number()]).optional(),
    pattern: z.string().optional(),
    maxLength: z.number().int().positive().max(4096).optional(),
    help: z.string().optional(),
  })
  .strict();
type ParamDef = z.infer<typeof ParamDef>;

const ActionDef = z
  .object({
    id: ActionId,
    title: z.string().min(1),
    section: z.enum(SECTIONS),
    risk: z.enum(['read-only', 'service-affecting', 'destructive']),
    streams: z.boolean().default(false),
    description: z.string().optional(),
    params: z.array(ParamDef).default([]),
    /** argv words; `{param}` placeholders are replaced and the whole word shell-quoted */
    command: z.array(z.string().min(1)).min(1).optional(),
    /** a fixed sh script for pipelines; parameters reach it only as "$1", "$2"… from `args` */
    script: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    /** lock keys held per host while it runs ("{unit}", "queue:{queue}") */
    locks: z.array(z.string().min(1)).optional(),
    /** destructive actions: the text the user must type, e.g. "{queue}" or "{host}" */
    confirmText: z.string().min(1).optional(),
    /** seconds before the remote command is stopped; 0 = until cancelled (follow) */
    timeoutSeconds: z.number().int().min(0).max(86_400).default(120),
    /** one host at a time, stop at the first failure */
    rolling: z.boolean().default(false),
    maxHosts: z.number().int().positive().optional(),
    /**
     * journal-cursor: the command prints `journalctl -o json`; output is shown as short-iso lines
     * and, when the connection drops, `resumeCommand` runs with {cursor} set to the last entry
     * received, so the follow carries on with no line lost or repeated
     */
    resume: z.enum(['journal-cursor', 'file-offset']).optional(),
    resumeCommand: z.array(z.string().min(1)).min(1).optional(),
    /**
     * a read-only sh script run on every host when the action is previewed, its output shown in the
     * preview before confirm (the job count a queue clear would remove); parameters reach it only
     * as "$1", "$2"… from `args`, as with `script`
     */
    precheck: z
      .object({ label: z.string().min(1), script: z.string().min(1), args: z.array(z.string()).default([]) })
      .strict()
      .optional(),
    /**
     * how the effect is checked on the host later: a run cut off before its exit status is
     * settled by it once the host answers again (without one the run stays unknown; every
     * bundled action that changes a host has one)
     */
    effect: EffectCheckDef.optional(),
    /** the action the UI offers once this one succeeds (config edit -> restart), with its params */
    followUp: z
      .object({ action: ActionId, params: z.record(z.string(), z.union([z.string(), z.number()])).default({}) })
      .strict()
      .optional(),
  })
  .strict();
type ActionDef = z.infer<typeof ActionDef>;

export interface CatalogAction extends ActionDef {
  /** compiled string patterns, anchored */
  readonly patterns: ReadonlyMap<string, RegExp>;
}

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Validated, normalised parameter values: what the command, locks and token are built from. */
export type ResolvedParams = Readonly<Record<string, string>>;

export class Catalog {
  private readonly byId: ReadonlyMap<string, CatalogAction>;

  constructor(actions: readonly CatalogAction[]) {
    this.byId = new Map(actions.map((a) => [a.id, a]));
  }

  get(id: string): CatalogAction | undefined {
    return this.byId.get(id);
  }

  /** The action (and its parameters) to offer after `id` succeeds, if the catalog names one. */
  followUp(id: string): { actionId: string; params: Record<string, string | number> } | null {
    const f = this.byId.get(id)?.followUp;
    return f ? { actionId: f.action, params: { ...f.params } } : null;
  }

  all(): CatalogAction[] {
    return [...this.byId.values()];
  }

  list(): ActionSummary[] {
    return this.all().map((a) => ({
      id: a.id,
      title: a.title,
      section: a.section,
      risk: a.risk as Risk,
      streams: a.streams,
      params: a.params.map(toSpec),
      description: a.description ?? '',
      followUp: this.followUp(a.id),
    }));
  }
}

function toSpec(p: ParamDef): ParamSpec {
  const spec: ParamSpec = { name: p.name, label: p.label, kind: p.kind };
  if (p.choices) spec.choices = p.choices;
  if (p.min !== undefined) spec.min = p.min;
  if (p.max !== undefined) spec.max = p.max;
  if (p.default !== undefined) spec.default = p.default;
  if (p.pattern !== undefined) spec.pattern = p.pattern;
  return spec;
}

/** Parse and validate a catalog. `source` names the file in every error. */
export function parseCatalog(text: string, source: string): Catalog {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    // yaml's message ends with a code excerpt; the first line already names line and column
    throw new CatalogError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  // top-level keys starting "x-" hold YAML anchors shared by actions; nothing else is allowed
  const top = z
    .object({ version: z.literal(1), actions: z.array(z.unknown()).min(1) })
    .passthrough()
    .safeParse(doc);
  if (!top.success) throw new CatalogError(`${source}: ${describe(top.error)}`);
  const stray = Object.keys(top.data).find((k) => k !== 'version' && k !== 'actions' && !k.startsWith('x-'));
  if (stray) throw new CatalogError(`${source}: unknown top-level key "${stray}" (shared pieces go under keys starting "x-")`);
  const actions: CatalogAction[] = [];
  const seen = new Set<string>();
  top.data.actions.forEach((raw, index) => {
    const rawId = typeof raw === 'object' && raw && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
    const where = rawId ? `${source}: action '${rawId}'` : `${source}: actions[${index}]`;
    const parsed = ActionDef.safeParse(raw);
    if (!parsed.success) throw new CatalogError(`${where}: ${describe(parsed.error)}`);
    const action = checkAction(parsed.data, where);
    if (seen.has(action.id)) throw new CatalogError(`${where}: id is used twice`);
    seen.add(action.id);
    actions.push(action);
  });
  const catalog = new Catalog(actions);
  for (const a of actions) {
    if (!a.followUp) continue;
    const target = catalog.get(a.followUp.action);
    if (!target) throw new CatalogError(`${source}: action '${a.id}': followUp: no action '${a.followUp.action}'`);
    try {
      resolveParams(target, a.followUp.params);
    } catch (err) {
      throw new CatalogError(`${source}: action '${a.id}': followUp.params: ${(err as Error).message}`);
    }
  }
  return catalog;
}

export async function loadCatalogFile(path: string): Promise<Catalog> {
  return parseCatalog(await readFile(path, 'utf8'), path);
}

/**
 * The catalog shipped in resources/actions.yaml, found by walking up from this module (the
 * source tree under vitest/tsx, out/main/ when built). Read synchronously once at start-up.
 */
export function bundledCatalog(): Catalog {
  const path = findBundledCatalog();
  if (!path) throw new CatalogError('resources/actions.yaml not found above ' + moduleDir());
  return parseCatalog(readFileSync(path, 'utf8'), path);
}

export function findBundledCatalog(from = moduleDir()): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'resources', 'actions.yaml');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

const moduleDir = (): string => dirname(fileURLToPath(import.meta.url));

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  const message = issue?.message ?? 'invalid';
  return issue?.path.length ? `${issue.path.join('.')}: ${message}` : message;
}

function checkAction(a: ActionDef, where: string): CatalogAction {
  const fail = (field: string, message: string): never => {
    throw new CatalogError(`${where}: ${field}: ${message}`);
  };
  if (!!a.command === !!a.script) fail('command', 'give exactly one of command (argv words) or script');
  if (a.args && !a.script) fail('args', 'args go with script');
  const names = new Set<string>();
  const patterns = new Map<string, RegExp>();
  a.params.forEach((p, i) => {
    const f = `params[${i}] (${p.name})`;
    if (names.has(p.name)) fail(f, 'name is used twice');
    names.add(p.name);
    if (p.kind === 'enum' && !p.choices) fail(f, 'an enum needs choices');
    if (p.kind !== 'enum' && p.choices) fail(f, 'only an enum has choices');
    if (p.kind === 'integer' && (p.min === undefined || p.max === undefined)) fail(f, 'an integer needs min and max');
    if (p.kind === 'integer' && p.min! > p.max!) fail(f, 'min is above max');
    if (p.kind !== 'integer' && (p.min !== undefined || p.max !== undefined)) fail(f, 'only an integer has min and max');
    if (p.kind === 'string') {
      if (!p.pattern) fail(f, 'a string needs a pattern');
      try {
        patterns.set(p.name, new RegExp(`^(?:${p.pattern})$`));
      } catch (err) {
        fail(f, `pattern does not compile: ${(err as Error).message}`);
      }
    } else if (p.pattern) fail(f, 'only a string has a pattern');
    if (p.default !== undefined) {
      const checked = checkValue(p, patterns.get(p.name), p.default);
      if (!checked.ok) fail(f, `default: ${checked.message}`);
    }
  });
  const checkWords = (field: string, words: readonly string[] | undefined, also: readonly string[] = []) =>
    words?.forEach((w, i) => {
      for (const m of w.matchAll(PLACEHOLDER)) {
        const name = m[1]!;
        if (!names.has(name) && !also.includes(name)) fail(`${field}[${i}]`, `unknown parameter {${name}}`);
      }
    });
  if (a.resume) {
    if (!a.streams || !a.command) fail('resume', 'only a streaming argv command can resume');
    if (!a.resumeCommand?.some((w) => w.includes('{cursor}'))) fail('resumeCommand', 'needs a word with {cursor}');
    if (a.resume === 'journal-cursor') {
      const words = a.command!.join(' ');
      if (!/(^| )(-o json|--output=json)( |$)/.test(words)) fail('resume', 'a journal-cursor resume needs the command to print -o json');
      if (!/(^| )(-o json|--output=json)( |$)/.test(a.resumeCommand!.join(' '))) fail('resumeCommand', 'must print -o json too');
    }
  } else if (a.resumeCommand) fail('resumeCommand', 'goes with resume');
  if (a.resume && names.has('cursor')) fail('params', 'a resumable action cannot have a parameter named cursor');
  checkWords('resumeCommand', a.resumeCommand, ['cursor']);
  if (a.effect?.check === 'unit-started' || a.effect?.check === 'unit-stopped') checkWords('effect.units', a.effect.units);
  if (a.effect?.check === 'script') checkWords('effect.args', a.effect.args, ['sinceSeconds']);
  checkWords('command', a.command);
  checkWords('args', a.args);
  checkWords('locks', a.locks);
  checkWords('confirmText', a.confirmText ? [a.confirmText] : undefined, ['host']);
  if (a.risk === 'destructive' && !a.confirmText) fail('confirmText', 'a destructive action needs the text to type to confirm');
  if (a.risk !== 'destructive' && a.confirmText) fail('confirmText', 'only destructive actions ask for typed confirmation');
  if (a.streams && a.timeoutSeconds !== 0 && a.timeoutSeconds < 60) fail('timeoutSeconds', 'a streaming action needs 0 (until cancelled) or at least 60');
  return { ...a, patterns };
}

// ---- parameter validation -------------------------------------------------------------------

const isControl = (s: string): boolean => [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f');
const isNonAscii = (s: string): boolean => [...s].some((ch) => ch.charCodeAt(0) > 0x7f);
const SHELL_META = /[\s;&|$`<>(){}[\]*?!~'"\\#%^=,]/;

type Checked = { ok: true; value: string } | { ok: false; message: string };

function checkValue(p: ParamDef, pattern: RegExp | undefined, raw: unknown): Checked {
  const bad = (message: string): Checked => ({ ok: false, message });
  switch (p.kind) {
    case 'enum': {
      if (typeof raw !== 'string') return bad(`must be one of ${p.choices!.join(', ')}`);
      return p.choices!.includes(raw) ? { ok: true, value: raw } : bad(`"${printable(raw)}" is not one of ${p.choices!.join(', ')}`);
    }
    case 'integer': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && /^[0-9]{1,15}$/.test(raw)) n = Number(raw);
      else return bad(`must be a whole number from ${p.min} to ${p.max}${typeof raw === 'string' ? `, not "${printable(raw)}"` : ''}`);
      if (!Number.isSafeInteger(n)) return bad(`must be a whole number from ${p.min} to ${p.max}`);
      if (n < p.min! || n > p.max!) return bad(`${n} is outside ${p.min} to ${p.max}`);
      return { ok: true, value: String(n) };
    }
    case 'string': {
      if (typeof raw !== 'string') return bad('must be text');
      const max = p.maxLength ?? 128;
      if (raw === '') return bad('must not be empty');
      if (raw.length > max) return bad(`is longer than ${max} characters`);
      if (isControl(raw)) return bad('contains a newline or control character');
      if (isNonAscii(raw)) return bad('contains non-ASCII characters');
      if (raw.startsWith('-')) return bad(`"${raw}" looks like a command-line option`);
      const meta = SHELL_META.exec(raw);
      if (meta) return bad(`contains ${meta[0] === ' ' ? 'a space' : `"${meta[0]}"`}, which is not allowed`);
      if (!pattern!.test(raw)) return bad(`"${raw}" does not match ${p.pattern}`);
      return { ok: true, value: raw };
    }
  }
}

/** Show a refused value without letting it mangle the message (newlines, escapes, huge input). */
function printable(raw: string): string {
  const s = JSON.stringify(raw.length > 60 ? raw.slice(0, 60) + '…' : raw);
  return s.slice(1, -1);
}

/**
 * Validate what the renderer sent against the action's parameters: unknown names refused,
 * missing ones take their default or are refused, every value checked. Errors name the
 * parameter and say what was wrong.
 */
export function resolveParams(action: CatalogAction, values: ParamValues): ResolvedParams {
  const out = emptyRecord<string>();
  const known = new Set(action.params.map((p) => p.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      const expected = action.params.length ? `it takes ${action.params.map((p) => p.name).join(', ')}` : 'it takes none';
      throw new OpsFailure('bad-request', `${action.id}: unknown parameter "${printable(name)}" (${expected})`);
    }
  }
  for (const p of action.params) {
    const raw = Object.hasOwn(values, p.name) ? values[p.name] : p.default;
    if (raw === undefined) throw new OpsFailure('bad-request', `${action.id}: parameter ${p.name} (${p.label}) is required`);
    const checked = checkValue(p, action.patterns.get(p.name), raw);
    if (!checked.ok) throw new OpsFailure('bad-request', `${action.id}: parameter ${p.name} (${p.label}) ${checked.message}`);
    out[p.name] = checked.value;
  }
  return out;
}

// ---- rendering ------------------------------------------------------------------------------

/** Replace `{param}` placeholders in one template word (no quoting). */
export function fillWord(word: string, params: ResolvedParams, extra: Readonly<Record<string, string>> = {}): string {
  return word.replace(PLACEHOLDER, (_m, name: string) => {
    const v = params[name] ?? extra[name];
    if (v === undefined) throw new OpsFailure('internal', `template names {${name}}, which has no value`);
    return v;
  });
}

/**
 * The exact command line a host runs. Argv actions: every word filled and shell-quoted. Script
 * actions: `sh -c '<script>' <action id> <args…>`; the script text is fixed in the catalog and
 * parameters reach it only as quoted positional arguments, never as shell text.
 */
export function renderCommand(action: CatalogAction, params: ResolvedParams): string {
  if (action.command) return action.command.map((w) => shellQuote(fillWord(w, params))).join(' ');
  const args = (action.args ?? []).map((w) => shellQuote(fillWord(w, params)));
  return ['sh', '-c', shellQuote(action.script!), shellQuote(action.id), ...args].join(' ');
}

/** The precheck's command line (`sh -c '<script>' <id>:precheck <args…>`), or null without one. */
export function renderPrecheck(action: CatalogAction, params: ResolvedParams): string | null {
  if (!action.precheck) return null;
  const args = action.precheck.args.map((w) => shellQuote(fillWord(w, params)));
  return ['sh', '-c', shellQuote(action.precheck.script), shellQuote(`${action.id}:precheck`), ...args].join(' ');
}

/** The command that checks the action's effect on a host, or null when it has none. */
export function renderEffect(action: CatalogAction, params: ResolvedParams, sinceSeconds: number): string | null {
  return action.effect ? renderEffectCheck(action.id, action.effect, (w) => fillWord(w, params, { sinceSeconds: String(Math.ceil(sinceSeconds)) })) : null;
}

/** The command that picks a resumable follow up after the entry with this cursor. */
export function renderResumeCommand(action: CatalogAction, params: ResolvedParams, cursor: string): string {
  if (!action.resumeCommand) throw new OpsFailure('internal', `${action.id} cannot resume`);
  return action.resumeCommand.map((w) => shellQuote(fillWord(w, params, { cursor }))).join(' ');
}

/** Lock keys held on each host while the action runs. */
export function lockKeys(action: CatalogAction, params: ResolvedParams): string[] {
  if (action.locks) return [...new Set(action.locks.map((w) => fillWord(w, params)))];
  // Anything that changes a host is at least exclusive with itself; reads never block.
  return action.risk === 'read-only' ? [] : [`action:${action.id}`];
}
