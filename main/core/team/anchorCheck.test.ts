// A real audit log on disk, checked against host records shaped exactly as journalctl prints
// them (the fleet test shows the hosts writing them for real).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, hashRecord } from '../audit/AuditLog';
import { Redactor } from '../redact/Redactor';
import { checkAnchors } from './anchorCheck';
import { parseTeamRecord, type RunRecord } from './teamRecords';

const ME = 'alice@laptop/abc123';
let dir: string;
let now = Date.parse('2026-12-06T10:00:00Z');
const clock = { now: () => now };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-anchor-'));
  now = Date.parse('2026-12-06T10:00:00Z');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What the host journal prints for a run's intent, as `journalctl -o json` shows it. */
function journalLine(hostId: string, runId: string, head: string, at: number, cursorN: number, consoleName = ME): string {
  return JSON.stringify({
    __CURSOR: `s=abc;i=${cursorN.toString(16)};b=def;m=1;t=2;x=3`,
    __REALTIME_TIMESTAMP: String(at * 1000),
    SYSLOG_IDENTIFIER: 'opsdeck',
    MESSAGE: `opsdeck: alice started service.restart (${runId})`,
    OPSDECK_EVENT: 'intent',
    OPSDECK_RUN: runId,
    OPSDECK_USER: 'alice',
    OPSDECK_CONSOLE: consoleName,
    OPSDECK_ACTION: 'service.restart',
    OPSDECK_COMMAND: JSON.stringify('systemctl restart autotrader-api'),
    OPSDECK_CHAIN_HEAD: head,
    _HOSTNAME: hostId,
  });
}

async function threeRuns(): Promise<{ log: AuditLog; host: RunRecord[] }> {
  const log = new AuditLog({ path: join(dir, 'audit.jsonl'), clock, redactor: new Redactor() });
  const host: RunRecord[] = [];
  for (const [i, runId] of ['run-1', 'run-2', 'run-3'].entries()) {
    now += 60_000;
    const intent = await log.append({
      kind: 'intent',
      user: 'alice',
      runId,
      actionId: 'service.restart',
      hostId: 'prod-1',
      command: 'systemctl restart autotrader-api',
    });
    host.push(parseTeamRecord('prod-1', journalLine('prod-1', runId, intent.hash, now + 5, i + 1)) as RunRecord);
    await log.append({
      kind: 'result',
      user: 'alice',
      runId,
      actionId: 'service.restart',
      hostId: 'prod-1',
      command: 'systemctl restart autotrader-api',
      exitCode: 0,
      outcome: 'succeeded',
    });
  }
  await log.idle();
  return { log, host };
}

const lines = () => readFileSync(join(dir, 'audit.jsonl'), 'utf8').trimEnd().split('\n');

describe('the hosts as witnesses of the local audit log', () => {
  it('finds nothing wrong with an untouched log', async () => {
    const { log, host } = await threeRuns();
    expect(checkAnchors(await log.read(1000), host, ME)).toEqual({ checked: 3, hosts: 1, problems: [] });
  });

  it('reports a log cut after the second run', async () => {
    const { log, host } = await threeRuns();
    writeFileSync(join(dir, 'audit.jsonl'), lines().slice(0, 4).join('\n') + '\n');
    const fresh = new AuditLog({ path: join(dir, 'audit.jsonl'), clock, redactor: new Redactor() });
    const report = checkAnchors(await fresh.read(1000), host, ME);
    expect(report.problems.map((p) => [p.kind, p.runId])).toEqual([['missing-locally', 'run-3']]);
    expect(report.problems[0]!.message).toMatch(/prod-1 recorded service\.restart \(run-3\) by alice at .*: records were cut from the log or rewritten/);
    void log;
  });

  it('reports a record rewritten and re-chained so that the log verifies on its own', async () => {
    const { host } = await threeRuns();
    // change run-2's command and re-chain everything after it, as someone with the file would
    const records = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    records[2]!['command'] = 'systemctl restart autotrader-ingestion';
    for (let i = 2; i < records.length; i++) {
      records[i]!['prevHash'] = records[i - 1]!['hash'];
      const { hash: _old, ...unsigned } = records[i]!;
      records[i]!['hash'] = hashRecord(unsigned as Parameters<typeof hashRecord>[0]);
    }
    writeFileSync(join(dir, 'audit.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const local = await new AuditLog({ path: join(dir, 'audit.jsonl'), clock, redactor: new Redactor() }).read(1000);
    const report = checkAnchors(local, host, ME);
    expect(report.problems.map((p) => [p.kind, p.runId])).toEqual([
      ['missing-locally', 'run-2'],
      ['missing-locally', 'run-3'],
    ]);
  });

  it('reports a run added to the log that the host never saw', async () => {
    const { log, host } = await threeRuns();
    now += 60_000;
    await log.append({
      kind: 'intent',
      user: 'alice',
      runId: 'run-forged',
      actionId: 'service.restart',
      hostId: 'prod-1',
      command: 'systemctl restart autotrader-api',
    });
    await log.idle();
    const report = checkAnchors(await log.read(1000), host, ME);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'not-on-host', hostId: 'prod-1', runId: 'run-forged', seq: 7 })]);
  });

  it('does not count a run the host refused (another console held its lock) as added to the log', async () => {
    const { log, host } = await threeRuns();
    now += 60_000;
    await log.append({
      kind: 'intent',
      user: 'alice',
      runId: 'run-refused',
      actionId: 'service.restart',
      hostId: 'prod-1',
      command: 'systemctl restart autotrader-api',
    });
    await log.append({
      kind: 'result',
      user: 'alice',
      runId: 'run-refused',
      actionId: 'service.restart',
      hostId: 'prod-1',
      command: 'systemctl restart autotrader-api',
      exitCode: null,
      outcome: 'cancelled: not run: held by bob (bob@desk/def456): Restart an autotrader service, 3 s',
    });
    await log.idle();
    expect(checkAnchors(await log.read(1000), host, ME).problems).toEqual([]);
  });

  it('asks nothing of a host without journal records of this console (no journald there)', async () => {
    const { log } = await threeRuns();
    expect(checkAnchors(await log.read(1000), [], ME)).toEqual({ checked: 0, hosts: 0, problems: [] });
  });

  it("does not hold another console's records against this log", async () => {
    const { log, host } = await threeRuns();
    const bob = parseTeamRecord('prod-1', journalLine('prod-1', 'run-bob', 'f'.repeat(64), now, 99, 'bob@desk/def456')) as RunRecord;
    expect(checkAnchors(await log.read(1000), [...host, bob], ME).problems).toEqual([]);
  });
});

describe('reading opsdeck journal entries', () => {
  it('skips entries of other identifiers, malformed JSON and records missing fields', () => {
    const ok = journalLine('h', 'run-1', 'a'.repeat(64), 1_000_000, 1);
    expect(parseTeamRecord('h', ok)).toMatchObject({ event: 'intent', runId: 'run-1', command: 'systemctl restart autotrader-api', at: 1_000_000 });
    expect(parseTeamRecord('h', ok.replace('"SYSLOG_IDENTIFIER":"opsdeck"', '"SYSLOG_IDENTIFIER":"sshd"'))).toBeNull();
    expect(parseTeamRecord('h', '{"SYSLOG_IDENTIFIER":"opsdeck"')).toBeNull();
    expect(parseTeamRecord('h', ok.replace('"OPSDECK_RUN":"run-1",', ''))).toBeNull();
    expect(parseTeamRecord('h', ok.replace(/"OPSDECK_COMMAND":"[^"]*(\\"[^"]*)*",/, '"OPSDECK_COMMAND":"not json",'))).toBeNull();
    expect(parseTeamRecord('h', '[1,2]')).toBeNull();
  });

  it('reads the key of the alert a run came from; a record without one, or with a value it cannot read, names none and still counts', () => {
    const line = (alert: string | undefined) => {
      const entry = JSON.parse(journalLine('h', 'run-1', 'a'.repeat(64), 1_000_000, 1)) as Record<string, string>;
      return JSON.stringify(alert === undefined ? entry : { ...entry, OPSDECK_ALERT: alert });
    };
    const fromAlert = JSON.stringify({ key: 'prod/broker-status/ibkr', firedAt: '2026-12-06T19:58:00.000Z' });
    expect(parseTeamRecord('h', line(fromAlert))).toMatchObject({ event: 'intent', runId: 'run-1', alertKey: 'prod/broker-status/ibkr' });
    for (const none of [undefined, '', 'not json', '{"key":3}', 'null']) {
      expect(parseTeamRecord('h', line(none)), String(none)).toMatchObject({ event: 'intent', runId: 'run-1', alertKey: null });
    }
  });
});
