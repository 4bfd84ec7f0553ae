// The kept output of every run that ends by itself (a follow has its spool, FollowSpool.ts): what
// the run dialog was sent on each host, redacted as shown, kept beside the audit log so the Audit
// view can open it after the dialog is gone. One folder per run, one file per host in it.
// Bounded twice: a file keeps the first and the last half of its bound, and says in the middle how
// many bytes were cut there; the folder keeps the newest runs (by when they started) and removes
// older ones as a new run starts. The head is written as it comes, batch by batch; the tail is
// held in memory until the run ends on that host, since which bytes are the last is only known
// then (a console stopped mid-run keeps the head). Keeping never slows or stops a run: a file
// the disk refuses is logged and given up, the run goes on.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../common/logger';
import type { OutputChunk } from './OutputBatcher';
import { SpoolReader } from './SpoolReader';
import { spoolText } from './spoolText';

/** the line that opens every note the console writes into a kept output */
export const KEPT_NOTE = '[opsdeck] ';

export interface RunOutputsOptions {
  /** the folder of kept outputs (beside the audit log) */
  dir: string;
  /** bytes kept per run and host: the first and the last half of it (default 1 MiB) */
  maxBytes?: number;
  /** runs kept in the folder; older ones are removed when a new run starts (default 200) */
  maxRuns?: number;
  logger?: Pick<Logger, 'warn'>;
}

export class RunOutputs {
  readonly maxBytes: number;
  readonly maxRuns: number;
  private readonly reader = new SpoolReader();

  constructor(private readonly options: RunOutputsOptions) {
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxRuns = options.maxRuns ?? 200;
  }

  /** The kept output of a run on a host; null (and logged) when the folder cannot be written. */
  open(runId: string, hostId: string): KeptOutput | null {
    const folder = join(this.options.dir, safe(runId));
    try {
      if (!existsSync(folder)) {
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        this.prune(safe(runId));
      }
      return new KeptOutput(this.pathOf(runId, hostId), this.maxBytes, this.options.logger);
    } catch (error) {
      this.options.logger?.warn(`actions: the output of ${runId} on ${hostId} is not kept: ${(error as Error).message}`);
      return null;
    }
  }

  /**
   * Lines `from` (0 the first) to `from + count` of a run's kept output on a host, and how many
   * lines it keeps; null when the folder keeps no output of that run on that host.
   */
  page(runId: string, hostId: string, from: number, count: number): Promise<{ lines: string[]; total: number } | null> {
    return this.reader.page(this.pathOf(runId, hostId), from, count);
  }

  pathOf(runId: string, hostId: string): string {
    return join(this.options.dir, safe(runId), `${safe(hostId)}.log`);
  }

  /** Keeps the newest runs (by when a host of theirs last started: its file's creation touches the folder), `current` included. */
  private prune(current: string): void {
    const runs = readdirSync(this.options.dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== current)
      .map((entry) => ({ name: entry.name, at: statSync(join(this.options.dir, entry.name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of runs.slice(Math.max(0, this.maxRuns - 1))) rmSync(join(this.options.dir, old.name), { recursive: true, force: true });
  }
}

export class KeptOutput {
  private fd: number | null;
  private readonly half: number;
  /** bytes written to the file so far (the head) */
  private written = 0;
  /** the head's last byte was a newline (or nothing is written yet) */
  private lineEnded = true;
  /** every byte the run sent this file, kept or not */
  private offered = 0;
  /** the head is full: what comes now is held for the tail */
  private cutting = false;
  private tail: Buffer[] = [];
  private tailBytes = 0;

  constructor(
    readonly path: string,
    maxBytes: number,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {
    this.half = Math.max(1, Math.floor(maxBytes / 2));
    this.fd = openSync(path, 'w', 0o600);
  }

  /** Adds a batch as the view was sent it, with the lines the console dropped before it. */
  append(chunks: readonly OutputChunk[], droppedLines = 0): void {
    if (this.fd === null) return;
    try {
      const batch = spoolText(chunks).text;
      const text =
        droppedLines > 0 ? `${KEPT_NOTE}${droppedLines} ${droppedLines === 1 ? 'line' : 'lines'} dropped by the console to keep up\n${batch}` : batch;
      if (!text) return;
      let bytes = Buffer.from(text);
      this.offered += bytes.length;
      if (!this.cutting) {
        const room = this.half - this.written;
        if (bytes.length <= room) return this.write(bytes);
        // the head ends after the last whole line that fits (or mid-line, at a character, if none does)
        const newline = room > 0 ? bytes.lastIndexOf(10, room - 1) : -1;
        const end = newline !== -1 ? newline + 1 : charStart(bytes, Math.max(0, room), -1);
        this.write(bytes.subarray(0, end));
        bytes = bytes.subarray(end);
        this.cutting = true;
      }
      this.tail.push(bytes);
      this.tailBytes += bytes.length;
      while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.half) this.tailBytes -= this.tail.shift()!.length;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Writes the cut note and the tail, if the head was full, and closes the file. */
  close(): void {
    if (this.fd === null) return;
    try {
      if (this.cutting) {
        let tail = Buffer.concat(this.tail);
        this.tail = [];
        if (tail.length > this.half) {
          // the tail starts at the first whole line within its bound (or at a character, if none does)
          const from = tail.length - this.half;
          const newline = tail.indexOf(10, from);
          tail = tail.subarray(newline !== -1 && newline + 1 < tail.length ? newline + 1 : charStart(tail, from, 1));
        }
        const cut = this.offered - this.written - tail.length;
        this.write(
          Buffer.from(
            `${this.lineEnded ? '' : '\n'}${KEPT_NOTE}${cut.toLocaleString('en')} bytes cut from the middle of this output: a run keeps its first and last ${this.half.toLocaleString('en')} bytes on each host\n`,
          ),
        );
        this.write(tail);
      }
      closeSync(this.fd);
    } catch (error) {
      this.fail(error);
    }
    this.fd = null;
  }

  /** a write the disk cuts short is carried on from where it stopped */
  private write(bytes: Buffer): void {
    for (let at = 0; at < bytes.length;) at += writeSync(this.fd!, bytes, at, bytes.length - at);
    this.written += bytes.length;
    if (bytes.length) this.lineEnded = bytes[bytes.length - 1] === 10;
  }

  private fail(error: unknown): void {
    this.logger?.warn(`actions: ${this.path}: the output is no longer kept from here on: ${(error as Error).message}`);
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already given up on: nothing more to do with it
      }
    }
    this.fd = null;
    this.tail = [];
  }
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The nearest offset at or around `at` (going `step`) that starts a UTF-8 character. */
function charStart(bytes: Buffer, at: number, step: 1 | -1): number {
  let i = Math.min(Math.max(0, at), bytes.length);
  while (i > 0 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i += step;
  return i;
}
