// Walks the whole chain and names the first bad record. Pure: the lines, the head file's line,
// what this session wrote and the key come in; a verdict goes out.
import { GENESIS_HASH, hashRecord, macMatches, parseLine, repairOutcome } from './auditRecord';

export type VerifyResult = { ok: true; count: number; notes?: string[] } | { ok: false; count: number; badSeq: number; line: number; error: string };

/** The head file's content: the newest record's seq and hash, and its key mark when keyed. */
export interface Anchor {
  seq: number;
  hash: string;
  mac: string | null;
}

export interface VerifyInput {
  lines: readonly string[];
  /** the head file's line; null when there is none; an error when it cannot be read or parsed */
  anchor: Anchor | { error: string } | null;
  anchorPath: string;
  /** the newest record this process wrote, if any */
  session: { seq: number; hash: string } | null;
  /** the audit key; null: marks are not checked (a log opened without one) */
  key: Buffer | null;
}

export function verifyChain({ lines, anchor, anchorPath, session, key }: VerifyInput): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectSeq = 1;
  let count = 0;
  let keyed = false;
  let unkeyed = 0;
  const notes: string[] = [];
  const fail = (badSeq: number, line: number, error: string): VerifyResult => ({ ok: false, count, badSeq, line, error });
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const parsed = parseLine(lines[i]!);
    if (!parsed.ok) {
      // A line a crash cut short is evidence, kept as written; the repair record right after it
      // names its exact bytes and chains to the record before it, so nothing was lost.
      const next = i + 1 < lines.length ? parseLine(lines[i + 1]!) : null;
      if (next?.ok && next.record.kind === 'repair' && next.record.outcome === repairOutcome(lineNo, lines[i]!)) {
        notes.push(`line ${lineNo}: cut short by a crash, repaired by record ${next.record.seq} (no record lost)`);
        continue;
      }
      if (i === lines.length - 1 && parsed.error.startsWith('not a JSON')) {
        return fail(expectSeq, lineNo, `line ${lineNo}: the last line is cut short (a crash while writing); the console repairs it when it starts`);
      }
      return fail(expectSeq, lineNo, `line ${lineNo}: ${parsed.error}`);
    }
    const r = parsed.record;
    if (r.seq !== expectSeq) {
      const what = r.seq > expectSeq ? `record ${expectSeq} is missing (found ${r.seq})` : `record ${r.seq} is out of order (expected ${expectSeq})`;
      return fail(expectSeq, lineNo, `line ${lineNo}: ${what}`);
    }
    if (r.prevHash !== prevHash) return fail(r.seq, lineNo, `line ${lineNo}: record ${r.seq} does not chain to the record before it`);
    const { hash, mac, ...unsigned } = r;
    if (hashRecord(unsigned) !== hash) return fail(r.seq, lineNo, `line ${lineNo}: record ${r.seq} was altered (hash mismatch)`);
    if (key) {
      if (mac !== undefined) {
        if (!macMatches(key, hash, mac))
          return fail(r.seq, lineNo, `line ${lineNo}: record ${r.seq} is not marked with this console's audit key (forged, or written by another program)`);
        keyed = true;
      } else if (keyed) {
        return fail(r.seq, lineNo, `line ${lineNo}: record ${r.seq} carries no key mark after keyed records (forged, or written by another program)`);
      } else {
        unkeyed++;
      }
    }
    prevHash = hash;
    expectSeq++;
    count++;
  }
  if (unkeyed) notes.push(`records 1 to ${unkeyed} carry no key mark (written before the log was keyed): only their chain vouches for them`);
  const endLine = lines.length + 1;
  // What this process appended must still be there: catches a tail cut off while we ran.
  if (session && session.seq >= expectSeq) {
    return fail(expectSeq, endLine, `records ${expectSeq} to ${session.seq} were written by this session and are gone (file truncated)`);
  }
  if (session && session.seq === expectSeq - 1 && session.hash !== prevHash) {
    return fail(session.seq, lines.length, `record ${session.seq} was replaced since this session wrote it`);
  }
  // The head file anchors the chain outside the log: a log cut short or rewritten consistently
  // (every hash recomputed) no longer reaches the record it names.
  if (anchor && 'error' in anchor) return fail(expectSeq, endLine, anchor.error);
  if (!anchor) {
    if (keyed) return fail(expectSeq, endLine, `${anchorPath} is missing: a keyed log always has its head file (deleted?)`);
  } else {
    if (key) {
      if (anchor.mac === null) {
        if (keyed) return fail(expectSeq, endLine, `${anchorPath} carries no key mark (replaced)`);
      } else if (!macMatches(key, `${anchor.seq} ${anchor.hash}`, anchor.mac)) {
        return fail(expectSeq, endLine, `${anchorPath} is not marked with this console's audit key (forged)`);
      }
    }
    if (anchor.seq >= expectSeq) {
      return fail(
        expectSeq,
        endLine,
        `records ${expectSeq} to ${anchor.seq} are gone: ${anchorPath} says the log reached record ${anchor.seq} (file truncated)`,
      );
    }
    if (anchor.seq > 0) {
      const at = findRecord(lines, anchor.seq);
      if (!at || at.line === 0 || at.hash !== anchor.hash) {
        return fail(
          anchor.seq,
          at?.line ?? anchor.seq,
          `line ${at?.line ?? anchor.seq}: record ${anchor.seq} is not the one ${anchorPath} recorded (the log was rewritten)`,
        );
      }
    }
  }
  return notes.length ? { ok: true, count, notes } : { ok: true, count };
}

/** The line and hash of record `seq` (lines before it may include repaired torn ones). */
function findRecord(lines: readonly string[], seq: number): { line: number; hash: string } | null {
  for (let i = Math.min(seq - 1, lines.length - 1); i < lines.length; i++) {
    const p = parseLine(lines[i]!);
    if (p.ok && p.record.seq === seq) return { line: i + 1, hash: p.record.hash };
    if (p.ok && p.record.seq > seq) return null;
  }
  return null;
}
