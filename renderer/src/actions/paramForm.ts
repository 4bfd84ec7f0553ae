// The catalog browser's parameter form as plain functions: initial values from a ParamSpec,
// client-side hints, and the request values. Hints only: main validates every value again and
// its refusal (naming the parameter) is what the preview shows.
import type { ActionSummary, ParamSpec } from '../../../common/contract';
import { RUNBOOK_SECTION_TITLES, RUNBOOK_SECTIONS } from '../../../common/thresholds';
import { emptyRecord } from '../../../common/emptyRecord';

export const RISK_ORDER: Readonly<Record<ActionSummary['risk'], number>> = { 'read-only': 0, 'service-affecting': 1, destructive: 2 };

/** Catalog actions by runbook section (in runbook order), read-only first within a section. */
export function groupBySection(actions: readonly ActionSummary[]): Array<{ section: string; title: string; actions: ActionSummary[] }> {
  const order: readonly string[] = RUNBOOK_SECTIONS;
  const groups = new Map<string, ActionSummary[]>();
  for (const a of actions) groups.set(a.section, [...(groups.get(a.section) ?? []), a]);
  return [...groups.entries()]
    .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
    .map(([section, list]) => ({
      section,
      title: (RUNBOOK_SECTION_TITLES as Readonly<Record<string, string>>)[section] ?? section,
      actions: [...list].sort((a, b) => RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || a.title.localeCompare(b.title)),
    }));
}

/** What the form's inputs hold: always text, as inputs do. */
export type FormValues = Record<string, string>;

export function initialValues(params: readonly ParamSpec[]): FormValues {
  const values: FormValues = {};
  for (const p of params) {
    if (p.default !== undefined) values[p.name] = String(p.default);
    else values[p.name] = p.kind === 'enum' ? (p.choices?.[0] ?? '') : '';
  }
  return values;
}

/** A value the console has seen live: `value` is what main gets, `label` what the panel shows. */
export interface LiveChoice {
  value: string;
  label: string;
}

/** Redis key of a worker queue as the panel names it: "scanner" -> "worker:scanner:queue". */
export const queueKey = (name: string): string => `worker:${name}:queue`;

/** What the page knows live that a parameter can be chosen from. */
export interface LiveValues {
  /** worker queue names from the Worker queues panel ("scanner") */
  queues: readonly string[];
  /** systemd units from the chosen hosts' facts */
  units: readonly string[];
}

/**
 * Live choices for a parameter: worker queues for a `worker:…` key, units from host facts for a
 * unit. Only choices main would accept (the parameter's pattern or enum) are offered.
 */
export function liveChoices(p: ParamSpec, live: LiveValues): LiveChoice[] {
  if (p.kind === 'string' && p.pattern?.startsWith('worker:')) {
    return live.queues.map((name) => ({ value: queueKey(name), label: name })).filter((c) => hintFor(p, c.value) === null);
  }
  if (p.kind === 'enum' && p.name === 'unit') {
    // the facts name a unit as systemctl does ("autotrader-api.service"); the catalog may leave ".service" off
    const bare = (unit: string) => unit.replace(/\.service$/, '');
    const known = new Set(live.units.map(bare));
    return (p.choices ?? []).filter((c) => known.has(bare(c))).map((c) => ({ value: c, label: c }));
  }
  return [];
}

/** What was typed, or the live value it names: typing "scanner" as the panel shows it means its queue key. */
export function resolveValue(raw: string, choices: readonly LiveChoice[]): string {
  const named = choices.find((c) => c.label === raw && c.value !== raw);
  return named ? named.value : raw;
}

/** Labels of required fields (no default) left empty: Preview waits until they are filled in. */
export function missingRequired(params: readonly ParamSpec[], values: FormValues): string[] {
  return params.filter((p) => p.default === undefined && (values[p.name] ?? '').trim() === '').map((p) => p.label);
}

/** A hint under a field when its value will surely be refused; null when it looks fine. */
export function hintFor(p: ParamSpec, raw: string | undefined): string | null {
  const value = raw ?? '';
  if (value === '') return p.default !== undefined ? null : `${p.label} is required`;
  if (p.kind === 'integer') {
    if (!/^\d+$/.test(value)) return `${p.label} must be a whole number`;
    const n = Number(value);
    if (p.min !== undefined && n < p.min) return `${p.label} must be at least ${p.min}`;
    if (p.max !== undefined && n > p.max) return `${p.label} must be at most ${p.max}`;
    return null;
  }
  if (p.kind === 'enum') return p.choices?.includes(value) ? null : `${p.label} must be one of ${p.choices?.join(', ')}`;
  if (p.pattern) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(`^(?:${p.pattern})$`);
    } catch {
      return null; // a pattern this browser cannot compile: leave it to main
    }
    if (!re.test(value)) return `${p.label} must match ${p.pattern}`;
  }
  return null;
}

/** Request values: integers as numbers when they are plain digits, the rest as typed; empty fields left out (main applies defaults). */
export function requestValues(
  params: readonly ParamSpec[],
  values: FormValues,
  choices: Readonly<Record<string, readonly LiveChoice[]>> = {},
): Record<string, string | number> {
  const out = emptyRecord<string | number>();
  for (const p of params) {
    const value = resolveValue(values[p.name] ?? '', choices[p.name] ?? []);
    if (value === '') continue;
    out[p.name] = p.kind === 'integer' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** "Restart an autotrader service (autotrader-ingestion)": a follow-up named with its parameters. */
export function describeWithParams(title: string, params: Readonly<Record<string, string | number>>): string {
  const values = Object.values(params);
  return values.length ? `${title} (${values.join(', ')})` : title;
}
