// Key passphrases kept between sessions, only when the user opts in (ssh.rememberPassphrases)
// and only encrypted by the operating system's secret store. Core never imports 'electron':
// the encryption comes in as a SecretCipher port; the desktop shell implements it with
// Electron's safeStorage (main/electron/safeStorageCipher.ts), the browser shell has none.
// The file holds key paths (not secret) and the cipher's opaque blobs; never a passphrase in
// clear, and nothing here is ever sent to a view.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../../common/logger';

/** The OS's secret encryption (the shape of Electron's safeStorage). */
export interface SecretCipher {
  /** what the stored blobs are tied to, written in the file (e.g. "electron-safeStorage") */
  readonly name: string;
  /** why it cannot be used now (no keychain, a fixed-key fallback), or null when it can */
  unavailableReason(): string | null;
  encrypt(plain: string): Buffer;
  /** throws when the blob was not made by this cipher (another machine, a reset keychain) */
  decrypt(blob: Buffer): string;
}

interface StoreFile {
  version: 1;
  cipher: string;
  /** key file path -> base64 of the cipher's blob */
  keys: Record<string, string>;
}

export interface PassphraseStoreDeps {
  file: string;
  cipher: SecretCipher;
  logger: Pick<Logger, 'warn'>;
}

export class PassphraseStore {
  private data: StoreFile | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: PassphraseStoreDeps) {}

  get file(): string {
    return this.deps.file;
  }

  /** The remembered passphrase of a key file, or null (none, or it no longer decrypts: then it is dropped). */
  async get(keyPath: string): Promise<string | null> {
    const data = await this.load();
    const blob = data.keys[keyPath];
    if (blob === undefined) return null;
    try {
      return this.deps.cipher.decrypt(Buffer.from(blob, 'base64'));
    } catch (err) {
      this.deps.logger.warn(
        `ssh: the remembered passphrase for ${keyPath} cannot be decrypted by ${this.deps.cipher.name} (${(err as Error).message}); it will be asked again`,
      );
      await this.forget(keyPath);
      return null;
    }
  }

  async set(keyPath: string, passphrase: string): Promise<void> {
    const data = await this.load();
    data.keys[keyPath] = this.deps.cipher.encrypt(passphrase).toString('base64');
    await this.save();
  }

  async forget(keyPath: string): Promise<void> {
    const data = await this.load();
    if (!(keyPath in data.keys)) return;
    delete data.keys[keyPath];
    await this.save();
  }

  private async load(): Promise<StoreFile> {
    if (this.data) return this.data;
    const empty: StoreFile = { version: 1, cipher: this.deps.cipher.name, keys: {} };
    let text: string;
    try {
      text = await readFile(this.deps.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.deps.logger.warn(`ssh: cannot read ${this.deps.file} (${(err as Error).message}); remembered passphrases will be asked again`);
      return (this.data = empty);
    }
    try {
      const parsed = JSON.parse(text) as Partial<StoreFile>;
      if (parsed.version !== 1 || typeof parsed.keys !== 'object' || parsed.keys === null || Object.values(parsed.keys).some((v) => typeof v !== 'string'))
        throw new Error('not a version 1 passphrase file');
      if (parsed.cipher !== this.deps.cipher.name) throw new Error(`written by ${String(parsed.cipher)}, not ${this.deps.cipher.name}`);
      return (this.data = { version: 1, cipher: this.deps.cipher.name, keys: { ...parsed.keys } });
    } catch (err) {
      this.deps.logger.warn(`ssh: ignoring ${this.deps.file}: ${(err as Error).message}; remembered passphrases will be asked again`);
      return (this.data = empty);
    }
  }

  /** Owner-only, written whole to a temp file and renamed over, one write at a time. */
  private save(): Promise<void> {
    const text = JSON.stringify(this.data) + '\n';
    this.writing = this.writing
      .catch(() => {})
      .then(async () => {
        await mkdir(dirname(this.deps.file), { recursive: true, mode: 0o700 });
        const tmp = `${this.deps.file}.tmp`;
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, this.deps.file);
      });
    return this.writing;
  }
}
