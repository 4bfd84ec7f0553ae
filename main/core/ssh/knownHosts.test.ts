import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HostKeyError,
  appendKnownHost,
  assertHostKey,
  entriesFor,
  hostKeyName,
  fingerprintSha256,
  formatKnownHostsLine,
  loadKnownHosts,
  parseKnownHosts,
  replaceKnownHost,
  verifyHostKey,
} from './knownHosts';

const run = promisify(execFile);

interface Key {
  line: string;
  blob: Buffer;
  type: string;
  fingerprint: string;
}

let dir: string;
const keys: Record<string, Key> = {};

async function makeKey(name: string, type: string): Promise<Key> {
  const path = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', path, ...(type === 'rsa' ? ['-b', '2048'] : [])]);
  const pub = (await readFile(`${path}.pub`, 'utf8')).trim().split(' ');
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`]);
  return { type: pub[0]!, line: `${pub[0]} ${pub[1]}`, blob: Buffer.from(pub[1]!, 'base64'), fingerprint: stdout.split(' ')[1]! };
}

/** What the real OpenSSH lookup finds for a name: the line numbers `ssh-keygen -F` reports. */
async function opensshLookup(file: string, name: string): Promise<number[]> {
  const out = await run('ssh-keygen', ['-F', name, '-f', file]).then(
    (r) => r.stdout,
    () => '',
  );
  return [...out.matchAll(/found: line (\d+)/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-kh-'));
  const made = await Promise.all([makeKey('a', 'ed25519'), makeKey('b', 'ecdsa'), makeKey('c', 'rsa'), makeKey('ca', 'ed25519'), makeKey('bad', 'ed25519')]);
  [keys.a, keys.b, keys.c, keys.ca, keys.bad] = made;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fileText = () =>
  [
    '# comment line, then a blank one',
    '',
    `web1.example.com,10.0.0.5 ${keys.a!.line}`,
    `[db.example.com]:2222 ${keys.b!.line} db on a custom port`,
    `*.prod.example.com,!secret.prod.example.com ${keys.c!.line}`,
    `@cert-authority *.example.com ${keys.ca!.line}`,
    `@revoked * ${keys.bad!.line}`,
    `  \tindented.example.com ${keys.a!.line}`,
    'garbage-without-key',
    `@bogus host ${keys.a!.line}`,
  ].join('\n') + '\n';

describe('known_hosts parsing', () => {
  it('reads plain names, comma lists, [host]:port, markers and comments; reports the bad lines', () => {
    const kh = parseKnownHosts(fileText(), 'kh');
    expect(kh.entries.map((e) => [e.line, e.marker, e.hosts])).toEqual([
      [3, null, 'web1.example.com,10.0.0.5'],
      [4, null, '[db.example.com]:2222'],
      [5, null, '*.prod.example.com,!secret.prod.example.com'],
      [6, 'cert-authority', '*.example.com'],
      [7, 'revoked', '*'],
      [8, null, 'indented.example.com'],
    ]);
    expect(kh.entries[1]!.comment).toBe('db on a custom port');
    expect(kh.errors.map((e) => e.line)).toEqual([9, 10]);
    expect(kh.errors[1]!.message).toMatch(/unknown marker "@bogus"/);
  });

  it('rejects a line whose key type label disagrees with the key blob', () => {
    const kh = parseKnownHosts(`h ssh-rsa ${keys.a!.line.split(' ')[1]}\n`);
    expect(kh.entries).toEqual([]);
    expect(kh.errors[0]!.message).toMatch(/ssh-rsa does not match the key's own type ssh-ed25519/);
  });

  it('finds the same lines as OpenSSH, in plain and in ssh-keygen -H hashed files', async () => {
    const plainPath = join(dir, 'kh_plain');
    const hashedPath = join(dir, 'kh_hashed');
    await writeFile(plainPath, fileText());
    // ssh-keygen -H refuses files with invalid lines, so hash the valid part only
    await writeFile(hashedPath, fileText().split('\n').slice(0, 8).join('\n') + '\n');
    await run('ssh-keygen', ['-H', '-f', hashedPath]);
    const hashedText = await readFile(hashedPath, 'utf8');
    expect(hashedText).toMatch(/^\|1\|[A-Za-z0-9+/=]{28}\|[A-Za-z0-9+/=]{28} ssh-ed25519 /m);
    expect(hashedText).not.toContain('web1.example.com');

    const plain = await loadKnownHosts(plainPath);
    const hashed = await loadKnownHosts(hashedPath);
    const cases: [string, number, Key, string][] = [
      ['web1.example.com', 22, keys.a!, 'match'],
      ['10.0.0.5', 22, keys.a!, 'match'],
      ['WEB1.example.com', 22, keys.a!, 'match'],
      ['web1.example.com', 2200, keys.a!, 'unknown'],
      ['db.example.com', 2222, keys.b!, 'match'],
      ['db.example.com', 22, keys.b!, 'unknown'],
      ['db.example.com', 2222, keys.a!, 'changed'],
      ['api.prod.example.com', 22, keys.c!, 'match'],
      ['secret.prod.example.com', 22, keys.c!, 'unknown'],
      ['web1.example.com', 22, keys.bad!, 'revoked'],
      ['anything.example.com', 22, keys.ca!, 'unknown'],
      ['indented.example.com', 22, keys.a!, 'match'],
    ];
    for (const [host, port, key, want] of cases) {
      expect(verifyHostKey(plain, host, port, key.blob).status, `${host}:${port} plain`).toBe(want);
      // hashing keeps wildcards and markers as they were; hashed names must still be found,
      // mixed-case ones too: the ssh client lowercases the host name before it looks it up
      // (ssh-keygen -F does not, so it is no oracle for that case)
      const hashedWant = verifyHostKey(hashed, host, port, key.blob).status;
      expect(hashedWant, `${host}:${port} hashed`).toBe(want);
    }
    // and the line numbers agree with OpenSSH's own lookup, for both files
    for (const [name, port] of [
      ['web1.example.com', 22],
      ['10.0.0.5', 22],
      ['db.example.com', 2222],
      ['api.prod.example.com', 22],
      ['secret.prod.example.com', 22],
    ] as const) {
      const lookup = hostKeyName(name, port);
      const ours = (kh: typeof plain) => entriesFor(kh, name, port).map((e) => e.line);
      expect(ours(plain), lookup).toEqual(await opensshLookup(plainPath, lookup));
      expect(ours(hashed), lookup).toEqual(await opensshLookup(hashedPath, lookup));
    }
  });
});

describe('fingerprints and refusals', () => {
  it('prints SHA256 fingerprints exactly as ssh-keygen -l does', () => {
    for (const k of [keys.a!, keys.b!, keys.c!]) expect(fingerprintSha256(k.blob)).toBe(k.fingerprint);
  });

  it('refuses an unknown key with its fingerprint and the file in the message', () => {
    const kh = parseKnownHosts('', '/home/u/.ssh/known_hosts');
    const verdict = verifyHostKey(kh, 'new.example.com', 22, keys.a!.blob);
    expect(() => assertHostKey(verdict, 'new.example.com', 22, keys.a!.blob, kh.source)).toThrow(
      `host key for new.example.com is not known: ssh-ed25519 ${keys.a!.fingerprint} is not in /home/u/.ssh/known_hosts; refusing to connect`,
    );
  });

  it('refuses a changed key loudly, naming the presented and the pinned fingerprints', () => {
    const kh = parseKnownHosts(`[h]:2022 ${keys.a!.line}\n`, 'kh');
    const verdict = verifyHostKey(kh, 'h', 2022, keys.b!.blob);
    let error: unknown;
    try {
      assertHostKey(verdict, 'h', 2022, keys.b!.blob, 'kh');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostKeyError);
    expect((error as HostKeyError).kind).toBe('changed');
    expect((error as Error).message).toContain('has CHANGED');
    expect((error as Error).message).toContain(keys.b!.fingerprint);
    expect((error as Error).message).toContain(`line 1: ssh-ed25519 ${keys.a!.fingerprint}`);
  });
});

describe('writing entries (trust on first use)', () => {
  it('appends lines that OpenSSH finds, plain and hashed, and that we read back as a match', async () => {
    const path = join(dir, 'sub', 'known_hosts');
    await writeFile(join(dir, 'x'), '');
    await appendKnownHost(path, '127.0.0.1', 2201, keys.a!.blob);
    await appendKnownHost(path, 'host.example.com', 22, keys.b!.blob, { hash: true });
    expect(await opensshLookup(path, '[127.0.0.1]:2201')).toEqual([1]);
    expect(await opensshLookup(path, 'host.example.com')).toEqual([2]);
    const kh = await loadKnownHosts(path);
    expect(verifyHostKey(kh, '127.0.0.1', 2201, keys.a!.blob).status).toBe('match');
    expect(verifyHostKey(kh, 'host.example.com', 22, keys.b!.blob).status).toBe('match');
    expect((await readFile(path, 'utf8')).split('\n')[0]).toBe(`[127.0.0.1]:2201 ${keys.a!.line}`);
  });

  it('replaces a changed pin, keeping every other line, in a form OpenSSH reads', async () => {
    const path = join(dir, 'replace_known_hosts');
    const original = [
      '# my hosts',
      `[h.example.com]:2200 ${keys.a!.line}`,
      `other.example.com ${keys.b!.line}`,
      `@revoked * ${keys.bad!.line}`,
      `x.example.com,[h.example.com]:2200 ${keys.c!.line}`,
    ].join('\n');
    await writeFile(path, original + '\n');
    const { removed } = await replaceKnownHost(path, 'h.example.com', 2200, keys.ca!.blob);
    expect(removed).toBe(2);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toEqual(['# my hosts', `other.example.com ${keys.b!.line}`, `@revoked * ${keys.bad!.line}`, `[h.example.com]:2200 ${keys.ca!.line}`, '']);
    expect(await opensshLookup(path, '[h.example.com]:2200')).toEqual([3, 4]);
    const kh = await loadKnownHosts(path);
    expect(verifyHostKey(kh, 'h.example.com', 2200, keys.ca!.blob).status).toBe('match');
    expect(verifyHostKey(kh, 'h.example.com', 2200, keys.a!.blob).status).toBe('changed');
  });

  it('refuses to write a host name that would corrupt the file', () => {
    expect(() => formatKnownHostsLine('a b', 22, keys.a!.blob)).toThrow(/cannot write a known_hosts entry for host "a b"/);
    expect(() => formatKnownHostsLine('a,b', 22, keys.a!.blob)).toThrow(/cannot write/);
  });
});

describe('host name case', () => {
  it('looks hosts up lowercased, as OpenSSH does, so a hashed pin matches a mixed-case address', async () => {
    const { hostKeyName } = await import('./knownHosts');
    expect(hostKeyName('Web1.Example.COM', 22)).toBe('web1.example.com');
    expect(hostKeyName('Web1.Example.COM', 2222)).toBe('[web1.example.com]:2222');
  });
});
