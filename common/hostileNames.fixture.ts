// Names a hostile health API, host or file may use for items, hosts, units and queues: every
// Object.prototype member that code reading `record[name]` could trip on, "then" (a thenable
// confuses await), an empty name, a long one and a bidirectional override. Shared by the tests
// of main, the renderer and the end-to-end suite, so each layer sees the same corpus.

/** Names the health API's item-name rule ([A-Za-z0-9_.:-], at most 100 characters) accepts. */
export const HOSTILE_VALID_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'then',
  '__defineGetter__',
  '__lookupSetter__',
  't',
  'a.b',
  'x'.repeat(100),
] as const;

/** Names the rule refuses: they must show as flagged items, not vanish and not crash. */
export const HOSTILE_INVALID_NAMES = ['', 'x'.repeat(101), 'evil\u202Egnp.exe', 'AKIA\u200BIOSFODNN7EXAMPLE'] as const;

export const HOSTILE_NAMES: readonly string[] = [...HOSTILE_VALID_NAMES, ...HOSTILE_INVALID_NAMES];
