// A record keyed by outside data (item names, hosts, units, queue names from a health API or a
// host) must not inherit from Object.prototype: with a plain `{}`, `r['__proto__'] ??= x`
// returns Object.prototype and writes into it, `r['constructor']` reads a function, and
// `r['__proto__'] = x` replaces the prototype instead of adding an item. A null-prototype
// object has only the keys put in it, and still spreads, serialises and iterates as usual.
// eslint.config.js refuses `const r: Record<string, T> = {}` so new code comes here (or to a Map).
import { z } from 'zod';

/** An empty record with no prototype, for keys that come from outside. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A fixed lookup table that outside keys index: `table["constructor"]` is undefined, not a function. */
export function lookupTable<T>(table: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(emptyRecord<T>(), table);
}

/** A null-prototype copy of `entries`, "__proto__" kept as an ordinary key. */
export function recordFrom<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = emptyRecord<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/**
 * A zod record whose keys are outside data: every own key is kept, "__proto__" included, in a
 * null-prototype object. zod's own z.record drops a "__proto__" key (so the item would vanish
 * from the page without a word); this keeps it as the item it is.
 */
export function ownKeyRecord<V extends z.ZodType>(valueSchema: V) {
  return z
    .custom<Record<string, z.output<V>>>((input) => typeof input === 'object' && input !== null && !Array.isArray(input), { message: 'expected an object' })
    .transform((input, ctx) => {
      const out = emptyRecord<z.output<V>>();
      for (const key of Object.keys(input)) {
        const parsed = valueSchema.safeParse((input as Record<string, unknown>)[key]);
        if (parsed.success) out[key] = parsed.data;
        else for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] });
      }
      return out;
    });
}
