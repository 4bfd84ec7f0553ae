// The action audit log: append-only JSON lines, each record hash-chained to the one before,
// marked with the console's audit key and synced to disk before `append` resolves, so an
// action's intent is on disk before its command runs (`appendWritten` resolves once the write is
// whole, for reads, whose command may go out during the sync). A write is whole or refused; a line a
// crash tore is repaired by a record that names it; runs a stopped console left open are closed
// as "unknown" when it starts again.
import { readFile } from 'node:fs/promises';
import type { AuditRecord, RunAlert } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Clock } from '../clock';
import { isoAt } from '../clock';
import type { Redactor } from '../redact/Redactor';
import type { AuditKeySource } from './auditKey';
import { GENESIS_HASH, type StoredRecord, type Unsigned, hashRecord, macOf, parseLine, publicRecord, repairOutcome } from './auditRecord';
import { type Anchor, type VerifyResult, verifyChain } from './auditVerify';
import { appendWhole, diskReason, overwriteLine } from './durableFile';
import { recordFrom } from '../../../common/emptyRecord';

export { GENESIS_HASH, hashRecord } from './auditRecord';
export type { VerifyResult } from './auditVerify';

/** The outcome written for a run whose console stopped before its result was recorded. */
export const CONSOLE_STOPPED = 'unknown: console stopped before the outcome was recorded';

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
  /** an intent's resolved catalog parameters */
  params?: Readonly<Record<string, string>>;
  /** an intent's alert, when the run was started from one */
  alert?: RunAlert;
}

/** A run a stopped console left open, as its intent recorded it: settled by its effect check later. */
export interface OpenRun {
  runId: string;
  hostId: string;
  actionId: string;
  command: string;
  params: Readonly<Record<string, string>>;
  /** the intent's time, ms since the epoch */
  intentAt: number;
}

export interface AuditLogDeps {
  /** the JSON-lines file; created (with its folder) on first append */
  path: string;
  clock: Clock;
  redactor: Redactor;
  /** the audit key, kept apart from the log; without one records carry no key mark */
  key?: AuditKeySource;
}

interface Head {
  seq: number;
  hash: string;
}

/** What the first read of the file found that the next write must put right first. */
interface Load {
  head: Head;
  /** the file's last byte is not a newline */
  needsNewline: boolean;
  /** entries written ahead of the next batch: a repair record, "unknown" results */
  preamble: Array<{ entry: AuditEntry; kind: 'repair' | 'recovered' }>;
  /** the runs those "unknown" results close, with what their intents recorded */
  openRuns: OpenRun[];
}

interface Pending {
  entry: AuditEntry | null;
  resolve(record: AuditRecord | null): void;
  reject(error: unknown): void;
  /** told once the record's bytes are written whole, before the sync (appendWritten) */
  written?(record: AuditRecord): void;
}

/** A record written whole and not yet synced: `synced` settles when the sync that covers it has. */
export interface WrittenRecord {
  record: AuditRecord;
  /** resolves once the record is on disk; rejects if the sync failed, and the record is then gone from the file */
  synced: Promise<AuditRecord>;
}

export class AuditLog {
  private head: Head | null = null;
  private needsNewline = false;
  private preamble: Load['preamble'] = [];
  /** open intents are closed as unknown once per process, by its first write */
  private recovered = false;
  /** results and notes a refused write could not record: retried ahead of the next write */
  private owed: AuditEntry[] = [];
  private pending: Pending[] = [];
  private writing: Promise<void> | null = null;
  /** the head file is behind the log (its last write failed): the next write tries it first */
  private anchorBehind = false;
  private key: Promise<Buffer | null> | null = null;

  constructor(private readonly deps: AuditLogDeps) {}

  get path(): string {
    return this.deps.path;
  }

  /** `<log>.head`: the newest record's seq, hash and key mark, kept outside the log. */
  get headPath(): string {
    return `${this.deps.path}.head`;
  }

  /**
   * Append one record. Appends are serialised, so records from concurrent runs never interleave
   * and each chains to the one written just before it. Resolves once the record is synced to
   * disk; rejects, with one line saying why, if the disk refuses (nothing of it stays on disk).
   * The head file is written after that, before the next group.
   *
   * Group commit: appends that arrive while a write is in flight go out together in the next
   * write with one fsync, and each still resolves only once its record is on disk.
   */
  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.enqueue(entry) as Promise<AuditRecord>;
  }

  /**
   * Append one record like `append`, but resolve as soon as its bytes are written whole (a short
   * write completed, a refusal such as a full disk rejects and leaves nothing, exactly as
   * `append`), with the sync still running: for a command that cannot change anything, which
   * may go out during the sync. Appends queued after it are written only once that sync has
   * completed, so nothing is ever on disk ahead of it.
   */
  appendWritten(entry: AuditEntry): Promise<WrittenRecord> {
    return new Promise((resolve, reject) => {
      let written = false;
      const synced = this.enqueue(entry, (record) => {
        written = true;
        resolve({ record, synced });
      }) as Promise<AuditRecord>;
      // before the bytes are written, a refusal is the caller's answer; after, `synced` carries it
      synced.catch((err: unknown) => {
        if (!written) reject(err);
      });
    });
  }

  /**
   * Read the log as a starting console: repair a torn last line, close the runs a stopped console
   * left open as unknown, and write that down now. Resolves with what was written, and the runs
   * so closed whose intents carry their parameters (their effect can still be checked).
   */
  async recover(): Promise<{ repaired: number; unknown: number; open: OpenRun[] }> {
    const before = this.recovered;
    await this.enqueue(null);
    if (before) return { repaired: 0, unknown: 0, open: [] };
    return this.lastRecovery;
  }
  private lastRecovery: { repaired: number; unknown: number; open: OpenRun[] } = { repaired: 0, unknown: 0, open: [] };
  private openRuns: OpenRun[] = [];

  /**
   * The newest record's seq and hash, once everything appended so far is on disk: the seam for
   * anchoring the local chain elsewhere (a host's journal record carries it).
   */
  async currentHead(): Promise<{ seq: number; hash: string }> {
    await this.idle();
    const head = this.head ?? (await this.load()).head;
    return { seq: head.seq, hash: head.hash };
  }

  private enqueue(entry: AuditEntry | null, written?: (record: AuditRecord) => void): Promise<AuditRecord | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject, ...(written ? { written } : {}) });
      // start on the next microtask, so appends made in the same tick share the first write
      this.writing ??= Promise.resolve().then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        const entries = batch.flatMap((p) => (p.entry ? [p.entry] : []));
        try {
          const records = await this.write(entries, (stored) => {
            let i = 0;
            for (const p of batch) if (p.entry) p.written?.(publicRecord(stored[i++]!));
          });
          let i = 0;
          for (const p of batch) p.resolve(p.entry ? publicRecord(records[i++]!) : null);
        } catch (err) {
          // a refused write left nothing on disk; read the file again before the next one
          this.head = null;
          // a command that already ran must still get its record: keep results and notes for later
          this.owed.push(...entries.filter((e) => e.kind !== 'intent'));
          for (const p of batch) p.reject(err);
          continue;
        }
        // The records are on disk and their callers told; the head follows, before the next group.
        // It may lag the log by one group (a crash in between), and verify allows that. If it
        // cannot be written the next append tries again and, failing, is refused.
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
      if (parsed.ok) records.push(publicRecord(parsed.record));
    }
    return records.reverse();
  }

  /**
   * Walk the whole chain (see auditVerify): an edited, deleted, reordered or forged record, a cut
   * or garbled line, a log cut short or rewritten against its head file; repairs are reported
   * as notes, apart from tampering.
   */
  async verify(): Promise<VerifyResult> {
    await this.idle();
    const [lines, anchor, key] = await Promise.all([this.lines(), this.readAnchor(), this.loadKey()]);
    return verifyChain({ lines, anchor, anchorPath: this.headPath, session: this.head, key });
  }

  /** `onWritten` gets the entries' records once their bytes are written whole, before the sync. */
  private async write(entries: readonly AuditEntry[], onWritten?: (records: StoredRecord[]) => void): Promise<StoredRecord[]> {
    if (!this.head) {
      const load = await this.load();
      this.head = load.head;
      this.needsNewline = load.needsNewline;
      this.preamble = load.preamble;
      this.openRuns = load.openRuns;
    }
    const head = this.head;
    if (this.anchorBehind) {
      try {
        await this.writeAnchor(head.seq, head.hash);
      } catch (err) {
        throw new OpsFailure('unavailable', `audit head file ${this.headPath} cannot be written: ${diskReason(err)}`);
      }
      this.anchorBehind = false;
    }
    const owed = this.owed;
    const all = [...this.preamble.map((p) => p.entry), ...owed, ...entries];
    if (!all.length) {
      this.recovered = true;
      return [];
    }
    const key = await this.loadKey();
    const r = this.deps.redactor;
    const red = (v: string | null | undefined): string | null => (v == null ? null : r.redact(v));
    const records: StoredRecord[] = [];
    let prev: Head = head;
    for (const entry of all) {
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
        outcome: entry.kind === 'repair' ? (entry.outcome ?? null) : red(entry.outcome),
        ...(entry.params ? { params: redactedParams(entry.params, r) } : {}),
        ...(entry.alert ? { alert: redactedAlert(entry.alert, r) } : {}),
        prevHash: prev.hash,
      };
      const hash = hashRecord(unsigned);
      const record: StoredRecord = key ? { ...unsigned, hash, mac: macOf(key, hash) } : { ...unsigned, hash };
      records.push(record);
      prev = record;
    }
    const text = (this.needsNewline ? '\n' : '') + records.map((rec) => JSON.stringify(rec) + '\n').join('');
    try {
      await appendWhole(this.deps.path, text, onWritten && (() => onWritten(records.slice(records.length - entries.length))));
    } catch (err) {
      throw new OpsFailure('unavailable', `audit log ${this.deps.path} cannot be written: ${diskReason(err)}; runs are refused until it can`);
    }
    this.owed = this.owed.slice(owed.length);
    this.recovered = true;
    if (this.preamble.length) {
      this.lastRecovery = {
        repaired: this.preamble.filter((p) => p.kind === 'repair').length,
        unknown: this.preamble.filter((p) => p.kind === 'recovered').length,
        open: this.openRuns,
      };
      this.openRuns = [];
      this.preamble = [];
    }
    this.head = { seq: prev.seq, hash: prev.hash };
    this.needsNewline = false;
    return records.slice(records.length - entries.length);
  }

  /**
   * The file as a starting console finds it. A log that fails verification (edited, forged,
   * cut short) is not written on: its evidence stays as found and runs are refused until an
   * engineer sets it aside. A torn last line is not tampering: it gets a repair record.
   */
  private async load(): Promise<Load> {
    let text: string;
    try {
      text = await readFile(this.deps.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new OpsFailure('unavailable', `audit log ${this.deps.path} cannot be read: ${diskReason(err)}`);
      }
      text = '';
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const needsNewline = text !== '' && !text.endsWith('\n');
    const preamble: Load['preamble'] = [];
    let chained = lines;
    const last = lines[lines.length - 1];
    if (needsNewline && last !== undefined && !parseLine(last).ok) {
      chained = lines.slice(0, -1);
      preamble.push({ kind: 'repair', entry: { kind: 'repair', user: 'opsdeck', outcome: repairOutcome(lines.length, last) } });
    }
    const [anchor, key] = await Promise.all([this.readAnchor(), this.loadKey()]);
    const verdict = verifyChain({ lines: chained, anchor, anchorPath: this.headPath, session: null, key });
    if (!verdict.ok) {
      throw new OpsFailure(
        'unavailable',
        `audit log ${this.deps.path} failed verification (${verdict.error}): runs are refused until it is set aside (docs/audit.md)`,
      );
    }
    let head: Head = { seq: 0, hash: GENESIS_HASH };
    const open = new Map<string, StoredRecord>();
    for (const line of chained) {
      const parsed = parseLine(line);
      if (!parsed.ok) continue; // a repaired torn line
      const rec = parsed.record;
      head = { seq: rec.seq, hash: rec.hash };
      const id = `${rec.runId} ${rec.hostId}`;
      if (rec.kind === 'intent') open.set(id, rec);
      else if (rec.kind === 'result') open.delete(id);
    }
    // The head file exists before the log's first record: a keyed log without one was tampered with.
    if (anchor === null) await this.writeAnchor(head.seq, head.hash);
    if (!this.recovered) {
      for (const rec of open.values()) {
        preamble.push({
          kind: 'recovered',
          entry: {
            kind: 'result',
            user: rec.user,
            runId: rec.runId,
            actionId: rec.actionId,
            hostId: rec.hostId,
            command: rec.command,
            exitCode: null,
            outcome: CONSOLE_STOPPED,
          },
        });
      }
    }
    const openRuns = this.recovered
      ? []
      : [...open.values()].flatMap((rec) =>
          rec.params && rec.runId && rec.hostId && rec.actionId && rec.command
            ? [{ runId: rec.runId, hostId: rec.hostId, actionId: rec.actionId, command: rec.command, params: rec.params, intentAt: Date.parse(rec.at) }]
            : [],
        );
    return { head, needsNewline, preamble, openRuns };
  }

  private loadKey(): Promise<Buffer | null> {
    const source = this.deps.key;
    if (!source) return Promise.resolve(null);
    return (this.key ??= source.load().catch((err: unknown) => {
      this.key = null;
      throw err;
    }));
  }

  /**
   * The head file: one fixed-length line (seq padded to 15 digits, the hash, the key mark over
   * "seq hash" when keyed, a newline), overwritten in place and synced.
   */
  private async writeAnchor(seq: number, hash: string): Promise<void> {
    const key = await this.loadKey();
    const line = `${String(seq).padStart(15, '0')} ${hash}${key ? ` ${macOf(key, `${seq} ${hash}`)}` : ''}\n`;
    await overwriteLine(this.headPath, line);
  }

  /** The head file's line; null when there is none. */
  private async readAnchor(): Promise<Anchor | { error: string } | null> {
    let text: string;
    try {
      text = await readFile(this.headPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return { error: `${this.headPath} cannot be read: ${diskReason(err)}` };
    }
    const m = /^(\d{15}) ([0-9a-f]{64})(?: ([0-9a-f]{64}))?\n$/.exec(text);
    if (!m) return { error: `${this.headPath} is not a head line (edited or garbled)` };
    return { seq: Number(m[1]), hash: m[2]!, mac: m[3] ?? null };
  }

  private async lines(): Promise<string[]> {
    try {
      const text = await readFile(this.deps.path, 'utf8');
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return lines;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new OpsFailure('unavailable', `audit log ${this.deps.path} cannot be read: ${diskReason(err)}`);
    }
  }
}

/** The values redacted like every other field; the keys are the catalog's own parameter names. */
function redactedAlert(alert: RunAlert, redactor: Redactor): RunAlert {
  return { ...alert, key: redactor.redact(alert.key), title: redactor.redact(alert.title), item: redactor.redact(alert.item) };
}

function redactedParams(params: Readonly<Record<string, string>>, redactor: Redactor): Record<string, string> {
  return recordFrom(Object.entries(params).map(([k, v]) => [k, redactor.redact(v)]));
}
