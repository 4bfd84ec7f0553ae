// One audit line: its schema on disk, its chain hash, its key mark, and parsing one line back.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AuditRecord } from '../../../common/contract';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * A record as written: the contract's fields plus `mac`, HMAC-SHA256 of its hash under the
 * console's audit key. The key lives apart from the log, so a record appended by anyone without
 * it (correctly chained or not) carries no valid mark. Records written before the log was keyed
 * have none.
 */
export const StoredRecord = AuditRecord.extend({
  mac: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
}).strict();
export type StoredRecord = z.infer<typeof StoredRecord>;

export type Unsigned = Omit<AuditRecord, 'hash'>;

/**
 * The record's hash: sha256 over its fields in a fixed order, prevHash included. Field order is
 * fixed here rather than taken from JSON.stringify of whatever object came in, so a record
 * re-serialised by another tool still verifies.
 */
export function hashRecord(r: Unsigned): string {
  const fields: unknown[] = [r.seq, r.at, r.kind, r.user, r.runId, r.actionId, r.hostId, r.command, r.exitCode, r.outcome, r.prevHash];
  // params came later: a record without them hashes as it always did
  if (r.params) fields.push(Object.entries(r.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // and so did the alert a run came from: tagged, so it cannot be read as params
  if (r.alert) {
    const a = r.alert;
    fields.push(['alert', a.id, a.key, a.firedAt, a.ruleId, a.title, a.item, a.deploymentId, a.endpoint]);
  }
  const canonical = JSON.stringify(fields);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The key mark over a hash (a record's, or the head file's "seq hash"). */
export function macOf(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

export function macMatches(key: Buffer, text: string, mac: string): boolean {
  const want = Buffer.from(macOf(key, text), 'hex');
  const got = Buffer.from(mac, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What the contract carries to the views: the record without its key mark. */
export function publicRecord(r: StoredRecord): AuditRecord {
  const { mac: _mac, ...rest } = r;
  return rest;
}

export type ParsedLine = { ok: true; record: StoredRecord } | { ok: false; error: string };

export function parseLine(line: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not a JSON record (cut or garbled)' };
  }
  const parsed = StoredRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `not an audit record: ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, record: parsed.data };
}

/** The repair record's outcome names the torn line exactly, so verify can tell it from an edit. */
export function repairOutcome(line: number, torn: string): string {
  return `repaired: line ${line} was cut short by a crash (${Buffer.byteLength(torn)} bytes, sha256 ${sha256Hex(torn)}); kept above as written, never run`;
}
