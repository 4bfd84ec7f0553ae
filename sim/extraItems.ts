// Extra items a test can add to every endpoint of the simulator: names a hostile API might
// use ("__proto__", "constructor", a bidi override) and text carrying secrets. Circuit breakers
// added this way are OPEN and brokers in error, so they raise alerts and notifications; other
// endpoints get a copy of their first item under the new name.
import { z } from 'zod';
import { ENDPOINT_SHAPES, type Endpoint } from '../common/health';
import { recordFrom } from '../common/emptyRecord';

export const ExtraItemsRequest = z.strictObject({
  items: z.array(z.strictObject({ name: z.string().max(200), text: z.string().max(2000).optional() })).max(1000),
});
export type ExtraItem = z.infer<typeof ExtraItemsRequest>['items'][number];

export function withExtraItems(endpoint: Endpoint, body: Record<string, unknown>, extras: readonly ExtraItem[], now: string): Record<string, unknown> {
  if (extras.length === 0) return body;
  const key = ENDPOINT_SHAPES[endpoint].itemsKey;
  const items = body[key];
  if (typeof items !== 'object' || items === null || Array.isArray(items)) return body;
  const template = Object.values(items)[0];
  if (typeof template !== 'object' || template === null) return body;
  const added = extras.map((extra): [string, unknown] => {
    const item: Record<string, unknown> = structuredClone(template as Record<string, unknown>);
    if (endpoint === 'circuitBreakers') Object.assign(item, { state: 'OPEN', failure_count: 99, opened_at: now, last_failure: extra.text ?? null });
    if (endpoint === 'brokers') Object.assign(item, { status: 'error', last_checked: now, detail: extra.text ?? null });
    return [extra.name, item];
  });
  // entries, not assignment: "__proto__" is an item name here like any other
  return { ...body, [key]: recordFrom([...Object.entries(items), ...added]) };
}
