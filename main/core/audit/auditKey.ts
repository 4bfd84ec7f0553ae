// The audit key: 32 random bytes kept apart from the log, so whoever can write the log but not
// read the key cannot mark a record as the console's. Stored in the state folder, mode 0600;
// where the shell has an OS keychain (Electron's safeStorage, through the SecretCipher port)
// the file holds the key encrypted by it, so a copy of the file alone is useless.
import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { OpsFailure } from '../../../common/result';
import type { SecretCipher } from '../ssh/PassphraseStore';
import { syncFolder } from './durableFile';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';

/** Where the key comes from: the port a shell implements (a file, the OS keychain). */
export interface AuditKeySource {
  load(): Promise<Buffer>;
}

const PLAIN = 'opsdeck-audit-key v1 plain ';
const SEALED = 'opsdeck-audit-key v1 sealed ';

/**
 * The key file: `opsdeck-audit-key v1 plain <hex>` (0600), or `... sealed <cipher> <base64>` when a
 * usable cipher is given. Created on first use; an unreadable or foreign one is an error, never
 * replaced (a new key would make every earlier mark unverifiable).
 */
export function fileAuditKey(path: string, cipher?: SecretCipher | null): AuditKeySource {
  let loading: Promise<Buffer> | null = null;
  const usable = cipher && cipher.unavailableReason() === null ? cipher : null;
  return {
    load: () =>
      (loading ??= loadOrCreate(path, usable).catch((err: unknown) => {
        loading = null;
        throw err;
      })),
  };
}

async function loadOrCreate(path: string, cipher: SecretCipher | null): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OpsFailure('unavailable', `audit key ${path} cannot be read: ${(err as Error).message}`);
    return create(path, cipher);
  }
  const line = text.trim();
  if (line.startsWith(PLAIN)) return fromHex(path, line.slice(PLAIN.length));
  if (line.startsWith(SEALED)) {
    const [name, blob] = line.slice(SEALED.length).split(' ');
    if (!cipher || cipher.name !== name) throw new OpsFailure('unavailable', `audit key ${path} is sealed by ${name}, which this shell cannot open`);
    try {
      return fromHex(path, cipher.decrypt(Buffer.from(blob ?? '', 'base64')));
    } catch (err) {
      throw new OpsFailure('unavailable', `audit key ${path} cannot be unsealed: ${(err as Error).message}`);
    }
  }
  throw new OpsFailure('unavailable', `audit key ${path} is not an audit key file (edited or garbled)`);
}

function fromHex(path: string, hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new OpsFailure('unavailable', `audit key ${path} is not an audit key file (edited or garbled)`);
  return Buffer.from(hex, 'hex');
}

async function create(path: string, cipher: SecretCipher | null): Promise<Buffer> {
  const key = randomBytes(32);
  const hex = key.toString('hex');
  const line = cipher ? `${SEALED}${cipher.name} ${cipher.encrypt(hex).toString('base64')}\n` : `${PLAIN}${hex}\n`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // 'wx': two consoles starting at once must not each make a key; the loser reads the winner's
  let fh;
  try {
    fh = await open(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreate(path, cipher);
    throw new OpsFailure('unavailable', `audit key ${path} cannot be created: ${(err as Error).message}`);
  }
  try {
    await fh.writeFile(line);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await syncFolder(dirname(path));
  return key;
}
