// The record of a follow: every line the view was sent (redacted, as shown), kept on disk per run
// and host, so what the view trims from its own buffer is not lost. Bounded by bytes: the spool is
// two files, the current one and the one before (.1); when the current one is full it becomes .1
// and the old .1 is removed, and the new file begins with a line saying how much was rotated out.
// Written synchronously, batch by batch (at most one a batch interval): the order on disk is the
// order on screen, and a batch is a few hundred kilobytes at most.
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputChunk } from './OutputBatcher';
import { ROTATED_NOTE, SpoolReader } from './SpoolReader';
import { spoolText } from './spoolText';

export interface FollowSpoolOptions {
  /** the folder of spools (beside the audit log) */
  dir: string;
  /** bytes one follow keeps on disk, both files together (default 64 MiB) */
  maxBytes?: number;
  /** spools kept in the folder; older ones are removed when a new follow starts (default 50) */
  maxSpools?: number;
}

export class FollowSpools {
  private readonly maxBytes: number;
  private readonly maxSpools: number;
  private readonly reader = new SpoolReader();

  constructor(private readonly options: FollowSpoolOptions) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxSpools = options.maxSpools ?? 50;
  }

  /** The spool of one follow on one host; throws if the folder cannot be written. */
  open(runId: string, hostId: string): FollowSpool {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    this.prune();
    return new FollowSpool(this.pathOf(runId, hostId), this.maxBytes);
  }

  /**
   * Lines `from` (0 is the oldest still kept) to `from + count` of a follow's spool, and how
   * many lines are kept in all; null when the folder has no spool of that run on that host.
   * The first line after a rotation says what was rotated out.
   */
  page(runId: string, hostId: string, from: number, count: number): Promise<{ lines: string[]; total: number } | null> {
    return this.reader.page(this.pathOf(runId, hostId), from, count);
  }

  pathOf(runId: string, hostId: string): string {
    const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
    return join(this.options.dir, `${safe(runId)}.${safe(hostId)}.log`);
  }

  /** Keeps the newest spools (by their last write), a new one included. */
  private prune(): void {
    const spools = readdirSync(this.options.dir)
      .filter((name) => name.endsWith('.log'))
      .map((name) => ({ name, at: statSync(join(this.options.dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of spools.slice(Math.max(0, this.maxSpools - 1))) {
      rmSync(join(this.options.dir, old.name), { force: true });
      rmSync(join(this.options.dir, `${old.name}.1`), { force: true });
    }
  }
}

export class FollowSpool {
  private fd: number | null;
  private bytes = 0;
  private lines = 0;
  /** what the previous file (.1) holds: what goes when it is rotated out */
  private previous = { bytes: 0, lines: 0 };
  private rotatedOut = { bytes: 0, lines: 0 };

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
  ) {
    this.fd = openSync(path, 'w', 0o600);
  }

  /** Adds a batch as the view was sent it; throws when the disk refuses it. */
  append(chunks: readonly OutputChunk[]): void {
    if (this.fd === null) return;
    const { text, lines } = spoolText(chunks);
    if (!text) return;
    if (this.bytes > 0 && this.bytes + Buffer.byteLength(text) > this.maxBytes / 2) this.rotate();
    this.write(text);
    this.lines += lines;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.fd = null;
    this.rotatedOut.bytes += this.previous.bytes;
    this.rotatedOut.lines += this.previous.lines;
    renameSync(this.path, `${this.path}.1`);
    this.previous = { bytes: this.bytes, lines: this.lines };
    this.fd = openSync(this.path, 'w', 0o600);
    this.bytes = 0;
    this.lines = 0;
    if (this.rotatedOut.lines) {
      this.write(
        `${ROTATED_NOTE}${this.maxBytes} bytes: the first ${this.rotatedOut.lines} lines (${this.rotatedOut.bytes} bytes) of this follow were rotated out\n`,
      );
      // the note is not the follow's: the next rotation counts only the lines after it
      this.bytes = 0;
    }
  }

  /** a write the disk cuts short is carried on from where it stopped */
  private write(text: string): void {
    const buffer = Buffer.from(text);
    for (let at = 0; at < buffer.length;) at += writeSync(this.fd!, buffer, at, buffer.length - at);
    this.bytes += buffer.length;
  }
}
