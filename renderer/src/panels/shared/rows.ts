// Turns an endpoint's items into rows. main already validated each item, but the renderer
// re-checks with the same zod schema: it gets typed values for free and a page never trusts
// a shape it did not check.
import type { z } from 'zod';
import type { EndpointState, ItemState } from '../../../../common/contract';
import { describeIssue } from '../../../../common/health';
import type { Status, Verdict } from '../../status/status';
import { STATUS_RANK } from '../../status/status';

export interface Row<V> {
  name: string;
  status: Status;
  /** words an engineer reads: why it is red or amber, or "unknown: <why>" */
  reasons: string[];
  /** null when the item could not be read */
  value: V | null;
}

/** An item read with its schema: the value, or why it cannot be read. */
type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

function parseItem<T>(item: ItemState, schema: z.ZodType<T>): Parsed<T> {
  if (!item.ok) return { ok: false, why: item.why };
  const parsed = schema.safeParse(item.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, why: describeIssue(parsed.error) };
}

function rowOf<T, V>(name: string, parsed: Parsed<T> | undefined, derive: (value: T) => Verdict & { view: V }): Row<V> {
  if (!parsed) return { name, status: 'unknown', reasons: ['unknown: not reported'], value: null };
  if (!parsed.ok) return { name, status: 'unknown', reasons: [`unknown: ${parsed.why}`], value: null };
  const { status, reasons, view } = derive(parsed.value);
  return { name, status, reasons, value: view };
}

export function deriveRow<T, V>(name: string, item: ItemState | undefined, schema: z.ZodType<T>, derive: (value: T) => Verdict & { view: V }): Row<V> {
  return rowOf(name, item ? parseItem(item, schema) : undefined, derive);
}

/**
 * Each endpoint state's items read once per schema. The panel, the area strip and the
 * deployment's status line read the same state object until the next poll, and a clock tick
 * judges the items again (countdowns) without reading them again: with 500 items on each of 8
 * endpoints, parsing on every read was thousands of parses a second.
 */
const parsedByState = new WeakMap<EndpointState, Map<z.ZodType<unknown>, Map<string, Parsed<unknown>>>>();

function parsedItems<T>(state: EndpointState, schema: z.ZodType<T>): Map<string, Parsed<T>> {
  let bySchema = parsedByState.get(state);
  if (!bySchema) parsedByState.set(state, (bySchema = new Map()));
  let parsed = bySchema.get(schema) as Map<string, Parsed<T>> | undefined;
  if (!parsed) {
    // a Map: item names are the API's ("__proto__" included)
    parsed = new Map(Object.keys(state.items).map((name) => [name, parseItem(state.items[name]!, schema)]));
    bySchema.set(schema, parsed as Map<string, Parsed<unknown>>);
  }
  return parsed;
}

/**
 * A selector that depends on the endpoint state alone, answered once per state object: the
 * same rows (the same objects) until the next poll, so a clock tick redraws no row of it.
 */
export function oncePerState<R>(select: (state: EndpointState | undefined) => R): (state: EndpointState | undefined) => R {
  const cache = new WeakMap<EndpointState, R>();
  return (state) => {
    if (!state) return select(state);
    if (!cache.has(state)) cache.set(state, select(state));
    return cache.get(state)!;
  };
}

/** Rows worst first, then in the order the API listed them (a stable read at a glance). */
export function deriveRows<T, V>(
  state: EndpointState | undefined,
  schema: z.ZodType<T>,
  derive: (name: string, value: T) => Verdict & { view: V },
  expected: readonly string[] = [],
): Array<Row<V>> {
  const parsed = state ? parsedItems(state, schema) : new Map<string, Parsed<T>>();
  const names = [...parsed.keys()];
  // Named sources the runbook expects but the API left out are shown as unknown, not hidden,
  // once the endpoint has produced data at all.
  if (state?.lastGoodAt) for (const name of expected) if (!parsed.has(name)) names.push(name);
  const rows = names.map((name) => rowOf(name, parsed.get(name), (value: T) => derive(name, value)));
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => STATUS_RANK[b.row.status] - STATUS_RANK[a.row.status] || a.index - b.index)
    .map(({ row }) => row);
}
