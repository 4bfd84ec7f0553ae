// A terminal closed on a host that has stopped answering (its sshd SIGSTOPped: a real server
// that never confirms the channel's close) still closes: the tab says so, it leaves the
// per-host count, and its end is audited, once. The grace period before giving up on the
// server runs on the injected Timers and is fired by the test, so nothing here waits on the
// clock; the pool's keepalive (15 s x 3) is far longer than the test, so the connection's drop
// is not what closes it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventPayload, HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { AuditLog } from '../audit/AuditLog';
import { systemClock, type Timers } from '../clock';
import { Redactor } from '../redact/Redactor';
import { SessionPool } from '../ssh/SessionPool';
import { TerminalService, type ShellChannel } from './TerminalService';

const H = 'h1' as HostId;
let sshd: Sshd;
let dir: string;
let pool: SessionPool;

beforeAll(async () => {
  sshd = await startSshd();
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-term-'));
  pool = new SessionPool({});
  pool.setHosts([{ id: H, address: sshd.address, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath }]);
});
afterAll(async () => {
  await sshd?.thaw();
  await pool?.close();
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Timers whose callbacks run when the test says so. */
function manualTimers(): Timers & { pending(): number; fireAll(): void } {
  const due = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout: (callback) => {
      due.set(++next, callback);
      return next;
    },
    clearTimeout: (handle) => void due.delete(handle as number),
    pending: () => due.size,
    fireAll: () => {
      const now = [...due.values()];
      due.clear();
      for (const callback of now) callback();
    },
  };
}

it('a tab closed on a host that stopped answering closes after the grace period, and its end is audited once', async () => {
  const audit = new AuditLog({ path: join(dir, 'audit.jsonl'), clock: systemClock, redactor: new Redactor() });
  const timers = manualTimers();
  const states: EventPayload<'onTerminalState'>[] = [];
  let output = '';
  const channels: ShellChannel[] = [];
  const terminals = new TerminalService({
    shell: async (id, pty) => {
      const channel = await pool.shell(id, pty);
      channels.push(channel);
      return channel;
    },
    audit,
    user: 'it-oncall',
    redactor: new Redactor(),
    clock: systemClock,
    timers,
    randomBytes,
    emitOutput: (p) => (output += p.data),
    emitState: (p) => states.push(p),
    recording: { enabled: false, dir },
    logger: { warn: () => {} },
    knownHost: (id) => id === H,
  });
  const notes = async () => (await audit.read(100)).map((r) => r.outcome ?? '');

  /** the remote shell's pid (sshd runs on this machine, so /proc shows whether it is still there) */
  const shellPid = async (tab: string, tag: string) => {
    terminals.input(tab as never, `echo ${tag}=$$\r`);
    await expect.poll(() => new RegExp(`${tag}=(\\d+)`).exec(output)?.[1], { timeout: 10_000 }).toBeDefined();
    return Number(new RegExp(`${tag}=(\\d+)`).exec(output)![1]);
  };
  const id = await terminals.open(H, 80, 24);
  const first = await shellPid(id, 'first');

  await sshd.freeze();
  expect(terminals.close(id)).toBe(true);
  // the host cannot confirm: only the grace timer can end it
  expect(timers.pending()).toBe(1);
  timers.fireAll();
  await expect
    .poll(() => states.filter((s) => s.state === 'closed'), { timeout: 10_000 })
    .toMatchObject([{ terminalId: id, hostId: H, reason: 'closed (the host did not confirm)' }]);
  expect(terminals.count()).toBe(0);
  await expect
    .poll(async () => (await notes()).filter((n) => n.startsWith('terminal ended')), { timeout: 10_000 })
    .toEqual([expect.stringMatching(/^terminal ended after \d+ s: closed \(the host did not confirm\)$/)]);

  // the host wakes and confirms late: nothing is closed or audited twice
  let confirmed = false;
  channels[0]!.once('close', () => (confirmed = true));
  await sshd.thaw();
  await expect.poll(() => confirmed, { timeout: 10_000 }).toBe(true);
  // the hang-up sent with the close reached the host when it woke: no shell is left running there
  await expect.poll(() => existsSync(`/proc/${first}`), { timeout: 10_000 }).toBe(false);
  expect(states.filter((s) => s.state === 'closed')).toHaveLength(1);
  expect((await notes()).filter((n) => n.startsWith('terminal ended'))).toHaveLength(1);
  // and the connection is still good for the next tab
  const again = await terminals.open(H, 80, 24);
  const second = await shellPid(again, 'second');
  terminals.close(again);
  // a host that answers confirms at once (the grace timer is never fired here) and its shell is gone
  await expect.poll(() => states.filter((s) => s.terminalId === again && s.state === 'closed'), { timeout: 10_000 }).toMatchObject([{ reason: 'closed' }]);
  expect(timers.pending()).toBe(0);
  await expect.poll(() => existsSync(`/proc/${second}`), { timeout: 10_000 }).toBe(false);
}, 60_000);
