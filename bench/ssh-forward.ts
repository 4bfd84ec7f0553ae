// GET latency through an SSH forward: a new direct-tcpip channel per request vs the kept-alive
// undici dispatcher of forwardDispatcher.ts, against a real loopback sshd. Prints medians.
//   npx tsx bench/ssh-forward.ts [requests]
import { createServer } from 'node:http';
import type { HostId } from '../common/contract';
import { createForwardDispatcher } from '../main/core/ssh/forwardDispatcher';
import { SessionPool } from '../main/core/ssh/SessionPool';
import { startSshd } from '../testbed/sshd';
import { recordResult } from './support';

const N = Number(process.argv[2] ?? 200);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const sshd = await startSshd();
const server = createServer((_req, res) => res.end(JSON.stringify({ ok: true })));
server.on('connection', (s) => s.setNoDelay(true));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as { port: number }).port;
const id = 'bench' as HostId;
const pool = new SessionPool();
pool.setHosts([{ id, address: sshd.address, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath }]);
try {
  await pool.connect(id);
  const perChannel: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const ch = await pool.forwardOut(id, '127.0.0.1', port);
    await new Promise<void>((resolve) => {
      // the reply is one small write: its first bytes are the whole response
      ch.once('data', () => {
        resolve();
        ch.destroy();
      });
      ch.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    perChannel.push(performance.now() - t0);
  }
  const dispatcher = createForwardDispatcher(pool, id, '127.0.0.1', port);
  const kept: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const res = await dispatcher.request({ path: '/', method: 'GET' });
    await res.body.text();
    kept.push(performance.now() - t0);
  }
  await dispatcher.close();
  console.log(`GET through a new forwardOut channel each time: median ${median(perChannel).toFixed(2)} ms (n=${N})`);
  console.log(`GET through the kept-alive forward dispatcher:   median ${median(kept).toFixed(2)} ms (n=${N})`);
  recordResult(
    'ssh-forward',
    {
      question: 'What does a GET through an SSH forward cost with the kept-alive dispatcher the poller uses, against a channel opened per request?',
      comparator: 'the same GET through a new direct-tcpip channel each time, same sshd, same run',
    },
    [
      {
        figure: `GET through the kept-alive forward dispatcher (n=${N})`,
        value: `median ${median(kept).toFixed(2)} ms`,
        against: `${(median(kept) / median(perChannel)).toFixed(2)}x a channel per request`,
      },
      { figure: `GET through a new forwardOut channel each time (n=${N})`, value: `median ${median(perChannel).toFixed(2)} ms` },
    ],
  );
} finally {
  await pool.close();
  server.close();
  await sshd.stop();
}
