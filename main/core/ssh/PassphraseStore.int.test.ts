// ssh.rememberPassphrases end to end in main against a real loopback sshd and a real
// encrypted key. The cipher is a real one (AES-256-GCM from node:crypto with a key held in this
// process), standing where the desktop app puts Electron's safeStorage, which cannot run here.
import { execFile } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { HostId, SshPrompt } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { EventHub } from '../bridge/EventHub';
import { PassphraseStore, type SecretCipher } from './PassphraseStore';
import { SessionPool } from './SessionPool';
import { SshFeature } from './SshFeature';

const run = promisify(execFile);
const H = 'app1' as HostId;
const SECRET = 'remember-Me-9a1f-ü';
let scratch: string;
let sshd: Sshd;
let n = 0;
const cleanups: (() => Promise<void>)[] = [];

/** A real authenticated cipher: AES-256-GCM, random IV per blob, the key only in memory. */
function aesCipher(key = randomBytes(32)): SecretCipher {
  return {
    name: 'test-aes-256-gcm',
    unavailableReason: () => null,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(blob) {
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      d.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([d.update(blob.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-remember-'));
  sshd = await startSshd({ clientKeyPassphrase: SECRET });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await sshd?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** One console session: its own pool and prompts, the store (if any) on the given file. */
function session(store: PassphraseStore | undefined) {
  const hub = new EventHub();
  const events: string[] = [];
  let prompts: SshPrompt[] = [];
  hub.subscribe((name, payload) => {
    events.push(JSON.stringify({ name, payload }));
    if (name === 'onSshPrompt') prompts = (payload as { prompts: SshPrompt[] }).prompts;
  });
  const logs: string[] = [];
  const logger = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const feature = new SshFeature({
    hub,
    configPath: null,
    sshConfigPath: '/nonexistent',
    randomHex: (b) => (++n).toString(16).padStart(b * 2, '0'),
    logger,
    ...(store ? { passphraseStore: store } : {}),
  });
  const pool = new SessionPool({ ...feature.poolDeps(), backoff: { initialMs: 100, maxMs: 300 }, logger });
  pool.onState((s) => hub.emit('onConnection', { updates: [s] }));
  feature.attach(pool);
  pool.setHosts([{ id: H, address: sshd.address, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath }]);
  cleanups.push(async () => {
    feature.close();
    await pool.close();
  });
  return { pool, feature, events, logs, prompts: () => prompts, state: () => pool.states()[0]!.state };
}

it('opted in: asked once, kept encrypted in the file, and the next session connects without asking', async () => {
  const file = join(scratch, 'state', 'ssh-passphrases.json');
  const cipher = aesCipher();
  const first = session(new PassphraseStore({ file, cipher, logger: { warn: () => {} } }));
  const connecting = first.pool.connect(H);
  await expect.poll(() => first.prompts()[0], { timeout: 10_000 }).toMatchObject({ kind: 'passphrase', keyPath: sshd.clientKeyPath, remember: true });
  await first.feature.handlers.answerSshPrompt({ promptId: first.prompts()[0]!.promptId, passphrase: SECRET });
  await connecting;
  await expect.poll(() => readFile(file, 'utf8').catch(() => ''), { timeout: 5000 }).toContain(sshd.clientKeyPath);
  const text = await readFile(file, 'utf8');
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  const blob = Buffer.from((JSON.parse(text) as { keys: Record<string, string> }).keys[sshd.clientKeyPath]!, 'base64');
  expect(cipher.decrypt(blob)).toBe(SECRET);
  for (const e of first.events) expect(e).not.toContain(SECRET);
  for (const l of first.logs) expect(l).not.toContain(SECRET);
  await first.pool.close();

  // a new session (the console restarted): a fresh store object reads the same file
  const second = session(new PassphraseStore({ file, cipher, logger: { warn: () => {} } }));
  await second.pool.connect(H);
  expect(second.state()).toBe('connected');
  expect(second.events.filter((e) => e.includes('"onSshPrompt"'))).toEqual([]);
}, 60_000);

it('a remembered passphrase that no longer opens the key is dropped and asked again (not called a typo)', async () => {
  const file = join(scratch, 'changed', 'ssh-passphrases.json');
  const cipher = aesCipher();
  const store = new PassphraseStore({ file, cipher, logger: { warn: () => {} } });
  await store.set(sshd.clientKeyPath, 'an-old-passphrase');
  const s = session(store);
  const connecting = s.pool.connect(H).catch((e: Error) => e.message);
  expect(await connecting).toMatch(/wrong passphrase for key/);
  await expect.poll(() => s.prompts()[0], { timeout: 10_000 }).toMatchObject({ kind: 'passphrase', retry: false, remember: true });
  expect(await store.get(sshd.clientKeyPath)).toBeNull();
  await s.feature.handlers.answerSshPrompt({ promptId: s.prompts()[0]!.promptId, passphrase: SECRET });
  await expect.poll(() => s.state(), { timeout: 15_000 }).toBe('connected');
  await expect.poll(() => store.get(sshd.clientKeyPath), { timeout: 5000 }).toBe(SECRET);
  expect(s.logs.some((l) => l.includes(`the remembered passphrase no longer opens ${sshd.clientKeyPath}`))).toBe(true);
}, 60_000);

it('not opted in: the passphrase is asked, used and written nowhere', async () => {
  const s = session(undefined);
  const connecting = s.pool.connect(H);
  await expect.poll(() => s.prompts()[0], { timeout: 10_000 }).toMatchObject({ kind: 'passphrase', remember: false });
  await s.feature.handlers.answerSshPrompt({ promptId: s.prompts()[0]!.promptId, passphrase: SECRET });
  await connecting;
  const { stdout } = await run('grep', ['-rl', SECRET, scratch]).catch(() => ({ stdout: '' }));
  expect(stdout).toBe('');
}, 60_000);

it('a file from another cipher, or damaged, is ignored with a warning, not trusted and not fatal', async () => {
  const file = join(scratch, 'foreign.json');
  await writeFile(file, JSON.stringify({ version: 1, cipher: 'something-else', keys: { '/k': 'AAAA' } }));
  const warnings: string[] = [];
  const store = new PassphraseStore({ file, cipher: aesCipher(), logger: { warn: (m) => warnings.push(m) } });
  expect(await store.get('/k')).toBeNull();
  expect(warnings.join('\n')).toMatch(/ignoring .*foreign\.json: written by something-else, not test-aes-256-gcm/);
  // a blob the cipher cannot open (another machine's keychain) is dropped
  const other = new PassphraseStore({ file: join(scratch, 'other.json'), cipher: aesCipher(), logger: { warn: () => {} } });
  await other.set('/k', 'x');
  const reader = new PassphraseStore({ file: join(scratch, 'other.json'), cipher: aesCipher(), logger: { warn: (m) => warnings.push(m) } });
  expect(await reader.get('/k')).toBeNull();
  expect(warnings.at(-1)).toMatch(/cannot be decrypted by test-aes-256-gcm/);
});
