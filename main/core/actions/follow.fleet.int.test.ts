// A journal follow across forced disconnects and a silent outage, on a real Debian host
// (systemd-nspawn, testbed/fleet.ts) reached through the delay proxy (testbed/delay-proxy.ts),
// which resets the connection or pauses the link on demand. A transient unit logs a numbered
// line 200 times a second; the follow must show every number once, in order: the backlog the
// resume replays after the outage is larger than a batch, so back-pressure, not dropping, has to
// carry it. The action is a copy of the catalog's journal.follow on a test unit (the bundled one
// takes only the autotrader units). Needs root (the fleet).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startDelayProxy, type DelayProxy } from '../../../testbed/delay-proxy';
import { startFleet, type Fleet } from '../../../testbed/fleet';
import { AuditLog } from '../audit/AuditLog';
import { systemClock, systemTimers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { SessionPool } from '../ssh/SessionPool';
import { ActionService } from './ActionService';
import { parseCatalog } from './Catalog';

const FLEET = `flw${process.pid}`;
const H1 = `${FLEET}-1` as HostId;
const UNIT = `opsdeck-seq-${process.pid}`;
/**
 * lines per batch to the view: the 20 s outage's backlog (4,000 lines) is sixteen batches, so
 * even a replay slowed by a busy machine fills some of them, while a live second (200) fits one
 */
const BATCH = 250;
// a numbered line every 5 ms on a fixed schedule (200 lines/s), flushed one by one
const SEQ_SCRIPT = [
  'import time',
  't = time.monotonic()',
  'i = 0',
  'while True:',
  '    i += 1',
  '    print(f"seq {i}", flush=True)',
  '    t += 0.005',
  '    d = t - time.monotonic()',
  '    if d > 0: time.sleep(d)',
].join('\n');

const CATALOG = parseCatalog(
  `version: 1
actions:
  - id: test.follow-unit
    title: Follow a unit's journal live
    section: data-freshness
    risk: read-only
    streams: true
    params: [{ name: unit, label: Unit, kind: string, pattern: "opsdeck-seq-[0-9]{1,10}" }, { name: lines, label: Lines first, kind: integer, min: 0, max: 1000, default: 20 }]
    command: [journalctl, -u, "{unit}", -f, -n, "{lines}", --no-pager, -o, json]
    resume: journal-cursor
    resumeCommand: [journalctl, -u, "{unit}", -f, --no-pager, -o, json, "--after-cursor={cursor}"]
    timeoutSeconds: 0
`,
  'follow test',
);

let fleet: Fleet;
let link: DelayProxy;
let pool: SessionPool;
let dir: string;

beforeAll(async () => {
  fleet = await startFleet({ name: FLEET, hosts: 1 });
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-follow-'));
  const host = fleet.host(H1);
  link = await startDelayProxy({ target: { host: host.address, port: host.sshPort }, delayMs: 1 });
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, `[127.0.0.1]:${link.port} ${host.hostKeyLine.split(' ').slice(1).join(' ')}\n`);
  pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
  pool.setHosts([{ id: H1, address: '127.0.0.1', port: link.port, user: 'root', privateKeyPath: fleet.privateKeyPath, knownHostsPath: knownHosts }]);
}, 180_000);

afterAll(async () => {
  await pool?.close();
  await link?.stop();
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a follow at 200 lines/s across five connection resets and a 20 s silent outage shows every line once, in order', async () => {
  const audit = new AuditLog({ path: join(dir, 'audit.jsonl'), clock: systemClock, redactor: new Redactor() });
  const seen: number[] = [];
  const batchSizes: number[] = [];
  let dropped = 0;
  let stderr = '';
  const svc = new ActionService({
    catalog: CATALOG,
    executor: pool,
    audit,
    redactor: new Redactor(),
    hostLookup: (id) => ({ id, label: id }),
    user: 'fleet-test',
    clock: systemClock,
    timers: systemTimers,
    randomBytes,
    emitOutput: (p) => {
      dropped += p.droppedLines;
      let lines = 0;
      for (const chunk of p.chunks) {
        if (chunk.stream === 'stderr') {
          stderr += chunk.text;
          continue;
        }
        for (const m of chunk.text.matchAll(/: seq (\d+)$/gm)) seen.push(Number(m[1]));
        lines += chunk.text.split('\n').filter(Boolean).length;
      }
      batchSizes.push(lines);
    },
    emitStatus: () => {},
    // quick, patient resumes: the outage outlasts the default number of attempts in a row
    limits: { maxBufferedLines: BATCH, resumeDelayMs: 200, resumeMaxDelayMs: 2000, maxResumes: 40 },
  });
  const started = await fleet.exec(H1, ['systemd-run', `--unit=${UNIT}`, 'python3', '-u', '-c', SEQ_SCRIPT]);
  expect(started.code, started.stderr).toBe(0);
  const { runId } = svc.run({ token: svc.preview({ actionId: 'test.follow-unit', params: { unit: UNIT, lines: 1000 }, hostIds: [H1] }).token });
  await expect.poll(() => seen.length, { timeout: 20_000 }).toBeGreaterThan(400);

  // each reset is followed by the next only once the follow has resumed and a second's worth of
  // new lines (200) came through, so every reset lands on a live follow
  const flowing = async (moreThan: number) => {
    const from = seen.length;
    await expect.poll(() => seen.length, { timeout: 20_000, interval: 100 }).toBeGreaterThan(from + moreThan);
  };
  for (let i = 0; i < 3; i++) {
    link.dropConnections();
    await flowing(200);
  }
  // silent: nothing is delivered either way for 20 s, then the link is back and the backlog
  // (20 s at 200 lines/s) is mostly replayed before the next reset
  link.cut();
  await sleep(20_000);
  link.heal();
  await flowing(3000);
  for (let i = 0; i < 2; i++) {
    link.dropConnections();
    await flowing(200);
  }

  const stopped = await fleet.exec(H1, `systemctl stop ${UNIT} && journalctl -u ${UNIT} -o cat --no-pager | grep '^seq ' | tail -n 1`);
  expect(stopped.code, stopped.stderr).toBe(0);
  const last = Number(/^seq (\d+)$/m.exec(stopped.stdout)![1]);
  await expect.poll(() => seen.at(-1), { timeout: 30_000 }).toBe(last);
  expect(svc.cancel(runId)).toBe(true);
  await svc.settled(runId);

  // 0 lost, 0 shown twice, in order
  const lost = last - new Set(seen).size;
  const twice = seen.length - new Set(seen).size;
  expect({ lost, twice, dropped }).toEqual({ lost: 0, twice: 0, dropped: 0 });
  expect(seen).toEqual(Array.from({ length: last }, (_, i) => i + 1));
  // more than 20 s at 200 lines/s went by unseen, and the view still got it in bounded batches
  expect(last).toBeGreaterThan(4000);
  expect(Math.max(...batchSizes)).toBeLessThanOrEqual(BATCH);
  expect(batchSizes.filter((n) => n === BATCH).length).toBeGreaterThan(0);
  expect(stderr).toMatch(/resuming in .* from the last entry shown/);
  const resumes = (await audit.read(1000)).filter((r) => r.runId === runId && r.kind === 'note' && /^resumed after/.test(r.outcome ?? ''));
  expect(resumes.length).toBeGreaterThanOrEqual(6);
}, 150_000);
