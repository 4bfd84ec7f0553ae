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

export function deriveRow<T, V>(name: string, item: ItemState | undefined, schema: z.ZodType<T>, derive: (value: T) => Verdict & { view: V }): Row<V> {
  if (!item) return { name, status: 'unknown', reasons: ['unknown: not reported'], value: null };
  if (!item.ok) return { name, status: 'unknown', reasons: [`unknown: ${item.why}`], value: null };
  const parsed = schema.safeParse(item.value);
  if (!parsed.success) return { name, status: 'unknown', reasons: [`unknown: ${describeIssue(parsed.error)}`], value: null };
  const { status, reasons, view } = derive(parsed.data);
  return { name, status, reasons, value: view };
}

/** Rows worst first, then in the order the API listed them (a stable read at a glance). */
export function deriveRows<T, V>(
  state: EndpointState | undefined,
  schema: z.ZodType<T>,
  derive: (name: string, value: T) => Verdict & { view: V },
  expected: readonly string[] = [],
): Array<Row<V>> {
  const items = state?.items ?? {};
  const names = Object.keys(items);
  // Named sources the runbook expects but the API left out are shown as unknown, not hidden,
  // once the endpoint has produced data at all.
  if (state?.lastGoodAt) for (const name of expected) if (!names.includes(name)) names.push(name);
  const rows = names.map((name) => deriveRow(name, items[name], schema, (value) => derive(name, value)));
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => STATUS_RANK[b.row.status] - STATUS_RANK[a.row.status] || a.index - b.index)
    .map(({ row }) => row);
}
