// Back-pressure on a real sshd (testbed/sshd.ts): while the consumer says it is full, the pool
// stops reading the channel, so the remote writer blocks (the channel's window stays shut)
// instead of its output piling up here; once there is room again every byte arrives, in order.
import { afterEach, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import type { Backpressure } from '../hostExec';
import { SessionPool } from './SessionPool';

const H = 'bp' as HostId;
let sshd: Sshd | null = null;
let pool: SessionPool | null = null;
afterEach(async () => {
  await pool?.close();
  await sshd?.stop();
});

it('a full consumer stops the remote writer; with room again the whole output arrives in order', async () => {
  sshd = await startSshd();
  pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 500 } });
  pool.setHosts([{ id: H, address: sshd.address, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath }]);
  await pool.connect(H);

  let full = true;
  let wake: (() => void) | null = null;
  const flow: Backpressure = {
    isFull: () => full,
    onRoom: (listener) => {
      if (full) wake = listener;
      else listener();
    },
  };
  let received = '';
  const total = 200_000; // seq 1..200000: about 1.3 MB, far beyond the channel's window
  const done = pool.exec(H, `seq 1 ${total}; echo finished >&2`, { onStdout: (c) => (received += c), backpressure: flow });
  let ended = false;
  void done.finally(() => (ended = true));
  await new Promise((r) => setTimeout(r, 1500));
  // held back: far less than the output arrived, and the command has not finished
  const heldAt = received.length;
  expect(heldAt).toBeLessThan(1_000_000);
  expect(ended).toBe(false);
  expect(wake).not.toBeNull();
  full = false;
  wake!();
  const result = await done;
  expect(result.exitCode).toBe(0);
  expect(received.length).toBeGreaterThan(heldAt);
  const lines = received.split('\n').filter(Boolean);
  expect(lines.length).toBe(total);
  expect(lines[0]).toBe('1');
  expect(lines.at(-1)).toBe(String(total));
  expect(lines.every((l, i) => l === String(i + 1))).toBe(true);
}, 30_000);
