// One object from several whose keys must not meet: the contract's per-domain maps of calls and
// events, and main's per-feature handlers. A spread would let a later part silently replace an
// earlier one's entry; here a name in two parts is a type error at the merge, naming the key:
//   "The types of 'getFleet' are incompatible … not assignable to type 'each name once: …'".
// The run-time check is for callers the type system cannot see (a part built from `any`).
import { emptyRecord } from './emptyRecord';

type KeysOf<U> = U extends unknown ? keyof U : never;

/** The keys found in more than one of the parts. */
export type DuplicateKeys<T extends readonly object[]> = T extends readonly [infer Head, ...infer Rest extends readonly object[]]
  ? (keyof Head & KeysOf<Rest[number]>) | DuplicateKeys<Rest>
  : never;

/** All the parts in one type. */
export type Merged<T extends readonly object[]> = T extends readonly [infer Head, ...infer Rest extends readonly object[]] ? Head & Merged<Rest> : unknown;

/** Each part, with every key it shares with another part typed as the reason it cannot. */
type EachNameOnce<T extends readonly object[]> = {
  readonly [I in keyof T]: { readonly [K in DuplicateKeys<T> & keyof T[I]]: 'each name once: this one is also in another part' };
};

export function mergeDisjoint<const T extends readonly object[]>(...parts: T & EachNameOnce<T>): Merged<T> {
  const merged = emptyRecord<unknown>();
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (Object.hasOwn(merged, key)) throw new Error(`"${key}" is defined twice: each name once`);
      merged[key] = value;
    }
  }
  return merged as Merged<T>;
}
