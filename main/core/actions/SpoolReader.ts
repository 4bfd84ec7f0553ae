// Pages of a follow's spool (FollowSpool.ts) by line number, without reading the whole spool for
// each page: each of its two files (the one before, .1, then the current one) has an index of
// where its lines start, built once and extended by what was appended since (a follow keeps
// writing while the view pages). A page then reads only its own bytes. A file that was replaced
// (rotated: another inode) or shrank is indexed again from its start.
import { open, stat } from 'node:fs/promises';

/** the line a rotation opens its new file with; the newest one is the spool's first line */
export const ROTATED_NOTE = '[opsdeck] the spool keeps ';

interface FileIndex {
  ino: number;
  /** bytes indexed so far (up to the last newline seen) */
  bytes: number;
  /** offset of each whole line's start; the count is `lines` */
  starts: Uint32Array;
  lines: number;
  /** the file's first line is a rotation note */
  noted: boolean | null;
}

interface FilePart {
  path: string;
  index: FileIndex;
  /** bytes in the file now: a last line without its newline yet ends here */
  size: number;
}

const CHUNK = 1024 * 1024;

/** the file was replaced (rotated) between indexing and reading: the page is read again */
class Replaced extends Error {}

export class SpoolReader {
  private readonly indexes = new Map<string, FileIndex>();

  /** @param keptFiles indexes kept (two per spool); the least recently paged go first */
  constructor(private readonly keptFiles = 8) {}

  /**
   * Lines `from` (0 is the oldest still kept) to `from + count` of the spool at `path`, and how
   * many lines it keeps in all; null when there is no such spool. The newest rotation note,
   * if any, is line 0; an older one (at the start of .1) is left out.
   */
  async page(path: string, from: number, count: number): Promise<{ lines: string[]; total: number } | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.pageOnce(path, from, count);
      } catch (error) {
        if (!(error instanceof Replaced) || attempt === 3) throw error;
      }
    }
  }

  private async pageOnce(path: string, from: number, count: number): Promise<{ lines: string[]; total: number } | null> {
    const older = await this.part(`${path}.1`);
    const current = await this.part(path);
    if (!older && !current) return null;
    // the spool as one list: [current's note] + .1's lines (without its note) + current's lines (without its note)
    const segments: Array<{ part: FilePart; first: number; count: number }> = [];
    const whole = (p: FilePart) => p.index.lines + (p.size > p.index.bytes ? 1 : 0);
    if (current?.index.noted) segments.push({ part: current, first: 0, count: 1 });
    if (older) segments.push({ part: older, first: older.index.noted ? 1 : 0, count: whole(older) - (older.index.noted ? 1 : 0) });
    if (current) segments.push({ part: current, first: current.index.noted ? 1 : 0, count: whole(current) - (current.index.noted ? 1 : 0) });
    const total = segments.reduce((n, s) => n + s.count, 0);
    const start = Math.min(Math.max(0, from), total);
    const end = Math.min(total, start + Math.max(0, count));
    const lines: string[] = [];
    let at = 0;
    for (const segment of segments) {
      const lo = Math.max(start, at);
      const hi = Math.min(end, at + segment.count);
      if (lo < hi) lines.push(...(await this.read(segment.part, segment.first + lo - at, hi - lo)));
      at += segment.count;
    }
    return { lines, total };
  }

  /** The file's index brought up to date, or null if it does not exist. */
  private async part(path: string): Promise<FilePart | null> {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let index = this.indexes.get(path);
    if (!index || index.ino !== info.ino || info.size < index.bytes) {
      index = { ino: info.ino, bytes: 0, starts: new Uint32Array(1024), lines: 0, noted: null };
    }
    this.indexes.delete(path);
    this.indexes.set(path, index);
    for (const old of [...this.indexes.keys()].slice(0, Math.max(0, this.indexes.size - this.keptFiles))) this.indexes.delete(old);
    if (info.size > index.bytes) await this.extend(path, index, info.size);
    return { path, index, size: info.size };
  }

  /** Adds the lines between what was indexed and `size` (whole lines only). */
  private async extend(path: string, index: FileIndex, size: number): Promise<void> {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK);
      let offset = index.bytes;
      while (offset < size) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, size - offset), offset);
        if (bytesRead === 0) break;
        if (index.noted === null && offset === 0) index.noted = buffer.subarray(0, Math.min(bytesRead, ROTATED_NOTE.length)).toString('utf8') === ROTATED_NOTE;
        for (let i = buffer.indexOf(10); i !== -1 && i < bytesRead; i = buffer.indexOf(10, i + 1)) {
          // the line that this newline ends started at index.bytes
          if (index.lines === index.starts.length) {
            const grown = new Uint32Array(index.starts.length * 2);
            grown.set(index.starts);
            index.starts = grown;
          }
          index.starts[index.lines++] = index.bytes;
          index.bytes = offset + i + 1;
        }
        offset += bytesRead;
      }
    } finally {
      await file.close();
    }
  }

  /** `count` lines of one file from its line `first` (the last may be one without its newline yet). */
  private async read(part: FilePart, first: number, count: number): Promise<string[]> {
    const { index } = part;
    const startOf = (line: number) => (line < index.lines ? index.starts[line]! : index.bytes);
    const from = startOf(first);
    const to = first + count < index.lines ? startOf(first + count) : part.size;
    const buffer = Buffer.alloc(to - from);
    const file = await open(part.path, 'r');
    try {
      if ((await file.stat()).ino !== index.ino) throw new Replaced(part.path);
      for (let at = 0; at < buffer.length;) {
        const { bytesRead } = await file.read(buffer, at, buffer.length - at, from + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
    } finally {
      await file.close();
    }
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(0, count);
  }
}
