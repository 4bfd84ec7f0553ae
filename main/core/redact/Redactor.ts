// Secret scrubbing for everything Opsdeck shows, logs, audits or exports.
//
// Every pattern here is written to run in linear time on V8's backtracking engine: no nested
// quantifiers, no two adjacent unbounded quantifiers that can match the same characters, and
// each pattern starts at a fixed token (`\b` + a literal prefix, a quote, `://`), so a long
// hostile line is scanned a bounded number of times. Keep it that way when adding patterns.
//
// Multi-line secrets (PEM private keys) are handled by a small line-state machine rather than
// one `BEGIN[\s\S]*?END` regex, which would be quadratic on input full of BEGIN lines and
// cannot work on a stream cut into lines anyway.
import { LineSplitter, type SplitLine } from '../lineSplitter';

import { TOKEN_SHAPES } from './tokenShapes';

export const REDACTED = '[REDACTED]';

/** Name segments (split on `_`, `-`, `.` and camelCase) that mark a variable as secret. */
const SECRET_SEGMENTS = new Set([
  'key',
  'apikey',
  'secret',
  'secrets',
  'token',
  'tokens',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'credential',
  'credentials',
  'auth',
  'sessionid',
  'cookie',
]);

/**
 * Segments that make a name about a secret rather than the secret itself: `token_expires_at`,
 * `api_key_validation`, `TOKEN_FILE` hold times, flags and paths an engineer needs to see.
 */
const ABOUT_SEGMENTS = new Set([
  'expires',
  'expiry',
  'expiration',
  'expired',
  'at',
  'count',
  'ttl',
  'type',
  'validation',
  'file',
  'path',
  'length',
  'age',
  'missing',
  'rotation',
  'rotated',
  'scrubbing',
]);

/** True when a variable, header or JSON field name holds a secret by its name. */
export function isSecretName(name: string): boolean {
  const segments = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_.-]+/);
  return segments.some((s) => SECRET_SEGMENTS.has(s)) && !segments.some((s) => ABOUT_SEGMENTS.has(s));
}

// A value that is only a reference to a variable (`$ALPACA_API_KEY`, `${X}`), a placeholder or
// a boolean is not a secret: runbook snippets, shell history and configs show those.
const isReference = (value: string): boolean => /^["']?\$/.test(value) || /^(""|''|true|false|null|none|yes|no)$/i.test(value);

const NAMED_VALUE = new RegExp(`\\b([A-Za-z_][A-Za-z0-9_]*)(\\s*=\\s*|:[ \\t]*)("[^"\\n]*"|'[^'\\n]*'|[^\\s"',;&)]+)`, 'g');

// Nested assignments are looked into two levels deep (Environment=API_KEY=x); deeper nesting
// is not a real format, and a bound keeps `a=a=a=…` from costing quadratic time.
const NESTED_DEPTH = 2;

function redactNamedValue(m: string, name: string, sep: string, value: string, depth = 0): string {
  if (isSecretName(name) && !isReference(value)) return `${name}${sep}${REDACTED}`;
  if (depth >= NESTED_DEPTH) return m;
  const inner = new RegExp(NAMED_VALUE.source, 'g');
  const scrubbed = value.replace(inner, (im: string, n: string, sp: string, v: string) => redactNamedValue(im, n, sp, v, depth + 1));
  return scrubbed === value ? m : `${name}${sep}${scrubbed}`;
}

/**
 * Every NAME=value and NAME: value of a line. A harmless name whose value is a bare name ("error:
 * aws_secret_access_key = x", "failed: db_secret: \"x\"") is the prose before an assignment, not
 * one: the scan goes on from that name, which would otherwise be taken as the value and the
 * secret after it left behind. Only a bare name is scanned again, so a line costs linear time.
 */
function redactNamedValues(line: string): string {
  const scan = new RegExp(NAMED_VALUE.source, 'g');
  let out = '';
  let last = 0;
  for (let m = scan.exec(line); m !== null; m = scan.exec(line)) {
    const [whole, name, sep, value] = m as unknown as [string, string, string, string];
    const replaced = redactNamedValue(whole, name, sep, value);
    if (replaced !== whole) {
      out += line.slice(last, m.index) + replaced;
      last = m.index + whole.length;
    } else if (BARE_NAME.test(value)) scan.lastIndex = m.index + name.length + sep.length;
  }
  return last === 0 ? line : out + line.slice(last);
}
const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_]*:?$/;

const KNOWN_TOKEN = new RegExp(`\\b(?:${TOKEN_SHAPES.join('|')})`, 'g');

const SPACED_SECRET =
  /(pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)([A-Za-z0-9_.-]{0,40})([ \t]+(?:(?:is|was)[ \t]+)?)(["']?)([^\s"',;&)]{8,200})/gi;
const NAME_BEFORE = /[A-Za-z0-9_.-]{0,40}$/;

/**
 * A word that could be a secret rather than prose: at least three letters and a digit or a
 * symbol (hunter2hunter2, wJalrXUtnFEMI/K7MDENG), or twenty mixed-case characters. Words,
 * paths, references, variable names and timestamps are left alone ("password expired",
 * "token /run/x", "for var in API_KEY SECRET_KEY").
 */
function looksLikeSecretValue(value: string): boolean {
  if (isReference(value) || value.startsWith('/') || value.startsWith('[')) return false;
  if (/^\d{4}-\d\d-\d\d/.test(value)) return false;
  // another variable's name (COINGECKO_API_KEY ALPACA_API_KEY in a loop) or words joined by _ or -
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value) || /^[a-z]+(?:[_-][a-z]+)+$/.test(value)) return false;
  const letters = value.replace(/[^A-Za-z]/g, '').length;
  if (letters < 3) return false;
  if (/[0-9]/.test(value) || /[^A-Za-z0-9]/.test(value)) return true;
  return value.length >= 20 && /[a-z]/.test(value) && /[A-Z]/.test(value);
}

function redactSpacedSecret(m: string, groups: unknown[]): string {
  const [keyword, tail, space, quote, value, offset, whole] = groups as [string, string, string, string, string, number, string];
  const name = (NAME_BEFORE.exec(whole.slice(0, offset))?.[0] ?? '') + keyword + tail;
  if (!isSecretName(name) || !looksLikeSecretValue(value)) return m;
  return `${keyword}${tail}${space}${quote}${REDACTED}`;
}

interface Rule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
  /** the whole line at once, where one match may need to give way to the next */
  readonly apply?: (line: string) => string;
}

const VALUE = `("[^"\\n]*"|'[^'\\n]*'|[^\\s"',;&)]+)`;

const RULES: readonly Rule[] = [
  {
    // IBKR financial-advisor account groups: fa=DU1234567, FA=MyGroup, fa: "X"
    name: 'ibkr-fa',
    pattern: new RegExp(`\\b(fa)(\\s*[=:]\\s*)${VALUE}`, 'gi'),
    replace: (_m, name, sep) => `${name}${sep}${REDACTED}`,
  },
  {
    // FA account: F1234567, "FA account id" = U1234567
    name: 'ibkr-fa-account',
    pattern: /\b(fa[ _-]?accounts?(?:[ _-]?ids?)?)(\s*[=:]?\s*["']?)([A-Z]{0,2}\d{4,12})\b/gi,
    replace: (_m, name, sep) => `${name}${sep}${REDACTED}`,
  },
  {
    // Authorization: Bearer xxx / Basic xxx / Token xxx (header or curl -H)
    name: 'authorization-header',
    // any scheme (Bearer, Basic, Token, Digest, SSWS, AWS4-HMAC-SHA256, …) and its credentials
    pattern: /\b(authorization\s*:\s*)([A-Za-z][A-Za-z0-9-]{1,30}[ \t]+)?()([^\s"',]+)/gi,
    replace: (m, head, scheme, space, value) => (isReference(value) ? m : `${head}${scheme ?? ''}${space}${REDACTED}`),
  },
  {
    name: 'bearer',
    pattern: /\b(bearer\s+)([A-Za-z0-9._~+/=-]{8,})/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
  },
  {
    // HTTP headers whose names carry a secret: APCA-API-KEY-ID, APCA-API-SECRET-KEY, X-Api-Key,
    // X-Auth-Token. Written `Name: value`; a `$VAR` value is left alone.
    name: 'secret-header',
    // (the look-behind makes a match start only at the first segment of a hyphenated name)
    pattern: /(?<![A-Za-z0-9-])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)(\s*:\s*)([^\s"',]+)/g,
    replace: (m, name, sep, value) => (isSecretName(name) && !isReference(value) ? `${name}${sep}${REDACTED}` : m),
  },
  {
    // "refresh_token": "…", "apiKey": "…" (questrade_token.json and friends)
    name: 'json-field',
    pattern: /"([A-Za-z0-9_]*)"(\s*:\s*)"([^"\n]*)"/g,
    replace: (m, name, sep, value) => (isSecretName(name) && value !== '' && !isReference(value) ? `"${name}"${sep}"${REDACTED}"` : m),
  },
  {
    // NAME=value, NAME: value, export NAME="value", name=value in query strings. A harmless name
    // may carry a secret assignment in its value (systemd's Environment=API_KEY=x): look inside.
    name: 'named-value',
    pattern: NAMED_VALUE,
    replace: (m, name, sep, value) => redactNamedValue(m, name, sep, value),
    apply: redactNamedValues,
  },
  {
    // scheme://user:password@host (ETHEREUM_RPC_URL, redis://, postgres://)
    name: 'url-credentials',
    // (no user: redis://:pass@host; an unescaped "@" in the password: up to the last "@" of
    // the authority, so https://user:p@ssw0rd@host shows no part of it)
    pattern: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)([^\s/@:"']*):([^\s/"']*)@/gi,
    replace: (_m, scheme) => `${scheme}${REDACTED}@`,
  },
  {
    // keys in RPC URL paths: https://mainnet.infura.io/v3/<key>, alchemy /v2/<key>
    name: 'rpc-path-key',
    pattern: /(\.(?:infura\.io|alchemy\.com|alchemyapi\.io|quiknode\.pro|ankr\.com)(?::\d+)?\/(?:v\d\/)?)([A-Za-z0-9_-]{16,})/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
  },
  {
    // "password hunter2hunter2", "aws_secret_access_key wJalr…": a secret name, a space, a value
    // that looks like a secret (see looksLikeSecretValue). Starts at the keyword only.
    name: 'spaced-secret',
    pattern: SPACED_SECRET,
    replace: (m, ...rest) => redactSpacedSecret(m, rest),
  },
  { name: 'known-token-shape', pattern: KNOWN_TOKEN, replace: () => REDACTED },
  // Alpaca key ids are 20 upper-case characters starting PK (paper) or AK (live)
  { name: 'alpaca-key-id', pattern: /\b(?:PK|AK)[A-Z0-9]{18}\b/g, replace: () => REDACTED },
  {
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g,
    replace: () => REDACTED,
  },
];

// An IBKR account id (U1234567, DU1234567, F1234567, DF…) is only redacted where the line talks
// about IBKR, accounts or trading, so unrelated codes in ordinary ops text ("build U1234567")
// are left alone.
const ACCOUNT_CONTEXT =
  /\b(?:fa|ibkr|ib|tws|gateway|accounts?|acct|allocation|advisor|orders?|trades?|positions?|fills?|filled|margin|portfolio|executions?)\b|fa_|_fa\b/i;
const ACCOUNT_ID = /\b(?:DU|DF|U|F)\d{5,9}\b/g;
// Paper and advisor-paper accounts (DU…, DF… and seven or eight digits) have a shape nothing
// else in ops text has: redacted anywhere, an item named DU1234567 included.
const BARE_ACCOUNT_ID = /\bD[UF]\d{7,8}\b/g;

/**
 * Text is matched in NFKC form with invisible characters removed, so a key written in
 * full-width letters or split by a zero-width space is still the key. Only text with a
 * non-ASCII character needs it (ASCII is its own NFKC form and has no invisible characters);
 * when nothing is found the original text is returned, hidden characters and all, so the
 * page can still show them (common/visibleText.ts).
 */
const NON_ASCII = /[\u0080-\uFFFF]/;
// eslint-disable-next-line no-misleading-character-class -- lists invisible characters on purpose
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u17B4\u17B5\u3164\uFFA0]/gu;
export function normaliseForMatching(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ ){0,4})PRIVATE KEY( BLOCK)?-----/;
const PEM_END = /-----END ((?:[A-Z0-9]+ ){0,4})PRIVATE KEY( BLOCK)?-----/;

/**
 * Text no rule can match, returned as it is without running them: every rule, the account-id
 * context and the PEM markers need an ASCII letter, so ASCII text without one is safe (a
 * non-ASCII character may normalise to a letter: full-width ＡＫＩＡ is AKIA), and so is an
 * ISO-8601 timestamp, whose T and Z sit between digits where no rule can start. Health answers
 * carry a fresh timestamp every poll (generated_at), which the poller's memory of redacted
 * strings cannot help with; the rules cost about 5 µs for each (docs/benchmarks.md, poll-processing).
 * Redactor.test checks the claim against the rules themselves (redactLine takes no short cut):
 * a new rule that could match such text must remove it from here.
 */
const CANNOT_HOLD_SECRET = /^(?:[^A-Za-z\u0080-\uFFFF]*|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d))$/;

/** Where a multi-line secret left the previous line: carried from line to line on a stream. */
export interface RedactState {
  inPrivateKey: boolean;
}

/** Scrubs secrets from text. Stateless; use `LineRedactor` for streamed output. */
export class Redactor {
  /** Redact one line (no newline inside), carrying multi-line state across calls. */
  redactLine(line: string, state: RedactState): string {
    if (!NON_ASCII.test(line)) return this.redactMatchable(line, state);
    const matchable = normaliseForMatching(line);
    const out = this.redactMatchable(matchable, state);
    return out === matchable ? line : out;
  }

  private redactMatchable(line: string, state: RedactState): string {
    if (state.inPrivateKey) {
      const end = PEM_END.exec(line);
      if (!end) return REDACTED;
      state.inPrivateKey = false;
      const keyPart = end.index > 0 ? REDACTED : '';
      return keyPart + end[0] + this.redactMatchable(line.slice(end.index + end[0].length), state);
    }
    const begin = PEM_BEGIN.exec(line);
    if (begin) {
      const before = this.scrub(line.slice(0, begin.index));
      const rest = line.slice(begin.index + begin[0].length);
      const end = PEM_END.exec(rest);
      if (end) {
        return before + begin[0] + REDACTED + end[0] + this.redactMatchable(rest.slice(end.index + end[0].length), state);
      }
      state.inPrivateKey = true;
      return before + begin[0] + (rest.length ? REDACTED : '');
    }
    return this.scrub(line);
  }

  /** Redact any text, single or multi-line. */
  redact(text: string): string {
    if (text === '' || CANNOT_HOLD_SECRET.test(text)) return text;
    const state: RedactState = { inPrivateKey: false };
    return text
      .split('\n')
      .map((line) => this.redactLine(line, state))
      .join('\n');
  }

  private scrub(line: string): string {
    if (line === '') return line;
    let out = line;
    for (const rule of RULES) {
      rule.pattern.lastIndex = 0;
      out = rule.apply ? rule.apply(out) : out.replace(rule.pattern, rule.replace as (substring: string, ...args: string[]) => string);
    }
    if (ACCOUNT_CONTEXT.test(out)) out = out.replace(ACCOUNT_ID, REDACTED);
    BARE_ACCOUNT_ID.lastIndex = 0;
    out = out.replace(BARE_ACCOUNT_ID, REDACTED);
    return out;
  }
}

export interface LineRedactorOptions {
  /**
   * Longest line kept. The rest of a longer line is cut (with a visible marker) rather than
   * split: a secret split across two pieces would slip past every pattern.
   */
  maxLineLength?: number;
}

function lastSpace(line: string): number {
  for (let i = line.length - 1; i >= 0; i--) if (/\s/.test(line[i]!)) return i;
  return -1;
}

/**
 * Line-buffered redaction for a stream of chunks (SSH stdout/stderr). Chunks may cut lines and
 * even UTF-8 characters anywhere; only whole lines are redacted and released.
 */
export class LineRedactor {
  private readonly lines: LineSplitter;
  private readonly state: RedactState = { inPrivateKey: false };

  constructor(
    private readonly redactor: Redactor,
    options: LineRedactorOptions = {},
  ) {
    this.lines = new LineSplitter(options.maxLineLength ?? 16_384);
  }

  /** Feed a chunk; returns the whole lines it completed, redacted, each without its newline. */
  push(chunk: string): string[] {
    return this.lines.push(chunk).map((line) => this.finishLine(line));
  }

  /** The stream ended: release the last unterminated line, if any. */
  end(): string[] {
    const last = this.lines.end();
    return last ? [this.finishLine(last)] : [];
  }

  private finishLine({ text: whole, cutChars }: SplitLine): string {
    let line = whole.endsWith('\r') ? whole.slice(0, -1) : whole;
    // a cut line may end inside a secret: drop its last word so no half-secret is shown
    if (cutChars > 0) line = line.slice(0, lastSpace(line) + 1);
    let text = this.redactor.redactLine(line, this.state);
    if (cutChars > 0) text += ` … [${cutChars} more characters cut]`;
    return text;
  }
}

/**
 * Every string in a JSON-like value (object keys included) through `redact`: for structured
 * data from a health API or a host that goes on to the renderer.
 */
export function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = redactDeep(value[i], redact);
    return out;
  }
  // A loop, not Object.fromEntries(Object.entries().map()): the poller runs this on every changed
  // item, 80 bodies a second, and the three intermediate arrays per object showed in its profile.
  // A plain object, not a null-prototype one: the poller compares items with fast-deep-equal,
  // which tells the two apart; "__proto__" is handled below.
  // eslint-disable-next-line no-restricted-syntax -- the one key a plain object mishandles is defined, not assigned
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const name = redact(key);
    const inner = redactDeep((value as Record<string, unknown>)[key], redact);
    // an API may name a field "__proto__": it stays a field, it does not become the prototype
    if (name === '__proto__') Object.defineProperty(out, name, { value: inner, enumerable: true, writable: true, configurable: true });
    else out[name] = inner;
  }
  return out;
}

export interface MemoizedRedactOptions {
  /** answers kept per generation; two generations are kept, so at most twice this many */
  entries?: number;
  /** longer strings are redacted every time, never kept */
  maxLength?: number;
}

/**
 * `redact` with a memory of its recent answers, for text that repeats: a health API sends the
 * same field names, item names, states and details poll after poll, and running every pattern
 * over each of them was a fifth of the poller's CPU. `redact` must be a pure function of its
 * input (Redactor.redact is). Memory is fixed: two generations of at most `entries` strings of
 * at most `maxLength` characters; when the newer fills up, the older is dropped, so strings
 * still in use stay and one-off ones (timestamps) age out. The strings it holds are the raw ones,
 * secrets included, in main's memory as the bodies that carried them were; only it reads them.
 */
export function memoizeRedact(redact: (text: string) => string, options: MemoizedRedactOptions = {}): (text: string) => string {
  const entries = options.entries ?? 2048;
  const maxLength = options.maxLength ?? 512;
  let current = new Map<string, string>();
  let previous = new Map<string, string>();
  return (text) => {
    if (text.length > maxLength) return redact(text);
    let out = current.get(text);
    if (out !== undefined) return out;
    out = previous.get(text) ?? redact(text);
    if (current.size >= entries) {
      previous = current;
      current = new Map();
    }
    current.set(text, out);
    return out;
  };
}
