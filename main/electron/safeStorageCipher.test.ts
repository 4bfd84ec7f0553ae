// The desktop shell's SecretCipher on Electron's safeStorage, against the stand-in 'electron'
// (main/electron/standIn/electron.cjs): no Electron binary can run here, so this proves the
// adapter's own decisions (a fixed-key 'basic_text' backend or no keychain counts as
// unavailable) and that it hands strings to safeStorage and blobs back, not the OS encryption.
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, expect, it, vi } from 'vitest';
import { PassphraseStore } from '../core/ssh/PassphraseStore';

const standIn = createRequire(import.meta.url)('./standIn/electron.cjs') as {
  safeStorage: { __available: boolean; __backend: string };
};
vi.mock('electron', () => createRequire(import.meta.url)('./standIn/electron.cjs'));
const { safeStorageCipher } = await import('./safeStorageCipher');

beforeEach(() => {
  standIn.safeStorage.__available = true;
  standIn.safeStorage.__backend = 'gnome_libsecret';
});

it('is available with an OS keyring, and round-trips through safeStorage', () => {
  expect(safeStorageCipher.unavailableReason()).toBeNull();
  const blob = safeStorageCipher.encrypt('pass-ß');
  expect(blob.toString('utf8')).not.toContain('pass-ß');
  expect(safeStorageCipher.decrypt(blob)).toBe('pass-ß');
  expect(() => safeStorageCipher.decrypt(Buffer.from('not a blob'))).toThrow(/decrypting/);
});

it('refuses when safeStorage has no keychain, or would use the fixed basic_text key on Linux', () => {
  standIn.safeStorage.__available = false;
  expect(safeStorageCipher.unavailableReason()).toMatch(/no OS keychain/);
  standIn.safeStorage.__available = true;
  standIn.safeStorage.__backend = 'basic_text';
  if (process.platform === 'linux') expect(safeStorageCipher.unavailableReason()).toMatch(/basic_text/);
});

it('through the core store: the file holds safeStorage blobs, never the passphrase', async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'opsdeck-safe-')), 'ssh-passphrases.json');
  const store = new PassphraseStore({ file, cipher: safeStorageCipher, logger: { warn: () => {} } });
  await store.set('/home/me/.ssh/id_ed25519', 'pass-Ω-1');
  const text = await readFile(file, 'utf8');
  expect(JSON.parse(text)).toMatchObject({ version: 1, cipher: 'electron-safeStorage' });
  expect(text).not.toContain('pass-Ω-1');
  expect(await new PassphraseStore({ file, cipher: safeStorageCipher, logger: { warn: () => {} } }).get('/home/me/.ssh/id_ed25519')).toBe('pass-Ω-1');
});
