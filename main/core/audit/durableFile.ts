// File writes the audit log can stand on: a write is whole or undone, a new file's name is synced
// into its folder, and a small fixed-size line is overwritten in place.
import { constants } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync a folder, so a file just created in it is still there after a power cut. */
export async function syncFolder(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Append `text` whole and fdatasync it, or leave the file as it was and throw. A write that fits
 * partly (a full disk) returns a short count before ENOSPC: the rest is retried from where it
 * stopped, and when the disk refuses it the partial line is cut off again, so no record is ever
 * left half on disk by a refusal. Creates the file (and its folder) when missing and syncs the
 * folder that gained it. fdatasync: the bytes and the new size reach the disk, the timestamps
 * need not (what PostgreSQL does for its WAL). `onWritten` is called once every byte is written
 * and before the sync starts; a sync that fails afterwards still cuts the text off and throws.
 */
export async function appendWhole(path: string, text: string, onWritten?: () => void): Promise<void> {
  const { fh, created } = await openForAppend(path);
  try {
    if (created) await syncFolder(dirname(path));
    const start = (await fh.stat()).size;
    const bytes = Buffer.from(text);
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, done, bytes.length - done);
        if (bytesWritten <= 0) throw Object.assign(new Error('the disk accepted no bytes'), { code: 'EIO' });
        done += bytesWritten;
      }
      onWritten?.();
      await fh.datasync();
    } catch (err) {
      // Undo the partial write; shrinking needs no space, so it works on a full disk.
      await fh.truncate(start).catch(() => undefined);
      await fh.datasync().catch(() => undefined);
      throw err;
    }
  } finally {
    await fh.close();
  }
}

async function openForAppend(path: string): Promise<{ fh: FileHandle; created: boolean }> {
  // the file is there on every append but the first: one open, without O_CREAT
  try {
    return { fh: await open(path, constants.O_WRONLY | constants.O_APPEND), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // 'ax' tells whether this open created the file (its folder then needs a sync)
  try {
    return { fh: await open(path, 'ax', 0o600), created: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { fh: await open(path, 'a', 0o600), created: false };
    if (code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true });
  return { fh: await open(path, 'ax', 0o600), created: true };
}

/**
 * Overwrite a small file in place with one line and fdatasync it: one write inside one sector, so
 * a crash leaves the old line or the new one, never a mix, without a rename. Creating it syncs
 * its folder.
 */
export async function overwriteLine(path: string, line: string): Promise<void> {
  let fh: FileHandle;
  let created = false;
  try {
    fh = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(path), { recursive: true });
    fh = await open(path, 'w', 0o600);
    created = true;
  }
  try {
    const { bytesWritten } = await fh.write(line, 0);
    if (bytesWritten !== Buffer.byteLength(line)) throw Object.assign(new Error(`short write to ${path}`), { code: 'ENOSPC' });
    await fh.truncate(Buffer.byteLength(line));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  if (created) await syncFolder(dirname(path));
}

/** One line for an error that names the disk's refusal in plain words. */
export function diskReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return 'no space left on the disk';
  if (code === 'EDQUOT') return 'disk quota exceeded';
  if (code === 'EROFS') return 'the disk is read-only';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return ((err as Error).message ?? String(err)).split('\n')[0]!;
}
