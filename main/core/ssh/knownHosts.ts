// OpenSSH known_hosts: parse, look up, verify, append. Written by hand because no well-kept npm
// package covers hashed entries, markers and `[host]:port` together (ssh2 leaves host-key
// checking to the caller); the rules below follow OpenSSH's hostfile.c and match.c, and the
// tests check them against files written by the real `ssh-keygen`.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type KnownHostMarker = 'cert-authority' | 'revoked' | null;

export interface KnownHostEntry {
  /** 1-based line number in the file */
  readonly line: number;
  readonly marker: KnownHostMarker;
  /** the host field as written: a comma list of patterns, or one `|1|salt|hash` */
  readonly hosts: string;
  readonly keyType: string;
  /** the public key blob (SSH wire format) */
  readonly key: Buffer;
  readonly comment: string;
}

export interface KnownHostsParseError {
  readonly line: number;
  readonly message: string;
}

export interface KnownHosts {
  readonly source: string;
  readonly entries: readonly KnownHostEntry[];
  /** lines OpenSSH would skip; reported so a typo does not silently remove a pin */
  readonly errors: readonly KnownHostsParseError[];
}

export type HostKeyVerdict =
  | { readonly status: 'match'; readonly fingerprint: string; readonly entry: KnownHostEntry }
  | { readonly status: 'unknown'; readonly fingerprint: string }
  | { readonly status: 'changed'; readonly fingerprint: string; readonly expected: readonly KnownHostEntry[] }
  | { readonly status: 'revoked'; readonly fingerprint: string; readonly entry: KnownHostEntry };

/** A refused host key. The message carries the fingerprint so the user can compare it out of band. */
export class HostKeyError extends Error {
  constructor(
    readonly kind: 'unknown' | 'changed' | 'revoked',
    readonly host: string,
    readonly port: number,
    readonly fingerprint: string,
    readonly knownHostsPath: string,
    readonly keyType: string,
    detail = '',
  ) {
    const where = hostKeyName(host, port);
    const text =
      kind === 'unknown'
        ? `host key for ${where} is not known: ${keyType} ${fingerprint} is not in ${knownHostsPath}; refusing to connect`
        : kind === 'revoked'
          ? `host key for ${where} is REVOKED in ${knownHostsPath}: ${keyType} ${fingerprint}; refusing to connect`
          : `WARNING: host key for ${where} has CHANGED. Someone could be eavesdropping on you (a man-in-the-middle attack), or the host key was replaced. ` +
            `Presented ${keyType} ${fingerprint}, which does not match ${knownHostsPath}${detail}; refusing to connect`;
    super(text);
    this.name = 'HostKeyError';
  }
}

/**
 * The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise, lowercased as OpenSSH
 * lowercases host names. Without that, a hashed entry for `Web1.Example.com` never matched,
 * the host looked unknown, and accept-new would pin whatever key was presented.
 */
export function hostKeyName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob, exactly as `ssh-keygen -l` prints it. */
export function fingerprintSha256(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The algorithm name at the start of a public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) throw new Error('host key blob is too short');
  const len = key.readUInt32BE(0);
  if (len < 1 || len > 64 || 4 + len > key.length) throw new Error('host key blob has a bad algorithm name');
  return key.subarray(4, 4 + len).toString('latin1');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseKnownHosts(text: string, source = 'known_hosts'): KnownHosts {
  const entries: KnownHostEntry[] = [];
  const errors: KnownHostsParseError[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostMarker = null;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift()!;
      if (name === '@cert-authority') marker = 'cert-authority';
      else if (name === '@revoked') marker = 'revoked';
      else {
        errors.push({ line, message: `unknown marker ${JSON.stringify(name)}` });
        return;
      }
    }
    const [hosts, keyType, blob, ...rest] = fields;
    if (!hosts || !keyType || !blob) {
      errors.push({ line, message: 'expected "hosts key-type base64-key"' });
      return;
    }
    if (!BASE64.test(blob)) {
      errors.push({ line, message: `key for ${JSON.stringify(hosts)} is not base64` });
      return;
    }
    const key = Buffer.from(blob, 'base64');
    let inner: string;
    try {
      inner = keyTypeOf(key);
    } catch (err) {
      errors.push({ line, message: (err as Error).message });
      return;
    }
    // OpenSSH trusts the blob, not the label; a mismatch means a corrupted or edited line
    if (inner !== keyType) {
      errors.push({ line, message: `key type ${keyType} does not match the key's own type ${inner}` });
      return;
    }
    if (hosts.startsWith('|') && !parseHashed(hosts)) {
      errors.push({ line, message: 'hashed host is not |1|salt|hash' });
      return;
    }
    entries.push({ line, marker, hosts, keyType, key, comment: rest.join(' ') });
  });
  return { source, entries, errors };
}

const loaded = new Map<string, { stamp: string; known: KnownHosts }>();

/** Read and parse a known_hosts file; re-parsed only when its size or mtime changes. */
export async function loadKnownHosts(path: string): Promise<KnownHosts> {
  let stamp = 'missing';
  try {
    const st = await stat(path);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read known_hosts ${path}: ${(err as Error).message}`);
  }
  const hit = loaded.get(path);
  if (hit && hit.stamp === stamp) return hit.known;
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // a missing file is the normal first-run case: every host is then unknown
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read known_hosts ${path}: ${(err as Error).message}`);
  }
  const known = parseKnownHosts(text, path);
  loaded.set(path, { stamp, known });
  return known;
}

function parseHashed(hosts: string): { salt: Buffer; hash: Buffer } | null {
  const parts = hosts.split('|');
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== '1') return null;
  const salt = Buffer.from(parts[2]!, 'base64');
  const hash = Buffer.from(parts[3]!, 'base64');
  if (salt.length !== 20 || hash.length !== 20) return null;
  return { salt, hash };
}

/** OpenSSH's match_pattern: `*` any run, `?` one char; case already folded by the caller. */
const patternCache = new Map<string, RegExp>();
function matchPattern(name: string, pattern: string): boolean {
  // compiled once: a fleet's connects look up every line of the file each time
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(
      '^' +
        pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.') +
        '$',
      's',
    );
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re.test(name);
}

/** True when the entry's host field names this lookup name (negations win, as in match_hostname). */
export function entryMatchesName(entry: Pick<KnownHostEntry, 'hosts'>, name: string): boolean {
  const hashed = entry.hosts.startsWith('|') ? parseHashed(entry.hosts) : null;
  if (hashed) {
    const digest = createHmac('sha1', hashed.salt).update(name).digest();
    return digest.equals(hashed.hash);
  }
  const lower = name.toLowerCase();
  let positive = false;
  for (const raw of entry.hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!pattern) continue;
    if (matchPattern(lower, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

export function entriesFor(known: KnownHosts, host: string, port: number): KnownHostEntry[] {
  const name = hostKeyName(host, port);
  return known.entries.filter((e) => entryMatchesName(e, name));
}

/** Key types pinned for a host, so the client can offer those host-key algorithms first (as OpenSSH does). */
export function knownKeyTypes(known: KnownHosts, host: string, port: number): string[] {
  return [
    ...new Set(
      entriesFor(known, host, port)
        .filter((e) => e.marker === null)
        .map((e) => e.keyType),
    ),
  ];
}

/**
 * Check a presented host key. A revoked key is refused whatever else matches; a key of a type
 * the file has no pin for, when the host has other pins, counts as changed (OpenSSH also refuses
 * it under StrictHostKeyChecking). `@cert-authority` lines never vouch for a plain key.
 */
export function verifyHostKey(known: KnownHosts, host: string, port: number, key: Buffer): HostKeyVerdict {
  const fingerprint = fingerprintSha256(key);
  const entries = entriesFor(known, host, port);
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', fingerprint, entry: revoked };
  // @revoked lines may also name every host with `*`; OpenSSH checks revocation by key first
  const plain = entries.filter((e) => e.marker === null);
  const match = plain.find((e) => e.key.equals(key));
  if (match) return { status: 'match', fingerprint, entry: match };
  if (plain.length) return { status: 'changed', fingerprint, expected: plain };
  return { status: 'unknown', fingerprint };
}

/** Throw HostKeyError unless the verdict is a match. */
export function assertHostKey(verdict: HostKeyVerdict, host: string, port: number, key: Buffer, knownHostsPath: string): void {
  if (verdict.status === 'match') return;
  const keyType = keyTypeOf(key);
  let detail = '';
  if (verdict.status === 'changed') {
    detail = ` (pinned on line${verdict.expected.length > 1 ? 's' : ''} ${verdict.expected.map((e) => `${e.line}: ${e.keyType} ${fingerprintSha256(e.key)}`).join(', ')})`;
  }
  throw new HostKeyError(verdict.status, host, port, verdict.fingerprint, knownHostsPath, keyType, detail);
}

/** One known_hosts line in OpenSSH's format; `hash: true` writes `|1|salt|hash` as HashKnownHosts does. */
export function formatKnownHostsLine(host: string, port: number, key: Buffer, opts: { hash?: boolean; salt?: Buffer } = {}): string {
  if (/[\s,#]/.test(host) || !host) throw new Error(`cannot write a known_hosts entry for host ${JSON.stringify(host)}`);
  const name = hostKeyName(host, port);
  let field = name;
  if (opts.hash) {
    const salt = opts.salt ?? randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${field} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** Append a pin (trust on first use). Creates the file and its folder with OpenSSH's modes if missing. */
export async function appendKnownHost(path: string, host: string, port: number, key: Buffer, opts: { hash?: boolean } = {}): Promise<string> {
  const line = formatKnownHostsLine(host, port, key, opts);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // OpenSSH appends after the last line; add a newline first if the file does not end in one
  let prefix = '';
  try {
    const st = await stat(path);
    if (st.size > 0) {
      const text = await readFile(path);
      if (text[text.length - 1] !== 0x0a) prefix = '\n';
    }
  } catch {
    // new file
  }
  await appendFile(path, `${prefix}${line}\n`, { mode: 0o600 });
  return line;
}

/**
 * Replace a host's pins with one new key, after the user has confirmed a changed key (the UI
 * asks them to type the host name first). Lines for other hosts, comments, markers and hashed
 * entries of other names are kept byte for byte; the file is replaced atomically. A line that
 * names this host among others (`a,b,[h]:p`) is removed whole, as `ssh-keygen -R` does.
 */
export async function replaceKnownHost(
  path: string,
  host: string,
  port: number,
  key: Buffer,
  opts: { hash?: boolean } = {},
): Promise<{ removed: number; line: string }> {
  const name = hostKeyName(host, port);
  const line = formatKnownHostsLine(host, port, key, opts);
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read known_hosts ${path}: ${(err as Error).message}`);
  }
  const parsed = parseKnownHosts(text, path);
  const drop = new Set(parsed.entries.filter((e) => e.marker === null && entryMatchesName(e, name)).map((e) => e.line));
  const kept = text.split('\n').filter((_l, i) => !drop.has(i + 1));
  while (kept.length && kept[kept.length - 1] === '') kept.pop();
  kept.push(line);
  const tmp = `${path}.opsdeck-${process.pid}-${Date.now()}`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(tmp, kept.join('\n') + '\n', { mode: 0o600 });
  await rename(tmp, path);
  return { removed: drop.size, line };
}
