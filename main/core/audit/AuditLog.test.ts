import { mkdir, mkdtemp, readFile, rm, writeFile, appendFile, truncate, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../common/contract';
import { Redactor } from '../redact/Redactor';
import { SECRET_CASES } from '../redact/secretCorpus';
import { AuditLog, CONSOLE_STOPPED, GENESIS_HASH, hashRecord } from './AuditLog';
import { fileAuditKey } from './auditKey';
import type { SecretCipher } from '../ssh/PassphraseStore';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { runAlert } from '../../../common/runAlert.fixture';

let dir: string;
let path: string;
let now: number;
const clock = { now: () => now };
const redactor = new Redactor();
/**
 * The tests open a fresh log for each step, as a restarted console would. One console keeps one
 * log per file and writes the head file after an append resolves, so each step here lets that
 * head write land before the next log reads it, as a restart would.
 */
class RestartedLog extends AuditLog {
  override async append(entry: Parameters<AuditLog['append']>[0]): Promise<AuditRecord> {
    const record = await super.append(entry);
    await this.idle();
    return record;
  }
}
const makeLog = () => new RestartedLog({ path, clock, redactor });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-audit-'));
  path = join(dir, 'nested', 'audit.jsonl');
  now = Date.parse('2026-11-26T14:00:00Z');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const intent = (hostId: string, command = 'systemctl restart autotrader-api') => ({
  kind: 'intent' as const,
  user: 'alice',
  runId: 'run-0123456789abcdef',
  actionId: 'service.restart',
  hostId,
  command,
});

async function fileRecords(): Promise<AuditRecord[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

async function writeRecords(records: AuditRecord[]): Promise<void> {
  await writeFile(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

describe('AuditLog', () => {
  it('writes one JSON line per record, chained from the genesis hash, and verifies', async () => {
    const log = makeLog();
    const a = await log.append(intent('host-1'));
    now += 1500;
    const b = await log.append({
      kind: 'result',
      user: 'alice',
      runId: 'run-0123456789abcdef',
      actionId: 'service.restart',
      hostId: 'host-1',
      command: 'systemctl restart autotrader-api',
      exitCode: 0,
      outcome: 'succeeded',
    });
    expect(a).toMatchObject({ seq: 1, at: '2026-11-26T14:00:00.000Z', kind: 'intent', prevHash: GENESIS_HASH, exitCode: null, outcome: null });
    expect(b).toMatchObject({ seq: 2, at: '2026-11-26T14:00:01.500Z', exitCode: 0, outcome: 'succeeded', prevHash: a.hash });
    expect(await fileRecords()).toEqual([a, b]);
    expect(await log.verify()).toEqual({ ok: true, count: 2 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps concurrent appends whole and in one unbroken chain', async () => {
    const log = makeLog();
    const written = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(intent(`host-${i}`))));
    expect(written.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const onDisk = await fileRecords();
    expect(onDisk).toHaveLength(50);
    for (let i = 1; i < onDisk.length; i++) expect(onDisk[i]!.prevHash).toBe(onDisk[i - 1]!.hash);
    expect(await makeLog().verify()).toEqual({ ok: true, count: 50 });
  });

  it('redacts every field before it is hashed and written', async () => {
    const log = makeLog();
    await log.append({ ...intent('host-1', 'echo ALPACA_SECRET_KEY=abc123xyz'), outcome: 'failed: fa=DU1234567 rejected' });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('abc123xyz');
    expect(text).not.toContain('DU1234567');
    expect(await log.verify()).toEqual({ ok: true, count: 1 });
  });

  it('writes no secret of the corpus to the file, in a command, a parameter or an outcome', async () => {
    const log = new AuditLog({ path, clock, redactor });
    for (const c of SECRET_CASES) {
      await log.append({ ...intent('host-1', `echo '${c.text}'`), params: { queue: c.text }, outcome: `failed: ${c.text}` });
    }
    const text = await readFile(path, 'utf8');
    expect(SECRET_CASES.filter((c) => text.includes(c.secret)).map((c) => c.kind)).toEqual([]);
    expect(await log.verify()).toEqual({ ok: true, count: SECRET_CASES.length });
  });

  it('keeps the alert a run came from on its intent, covered by the hash; older records without one still verify', async () => {
    const log = makeLog();
    const old = await log.append({ ...intent('host-1'), kind: 'note' });
    const alert = runAlert({ id: 'a-7' });
    const withAlert = await log.append({ ...intent('host-1'), kind: 'note', params: { unit: 'autotrader-api' }, alert });
    // a record without the alert hashes as records always did
    const { hash: _h, alert: _none, ...plain } = old;
    expect(hashRecord(plain)).toBe(old.hash);
    expect(old).not.toHaveProperty('alert');
    expect(withAlert.alert).toEqual(alert);
    const { hash, ...unsigned } = withAlert;
    expect(hashRecord(unsigned)).toBe(hash);
    expect(hashRecord({ ...unsigned, alert: { ...alert, item: 'alpaca' } })).not.toBe(hash);
    expect(await makeLog().verify()).toEqual({ ok: true, count: 2 });

    // the alert edited on disk: the record no longer matches its hash
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"item":"ibkr"', '"item":"alpaca"'));
    expect(await makeLog().verify()).toMatchObject({ ok: false, badSeq: 2, error: 'line 2: record 2 was altered (hash mismatch)' });
  });

  it('resumes the chain after a restart, closing the intent the stopped console left open as unknown', async () => {
    await makeLog().append(intent('host-1'));
    await makeLog().append(intent('host-2'));
    const records = await fileRecords();
    expect(records.map((r) => [r.seq, r.kind, r.hostId, r.outcome])).toEqual([
      [1, 'intent', 'host-1', null],
      [2, 'result', 'host-1', CONSOLE_STOPPED],
      [3, 'intent', 'host-2', null],
    ]);
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    expect(await makeLog().verify()).toEqual({ ok: true, count: 3 });
  });

  it('reads the newest records, oldest first', async () => {
    const log = makeLog();
    for (let i = 0; i < 5; i++) await log.append(intent(`host-${i}`));
    expect((await log.read(2)).map((r) => r.hostId)).toEqual(['host-3', 'host-4']);
    expect(await log.read(100)).toHaveLength(5);
    expect(await new AuditLog({ path: join(dir, 'none.jsonl'), clock, redactor }).read(10)).toEqual([]);
  });

  describe('verify names the first bad record', () => {
    beforeEach(async () => {
      const log = makeLog();
      // notes: these tests restart the log, which would close open intents as unknown
      for (let i = 1; i <= 5; i++) await log.append({ ...intent(`host-${i}`), kind: 'note' });
      // the head file is written after an append resolves: wait for it before editing files
      await log.idle();
    });

    it('an edited field', async () => {
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace('"hostId":"host-3"', '"hostId":"host-9"'));
      expect(await makeLog().verify()).toMatchObject({ ok: false, badSeq: 3, count: 2, error: 'line 3: record 3 was altered (hash mismatch)' });
    });

    it('an edited record whose hash was recomputed by the forger', async () => {
      const records = await fileRecords();
      const forged = { ...records[1]!, exitCode: 0, outcome: 'succeeded' };
      const { hash: _old, ...unsigned } = forged;
      records[1] = { ...forged, hash: hashRecord(unsigned) };
      await writeRecords(records);
      expect(await makeLog().verify()).toMatchObject({ ok: false, badSeq: 3, error: 'line 3: record 3 does not chain to the record before it' });
    });

    it('a deleted record', async () => {
      const records = await fileRecords();
      records.splice(1, 1);
      await writeRecords(records);
      expect(await makeLog().verify()).toMatchObject({ ok: false, badSeq: 2, line: 2, error: 'line 2: record 2 is missing (found 3)' });
    });

    it('reordered records', async () => {
      const records = await fileRecords();
      [records[2], records[3]] = [records[3]!, records[2]!];
      await writeRecords(records);
      expect(await makeLog().verify()).toMatchObject({ ok: false, badSeq: 3, error: 'line 3: record 3 is missing (found 4)' });
    });

    it('a record cut in the middle', async () => {
      const size = (await stat(path)).size;
      await truncate(path, size - 20);
      expect(await makeLog().verify()).toMatchObject({
        ok: false,
        badSeq: 5,
        line: 5,
        error: 'line 5: the last line is cut short (a crash while writing); the console repairs it when it starts',
      });
      const lines = (await readFile(path, 'utf8')).split('\n');
      await writeFile(path, [...lines.slice(0, 2), lines[4], ...lines.slice(3, 4)].join('\n') + '\n');
      expect(await makeLog().verify()).toMatchObject({ ok: false, line: 3, error: 'line 3: not a JSON record (cut or garbled)' });
    });

    it('records this session wrote that were cut off the end', async () => {
      const log = makeLog();
      await log.append({ ...intent('host-6'), kind: 'note' });
      const records = await fileRecords();
      await writeRecords(records.slice(0, 4));
      expect(await log.verify()).toMatchObject({ ok: false, badSeq: 5, error: 'records 5 to 6 were written by this session and are gone (file truncated)' });
    });

    it('a whole log rewritten consistently (every hash recomputed), against the head file beside it', async () => {
      const records = await fileRecords();
      let prevHash = records[1]!.hash;
      for (let i = 2; i < records.length; i++) {
        const { hash: _old, ...unsigned } = { ...records[i]!, command: 'true', prevHash };
        records[i] = { ...unsigned, hash: hashRecord(unsigned) };
        prevHash = records[i]!.hash;
      }
      await writeRecords(records);
      // the chain alone cannot tell: only the head file does
      expect(await makeLog().verify()).toMatchObject({
        ok: false,
        badSeq: 5,
        line: 5,
        error: `line 5: record 5 is not the one ${path}.head recorded (the log was rewritten)`,
      });
    });

    it('records cut off the end while no session was running, against the head file', async () => {
      await writeRecords((await fileRecords()).slice(0, 3));
      expect(await makeLog().verify()).toMatchObject({
        ok: false,
        badSeq: 4,
        error: `records 4 to 5 are gone: ${path}.head says the log reached record 5 (file truncated)`,
      });
    });

    it('a head file one group behind the log (a crash between the two fsyncs) still verifies; a garbled one does not', async () => {
      const head = await readFile(`${path}.head`, 'utf8');
      expect(head).toMatch(/^000000000000005 [0-9a-f]{64}\n$/);
      const records = await fileRecords();
      await writeFile(`${path}.head`, `000000000000004 ${records[3]!.hash}\n`);
      expect(await makeLog().verify()).toEqual({ ok: true, count: 5 });
      await writeFile(`${path}.head`, `000000000000004 ${records[2]!.hash}\n`);
      expect(await makeLog().verify()).toMatchObject({ ok: false, error: `line 4: record 4 is not the one ${path}.head recorded (the log was rewritten)` });
      await writeFile(`${path}.head`, 'seq 5\n');
      expect(await makeLog().verify()).toMatchObject({ ok: false, error: `${path}.head is not a head line (edited or garbled)` });
    });

    it('a line that is JSON but not a record', async () => {
      const records = await fileRecords();
      const lines = records.map((r) => JSON.stringify(r));
      lines.splice(2, 0, JSON.stringify({ seq: 3, note: 'inserted' }));
      await writeFile(path, lines.join('\n') + '\n');
      const result = await makeLog().verify();
      expect(result).toMatchObject({ ok: false, badSeq: 3, line: 3 });
      expect(!result.ok && result.error).toMatch(/^line 3: not an audit record: /);
    });
  });

  it('repairs a torn last line with a record naming it, which verify reports apart from tampering', async () => {
    const log = makeLog();
    await log.append({ ...intent('host-1'), kind: 'note' });
    await log.idle();
    const torn = '{"seq":2,"at":"2026-11-26T14:0';
    await appendFile(path, torn);
    const resumed = makeLog();
    expect(await resumed.recover()).toEqual({ repaired: 1, unknown: 0, open: [] });
    const next = await resumed.append(intent('host-2'));
    expect(next.seq).toBe(3);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(torn);
    const repair = JSON.parse(lines[2]!) as AuditRecord;
    expect(repair).toMatchObject({ seq: 2, kind: 'repair', prevHash: JSON.parse(lines[0]!).hash });
    expect(repair.outcome).toMatch(/^repaired: line 2 was cut short by a crash \(30 bytes, sha256 [0-9a-f]{64}\)/);
    expect(await makeLog().verify()).toEqual({ ok: true, count: 3, notes: ['line 2: cut short by a crash, repaired by record 2 (no record lost)'] });
    // the same repair record does not excuse a line edited afterwards
    await writeFile(path, [lines[0], torn.replace('14:0', '15:0'), ...lines.slice(2)].join('\n') + '\n');
    expect(await makeLog().verify()).toMatchObject({ ok: false, line: 2, error: 'line 2: not a JSON record (cut or garbled)' });
  });

  it('an append resolves once its record is on disk; a head file that cannot be written refuses the next append, by name', async () => {
    const log = makeLog();
    await log.append(intent('host-1'));
    await log.idle();
    // a folder where the head file should be makes its open fail for real (EISDIR)
    await rm(`${path}.head`);
    await mkdir(`${path}.head`);
    const second = await log.append(intent('host-2'));
    expect(second.seq).toBe(2);
    expect((await fileRecords()).map((r) => r.hostId)).toEqual(['host-1', 'host-2']);
    await expect(log.append(intent('host-3'))).rejects.toThrow(`audit head file ${path}.head cannot be written`);
    expect((await fileRecords()).map((r) => r.hostId)).toEqual(['host-1', 'host-2']);
    await rm(`${path}.head`, { recursive: true });
    await expect(log.append(intent('host-3'))).resolves.toMatchObject({ seq: 3 });
    await log.idle();
    expect(await readFile(`${path}.head`, 'utf8')).toBe(`000000000000003 ${(await fileRecords())[2]!.hash}\n`);
    expect(await makeLog().verify()).toEqual({ ok: true, count: 3 });
  });

  it('makes the folder again if it was removed while the log was open', async () => {
    const log = makeLog();
    await log.append(intent('host-1'));
    await log.idle();
    await rm(join(dir, 'nested'), { recursive: true });
    await expect(log.append(intent('host-2'))).resolves.toMatchObject({ seq: 2, hostId: 'host-2' });
    expect((await fileRecords()).map((r) => r.hostId)).toEqual(['host-2']);
  });

  it('rejects an append the disk refuses, writes nothing, and keeps serving later appends', async () => {
    // a folder where the file should be makes open() fail for real (EISDIR)
    await mkdir(path, { recursive: true });
    const log = makeLog();
    await expect(log.append(intent('host-1'))).rejects.toThrow(/audit log .* cannot be read/);
    await rm(path, { recursive: true });
    await expect(log.append(intent('host-2'))).resolves.toMatchObject({ seq: 1, hostId: 'host-2' });
    expect(await log.verify()).toEqual({ ok: true, count: 1 });
  });

  it('appendWritten gives the record as append would, is refused alike, and the records after it follow it', async () => {
    await mkdir(path, { recursive: true });
    const log = makeLog();
    await expect(log.appendWritten(intent('host-1'))).rejects.toThrow(/audit log .* cannot be read/);
    await rm(path, { recursive: true });
    const { record, synced } = await log.appendWritten(intent('host-2'));
    expect(record).toMatchObject({ seq: 1, kind: 'intent', hostId: 'host-2', prevHash: GENESIS_HASH });
    const result = log.append({ ...intent('host-2'), kind: 'result', exitCode: 0, outcome: 'succeeded' });
    expect(await synced).toEqual(record);
    expect(await result).toMatchObject({ seq: 2, prevHash: record.hash });
    expect(await fileRecords()).toEqual([record, await result]);
    expect(await log.verify()).toEqual({ ok: true, count: 2 });
  });
});

describe('AuditLog with a key kept apart from the log', () => {
  let keyPath: string;
  const keyedLog = () => new RestartedLog({ path, clock, redactor, key: fileAuditKey(keyPath) });
  beforeEach(async () => {
    keyPath = join(dir, 'state', 'audit.key');
    const log = keyedLog();
    for (let i = 1; i <= 4; i++) await log.append({ ...intent(`host-${i}`), kind: 'note' });
    await log.idle();
  });

  /** What a forger who can write the log but not read the key can do: correctly chained sha256 records. */
  async function appendForged(n: number): Promise<void> {
    const records = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord & { mac?: string });
    let prev = records.at(-1)!;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const unsigned = { ...prev, seq: prev.seq + 1, kind: 'result' as const, outcome: 'succeeded', exitCode: 0, prevHash: prev.hash };
      delete (unsigned as { mac?: string }).mac;
      const { hash: _h, ...rest } = unsigned;
      const hash = hashRecord(rest);
      // the forger copies the last record's mark, or invents one: neither is the key's
      const forged = { ...rest, hash, mac: i % 2 ? 'f'.repeat(64) : prev.mac! };
      lines.push(JSON.stringify(forged));
      prev = forged;
    }
    await appendFile(path, lines.join('\n') + '\n');
  }

  it('marks every record and the head line; the key file is 0600 and reused on restart', async () => {
    const recs = await fileRecords();
    expect(recs.every((r) => /^[0-9a-f]{64}$/.test((r as { mac?: string }).mac ?? ''))).toBe(true);
    expect(await readFile(`${path}.head`, 'utf8')).toMatch(/^000000000000004 [0-9a-f]{64} [0-9a-f]{64}\n$/);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    const key = await readFile(keyPath, 'utf8');
    await keyedLog().append({ ...intent('host-5'), kind: 'note' });
    expect(await readFile(keyPath, 'utf8')).toBe(key);
    expect(await keyedLog().verify()).toEqual({ ok: true, count: 5 });
    // the seam for anchoring the chain elsewhere
    expect(await keyedLog().currentHead()).toEqual({ seq: 5, hash: (await fileRecords())[4]!.hash });
  });

  it.each([1, 50])('%i forged record(s) appended with a correct chain fail verification, and a restarted console will not write on them', async (n) => {
    await appendForged(n);
    expect(await keyedLog().verify()).toMatchObject({
      ok: false,
      badSeq: 5,
      line: 5,
      error: "line 5: record 5 is not marked with this console's audit key (forged, or written by another program)",
    });
    const before = await readFile(path, 'utf8');
    await expect(keyedLog().append(intent('host-9'))).rejects.toThrow(
      `audit log ${path} failed verification (line 5: record 5 is not marked with this console's audit key (forged, or written by another program)): runs are refused until it is set aside (docs/audit.md)`,
    );
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('records without a mark after keyed ones, a deleted head file, an unkeyed or forged head line: each fails', async () => {
    const records = await fileRecords();
    const last = records.at(-1)!;
    const unsigned = { ...last, seq: 5, prevHash: last.hash } as AuditRecord & { mac?: string };
    delete unsigned.mac;
    const { hash: _h, ...rest } = unsigned;
    await appendFile(path, JSON.stringify({ ...rest, hash: hashRecord(rest) }) + '\n');
    expect(await keyedLog().verify()).toMatchObject({
      ok: false,
      error: 'line 5: record 5 carries no key mark after keyed records (forged, or written by another program)',
    });
    await writeRecords(records);

    const head = await readFile(`${path}.head`, 'utf8');
    await rm(`${path}.head`);
    expect(await keyedLog().verify()).toMatchObject({ ok: false, error: `${path}.head is missing: a keyed log always has its head file (deleted?)` });
    await writeFile(`${path}.head`, head.slice(0, 80) + '\n');
    expect(await keyedLog().verify()).toMatchObject({ ok: false, error: `${path}.head carries no key mark (replaced)` });
    await writeFile(`${path}.head`, head.slice(0, 81) + 'a'.repeat(64) + '\n');
    expect(await keyedLog().verify()).toMatchObject({ ok: false, error: `${path}.head is not marked with this console's audit key (forged)` });
    await writeFile(`${path}.head`, head);
    expect(await keyedLog().verify()).toEqual({ ok: true, count: 4 });
  });

  it('a log written before it was keyed verifies, with a note; keyed records follow on', async () => {
    await rm(path);
    await rm(`${path}.head`);
    await makeLog().append({ ...intent('host-1'), kind: 'note' });
    await keyedLog().append({ ...intent('host-2'), kind: 'note' });
    expect(await keyedLog().verify()).toEqual({
      ok: true,
      count: 2,
      notes: ['records 1 to 1 carry no key mark (written before the log was keyed): only their chain vouches for them'],
    });
  });

  it('seals the key with the shell cipher when one is usable, and names a key file it cannot read', async () => {
    const secret = randomBytes(32);
    const cipher: SecretCipher = {
      name: 'test-aes',
      unavailableReason: () => null,
      encrypt: (plain) => {
        const iv = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', secret, iv);
        const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
        return Buffer.concat([iv, c.getAuthTag(), body]);
      },
      decrypt: (blob) => {
        const d = createDecipheriv('aes-256-gcm', secret, blob.subarray(0, 12));
        d.setAuthTag(blob.subarray(12, 28));
        return Buffer.concat([d.update(blob.subarray(28)), d.final()]).toString('utf8');
      },
    };
    const sealedPath = join(dir, 'state', 'sealed.key');
    const a = await fileAuditKey(sealedPath, cipher).load();
    const text = await readFile(sealedPath, 'utf8');
    expect(text).toMatch(/^opsdeck-audit-key v1 sealed test-aes [A-Za-z0-9+/=]+\n$/);
    expect(text).not.toContain(a.toString('hex'));
    expect(await fileAuditKey(sealedPath, cipher).load()).toEqual(a);
    await expect(fileAuditKey(sealedPath).load()).rejects.toThrow(`audit key ${sealedPath} is sealed by test-aes, which this shell cannot open`);
    await writeFile(keyPath, 'opsdeck-audit-key v1 plain xyz\n');
    await expect(fileAuditKey(keyPath).load()).rejects.toThrow(`audit key ${keyPath} is not an audit key file (edited or garbled)`);
  });
});
