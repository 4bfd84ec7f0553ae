// The action audit log: append-only JSON lines, each record hash-chained to the one before and
// synced to disk before `append` resolves, so an action's intent is on disk before its command runs.
import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuditRecord } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Clock } from '../clock';
import { isoAt } from '../clock';
import type { Redactor } from '../redact/Redactor';

export const GENESIS_HASH = '0'.repeat(64);

/** What a caller supplies; seq, time and the chain are the log's business. */
export interface AuditEntry {
  kind: AuditRecord['kind'];
  user: string;
  runId?: string | null;
  actionId?: string | null;
  hostId?: string | null;
  command?: string | null;
  exitCode?: number | null;
  outcome?: string | null;
}

export type VerifyResult =
  | { ok: true; count: number }
  | { ok: false; count: number; badSeq: number; line: number; error: string };

export interface AuditLogDeps {
  /** the JSON-lines file; created (with its folder) on first append */
  path: string;
  clock: Clock;
  redactor: Redactor;
}

type Unsigned = Omit<AuditRecord, 'hash'>;

/**
 * The record's hash: sha256 over its fields in a fixed order, prevHash included. Field order is
 * fixed here rather than taken from JSON.stringify of whatever object came in, so a record
 * re-serialised by another tool still verifies.
 */
export function hashRecord(r: Unsigned): string {
  const canonical = JSON.stringify([
    r.seq,
    r.at,
    r.kind,
    r.user,
    r.runId,
    r.actionId,
    r.hostId,
    r.command,
    r.exitCode,
    r.outcome,
    r.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

interface Head {
  seq: number;
  hash: string;
  /** whether the file's last byte is a newline (false after a torn write) */
  endsClean: boolean;
}

interface Pending {
  entry: AuditEntry;
  resolve(record: AuditRecord): void;
  reject(error: unknown): void;
}

export class AuditLog {
  private head: Head | null = null;
  private pending: Pending[] = [];
  private writing: Promise<void> | null = null;
  /** the head file is behind the log (its last write failed): the next write tries it first */
  private anchorBehind = false;

  constructor(private readonly deps: AuditLogDeps) {}

  get path(): string {
    return this.deps.path;
  }

  /**
   * Append one record. Appends are serialised, so records from concurrent runs never interleave
   * and each chains to the one written just before it. Resolves once the record is synced to
   * disk; rejects if the disk refuses. The head file (see writeAnchor) is written after that,
   * before the next group: an action's command waits on one sync, not two.
   *
   * Group commit: appends that arrive while a write is in flight go out together in the next
   * write with one fsync. A 20-host fan-out writes its 20 intents with one fsync (about 3 ms
   * here) instead of 20 in a row, and each append still resolves only once its record is on disk.
   */
  append(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      // start on the next microtask, so appends made in the same tick share the first write
      this.writing ??= Promise.resolve().then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        try {
          const records = await this.write(batch.map((p) => p.entry));
          batch.forEach((p, i) => p.resolve(records[i]!));
        } catch (err) {
          // a failed write may have left part of a line: read the file again before the next one
          this.head = null;
          for (const p of batch) p.reject(err);
          continue;
        }
        // The records are on disk and their callers have been told; the anchor follows, still
        // before the next group. It may lag the log by one group anyway (a crash in between), and
        // verify allows that. If it cannot be written the next append tries again and, failing,
        // is refused: a disk that refuses the head file will not be trusted with an intent.
        const head = this.head!;
        try {
          await this.writeAnchor(head.seq, head.hash);
          this.anchorBehind = false;
        } catch {
          this.anchorBehind = true;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  /** Resolves once every append so far, and the head file after it, is on disk (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The newest `limit` records, oldest first. Unreadable lines are skipped (verify names them). */
  async read(limit: number): Promise<AuditRecord[]> {
    const lines = await this.lines();
    const records: AuditRecord[] = [];
    for (let i = lines.length - 1; i >= 0 && records.length < limit; i--) {
      const parsed = parseLine(lines[i]!);
      if (parsed.ok) records.push(parsed.record);
    }
    return records.reverse();
  }

  /**
   * Walk the whole chain. Names the first bad record: an edited field (hash mismatch), a deleted
   * or reordered one (seq or prevHash break), a cut or garbled line (not JSON / wrong shape), or
   * records this process wrote that are no longer in the file (truncated tail).
   */
  async verify(): Promise<VerifyResult> {
    await this.idle();
    const lines = await this.lines();
    let prevHash = GENESIS_HASH;
    let expectSeq = 1;
    let count = 0;
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      const parsed = parseLine(lines[i]!);
      if (!parsed.ok) return { ok: false, count, badSeq: expectSeq, line: lineNo, error: `line ${lineNo}: ${parsed.error}` };
      const r = parsed.record;
      if (r.seq !== expectSeq) {
        const what = r.seq > expectSeq ? `record ${expectSeq} is missing (found ${r.seq})` : `record ${r.seq} is out of order (expected ${expectSeq})`;
        return { ok: false, count, badSeq: expectSeq, line: lineNo, error: `line ${lineNo}: ${what}` };
      }
      if (r.prevHash !== prevHash) {
        return { ok: false, count, badSeq: r.seq, line: lineNo, error: `line ${lineNo}: record ${r.seq} does not chain to the record before it` };
      }
      const { hash, ...unsigned } = r;
      if (hashRecord(unsigned) !== hash) {
        return { ok: false, count, badSeq: r.seq, line: lineNo, error: `line ${lineNo}: record ${r.seq} was altered (hash mismatch)` };
      }
      prevHash = hash;
      expectSeq++;
      count++;
    }
    // What this process appended must still be there: catches a tail cut off while we ran.
    if (this.head && this.head.seq >= expectSeq) {
      return {
        ok: false,
        count,
        badSeq: expectSeq,
        line: lines.length + 1,
        error: `records ${expectSeq} to ${this.head.seq} were written by this session and are gone (file truncated)`,
      };
    }
    if (this.head && this.head.seq === expectSeq - 1 && this.head.hash !== prevHash) {
      return { ok: false, count, badSeq: this.head.seq, line: lines.length, error: `record ${this.head.seq} was replaced since this session wrote it` };
    }
    // The head file, written after every append, anchors the chain outside the log: a log cut
    // short or rewritten consistently (every hash recomputed) no longer reaches its record.
    const anchor = await this.readAnchor();
    if (anchor && 'error' in anchor) return { ok: false, count, badSeq: expectSeq, line: lines.length + 1, error: anchor.error };
    if (anchor && anchor.seq > 0) {
      if (anchor.seq >= expectSeq) {
        return {
          ok: false,
          count,
          badSeq: expectSeq,
          line: lines.length + 1,
          error: `records ${expectSeq} to ${anchor.seq} are gone: ${this.headPath} says the log reached record ${anchor.seq} (file truncated)`,
        };
      }
      const at = parseLine(lines[anchor.seq - 1]!);
      if (!at.ok || at.record.hash !== anchor.hash) {
        return { ok: false, count, badSeq: anchor.seq, line: anchor.seq, error: `line ${anchor.seq}: record ${anchor.seq} is not the one ${this.headPath} recorded (the log was rewritten)` };
      }
    }
    return { ok: true, count };
  }

  private async write(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    const head = this.head ?? (await this.loadHead());
    if (this.anchorBehind) {
      try {
        await this.writeAnchor(head.seq, head.hash);
      } catch (err) {
        throw new OpsFailure('unavailable', `audit head file ${this.headPath} cannot be written: ${(err as Error).message}`);
      }
      this.anchorBehind = false;
    }
    const r = this.deps.redactor;
    const red = (v: string | null | undefined): string | null => (v == null ? null : r.redact(v));
    const records: AuditRecord[] = [];
    let prev = { seq: head.seq, hash: head.hash };
    for (const entry of entries) {
      const unsigned: Unsigned = {
        seq: prev.seq + 1,
        at: isoAt(this.deps.clock.now()),
        kind: entry.kind,
        user: r.redact(entry.user),
        runId: red(entry.runId),
        actionId: red(entry.actionId),
        hostId: red(entry.hostId),
        command: red(entry.command),
        exitCode: entry.exitCode ?? null,
        outcome: red(entry.outcome),
        prevHash: prev.hash,
      };
      const record: AuditRecord = AuditRecord.parse({ ...unsigned, hash: hashRecord(unsigned) });
      records.push(record);
      prev = record;
    }
    // After a torn write (crash mid-append) start on a fresh line; verify() will name the torn one.
    const text = (head.endsClean ? '' : '\n') + records.map((rec) => JSON.stringify(rec) + '\n').join('');
    const fh = await this.openLog();
    try {
      await fh.write(text);
      // fdatasync: the appended bytes and the file's new size reach the disk, the timestamps
      // need not (what PostgreSQL does for its WAL). On ext4 it skips a journal commit that an
      // fsync of the timestamps would wait for.
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.head = { seq: prev.seq, hash: prev.hash, endsClean: true };
    return records;
  }

  /** The log opened for appending; its folder is made the first time it is missing, not on every append. */
  private async openLog(): Promise<FileHandle> {
    try {
      return await open(this.deps.path, 'a', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(this.deps.path), { recursive: true });
      return open(this.deps.path, 'a', 0o600);
    }
  }

  /** `<log>.head`: the newest record's seq and hash, kept beside the log. */
  get headPath(): string {
    return `${this.deps.path}.head`;
  }

  /**
   * Overwrites the head file in place with one fixed-length line (81 bytes: seq padded to 15
   * digits, the hash, a newline) and syncs it: one small write inside one sector, so a crash
   * leaves the old line or the new one, never a mix, without a rename and a folder fsync.
   * Written after the log's own sync, so it can lag the log by one group (a crash in between);
   * verify allows that and checks the record it names. fdatasync is enough: the size stays
   * 81 bytes, so only the data block has to reach the disk.
   */
  private async writeAnchor(seq: number, hash: string): Promise<void> {
    const line = `${String(seq).padStart(15, '0')} ${hash}\n`;
    let fh;
    try {
      fh = await open(this.headPath, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fh = await open(this.headPath, 'w', 0o600);
    }
    try {
      await fh.write(line, 0);
      await fh.truncate(line.length);
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  /** The head file's seq and hash; null when there is none (a log from before head files). */
  private async readAnchor(): Promise<{ seq: number; hash: string } | { error: string } | null> {
    let text: string;
    try {
      text = await readFile(this.headPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { error: `${this.headPath} cannot be read: ${(err as Error).message}` };
    }
    const m = /^(\d{15}) ([0-9a-f]{64})\n$/.exec(text);
    if (!m) return { error: `${this.headPath} is not a head line (edited or garbled)` };
    return { seq: Number(m[1]), hash: m[2]! };
  }

  /** Resume the chain from the last readable record in the file. */
  private async loadHead(): Promise<Head> {
    let text: string;
    try {
      text = await readFile(this.deps.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, hash: GENESIS_HASH, endsClean: true };
      throw new OpsFailure('unavailable', `audit log ${this.deps.path} cannot be read: ${(err as Error).message}`);
    }
    const endsClean = text === '' || text.endsWith('\n');
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      if (lines[i] === '') continue;
      const parsed = parseLine(lines[i]!);
      if (parsed.ok) return { seq: parsed.record.seq, hash: parsed.record.hash, endsClean };
    }
    return { seq: 0, hash: GENESIS_HASH, endsClean };
  }

  private async lines(): Promise<string[]> {
    try {
      const text = await readFile(this.deps.path, 'utf8');
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return lines;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new OpsFailure('unavailable', `audit log ${this.deps.path} cannot be read: ${(err as Error).message}`);
    }
  }
}

function parseLine(line: string): { ok: true; record: AuditRecord } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not a JSON record (cut or garbled)' };
  }
  const parsed = AuditRecord.strict().safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `not an audit record: ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, record: parsed.data };
}
