// A run cut off before its exit status came back, on a real Debian host (systemd-nspawn): the
// per-connection sshd serving the console is killed while `systemctl restart` is still running.
// The engineer must see "unknown", never "failed", and then the outcome the host itself shows
// (the unit's ActiveEnterTimestamp moved after the intent); the audit log must hold both.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventPayload, HostId } from '../../../common/contract';
import { startFleet, type Fleet } from '../../../testbed/fleet';
import { AuditLog } from '../audit/AuditLog';
import { systemClock, systemTimers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { SessionPool } from '../ssh/SessionPool';
import { ActionService } from './ActionService';

const FLEET = `unk${process.pid}`;
const H1 = `${FLEET}-1` as HostId;
const UNIT = 'autotrader-workers';

let fleet: Fleet;
let pool: SessionPool;
let dir: string;

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sh = async (command: string): Promise<string> => {
  const r = await fleet.exec(H1, command);
  if (r.code !== 0) throw new Error(`${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
};

beforeAll(async () => {
  fleet = await startFleet({ name: FLEET, hosts: 1 });
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-unknown-'));
  // a restart that takes 8 s (a loaded test machine is slow to look) after the new process starts: time to cut the link mid-command
  await sh(
    `mkdir -p /run/systemd/system/${UNIT}.service.d && printf '[Service]\\nExecStartPost=/bin/sleep 8\\n' > /run/systemd/system/${UNIT}.service.d/slow.conf && systemctl daemon-reload`,
  );
  pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
  const h = fleet.host(H1);
  pool.setHosts([{ id: H1, address: h.address, port: h.sshPort, user: 'root', privateKeyPath: fleet.privateKeyPath, knownHostsPath: fleet.knownHostsPath }]);
});
afterAll(async () => {
  await pool?.close();
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a restart cut off before its exit status reads "unknown", then settles as succeeded from the unit\'s ActiveEnterTimestamp', async () => {
  const auditPath = join(dir, 'audit.jsonl');
  const audit = new AuditLog({ path: auditPath, clock: systemClock, redactor: new Redactor() });
  const statuses: EventPayload<'onRunStatus'>[] = [];
  const svc = new ActionService({
    executor: pool,
    audit,
    redactor: new Redactor(),
    hostLookup: (id) => (id === H1 ? { id, label: 'host one' } : undefined),
    user: 'fleet-test',
    clock: systemClock,
    timers: systemTimers,
    randomBytes,
    emitOutput: () => undefined,
    emitStatus: (p) => statuses.push(p),
  });
  await pool.connect(H1);
  const enteredBefore = await sh(`systemctl show -p ActiveEnterTimestampMonotonic --value ${UNIT}`);

  const preview = svc.preview({ actionId: 'service.restart', params: { unit: UNIT }, hostIds: [H1] });
  const { runId } = svc.run({ token: preview.token });
  // the new process runs its ExecStartPost: the command has been sent and has not returned
  await waitFor('the restart to be under way', async () => (await sh(`systemctl show -p ActiveState --value ${UNIT}`)) === 'activating');
  // kill the per-connection sshd processes (not the listener): the link drops mid-command
  const sessions = (await sh(`pgrep -f '^sshd: root' || true`)).split('\n').filter(Boolean);
  expect(sessions.length).toBeGreaterThan(0);
  await sh(`kill -9 ${sessions.join(' ')}`);
  await svc.settled(runId);

  const first = statuses.filter((s) => s.runId === runId && s.state !== 'queued' && s.state !== 'running');
  expect(first[0]).toMatchObject({ state: 'unknown', exitCode: null });
  expect(first[0]!.error).toMatch(/connection lost before the command finished; it is checked on the host once it answers$/);
  expect(statuses.some((s) => s.runId === runId && s.state === 'failed')).toBe(false);

  await waitFor('the unknown run to be settled', () => statuses.some((s) => s.runId === runId && s.settled), 40_000);
  const settled = statuses.filter((s) => s.runId === runId).at(-1)!;
  expect(settled).toMatchObject({ state: 'succeeded', settled: 'succeeded (verified: ActiveEnterTimestamp moved)', error: null });
  // the host agrees: the unit is active and entered that state after the run began
  expect(await sh(`systemctl is-active ${UNIT}`)).toBe('active');
  expect(Number(await sh(`systemctl show -p ActiveEnterTimestampMonotonic --value ${UNIT}`))).toBeGreaterThan(Number(enteredBefore));

  await audit.idle();
  const records = (await readFile(auditPath, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; runId: string; outcome: string | null });
  expect(records.filter((r) => r.runId === runId).map((r) => [r.kind, r.outcome])).toEqual([
    ['intent', null],
    ['result', expect.stringMatching(/^unknown: .*connection lost before the command finished$/)],
    ['settled', 'succeeded (verified: ActiveEnterTimestamp moved)'],
  ]);
  expect(await audit.verify()).toMatchObject({ ok: true });
  await svc.stopAll();
});

it('runs a killed console left open are recorded "console stopped" by the next one, then settled from the host', async () => {
  const auditPath = join(dir, 'stopped.jsonl');
  const API = 'autotrader-api';
  // the console that was killed: its intents are on disk; one restart reached the host, the
  // other never left the console
  const before = new AuditLog({ path: auditPath, clock: systemClock, redactor: new Redactor() });
  const intent = (runId: string, unit: string) =>
    before.append({ kind: 'intent', user: 'alice', runId, actionId: 'service.restart', hostId: H1, command: `systemctl restart ${unit}`, params: { unit } });
  const enteredBefore = await sh(`systemctl show -p ActiveEnterTimestampMonotonic --value ${UNIT}`);
  await intent('run-ran', UNIT);
  await intent('run-never-sent', API);
  await sh(`systemctl restart ${UNIT}`);
  await before.idle();

  // the console started again: recovery closes both as unknown and hands them to the settler
  const audit = new AuditLog({ path: auditPath, clock: systemClock, redactor: new Redactor() });
  const statuses: EventPayload<'onRunStatus'>[] = [];
  const svc = new ActionService({
    executor: pool,
    audit,
    redactor: new Redactor(),
    hostLookup: (id) => (id === H1 ? { id, label: 'host one' } : undefined),
    user: 'bob',
    clock: systemClock,
    timers: systemTimers,
    randomBytes,
    emitOutput: () => undefined,
    emitStatus: (p) => statuses.push(p),
  });
  const recovered = await audit.recover();
  expect(recovered).toMatchObject({ unknown: 2 });
  expect(recovered.open.map((r) => [r.runId, r.params])).toEqual([
    ['run-ran', { unit: UNIT }],
    ['run-never-sent', { unit: API }],
  ]);
  svc.adoptOpenRuns(recovered.open);

  await waitFor('both runs to be settled', () => ['run-ran', 'run-never-sent'].every((id) => statuses.some((s) => s.runId === id && s.settled)), 40_000);
  expect(statuses.find((s) => s.runId === 'run-ran' && s.settled)).toMatchObject({
    state: 'succeeded',
    settled: 'succeeded (verified: ActiveEnterTimestamp moved)',
  });
  expect(statuses.find((s) => s.runId === 'run-never-sent' && s.settled)).toMatchObject({ state: 'failed' });
  expect(Number(await sh(`systemctl show -p ActiveEnterTimestampMonotonic --value ${UNIT}`))).toBeGreaterThan(Number(enteredBefore));

  await audit.idle();
  const records = (await readFile(auditPath, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; runId: string; user: string; outcome: string | null });
  expect(records.filter((r) => r.runId === 'run-ran').map((r) => [r.kind, r.outcome])).toEqual([
    ['intent', null],
    ['result', 'unknown: console stopped before the outcome was recorded'],
    ['settled', 'succeeded (verified: ActiveEnterTimestamp moved)'],
  ]);
  expect(records.filter((r) => r.runId === 'run-never-sent').map((r) => [r.kind, r.outcome])).toEqual([
    ['intent', null],
    ['result', 'unknown: console stopped before the outcome was recorded'],
    ['settled', expect.stringMatching(/^failed \(verified: /)],
  ]);
  expect(await audit.verify()).toMatchObject({ ok: true });
  await svc.stopAll();
});
