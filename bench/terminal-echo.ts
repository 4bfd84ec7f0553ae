// Keystroke echo latency in the host terminal vs the OpenSSH client, in the same run, over the
// same link: a real loopback sshd behind the userspace delay proxy (25 ms round trip by
// default; the kernel here has no netem). Both sides run `stty raw -echo; exec cat` on a remote
// pty, so each byte typed comes straight back. Ours: TerminalService.input -> ssh2 shell
// channel -> onTerminalOutput event (the path main takes), and the same again through the
// browser shell's WebSocket (a `ws` client sending terminalInput calls and reading the events:
// the whole product path but xterm's drawing). OpenSSH: `ssh -tt` with stdin and stdout on pipes.
//   npx tsx bench/terminal-echo.ts [--rtt 25] [--keys 200]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostId, TerminalId } from '../common/contract';
import { EventHub } from '../main/core/bridge/EventHub';
import { systemClock, systemTimers } from '../main/core/clock';
import { Redactor } from '../main/core/redact/Redactor';
import { SessionPool } from '../main/core/ssh/SessionPool';
import { TerminalService } from '../main/core/terminal/TerminalService';
import { startDelayProxy } from '../testbed/delay-proxy';
import { startSshd } from '../testbed/sshd';
import { recordResult } from './support';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import WebSocket from 'ws';
import type { CallHandlers } from '../common/contract';
import { WebShellServer } from '../main/web/WebShellServer';
import { numberArg } from './support';

const RTT = numberArg('rtt', 25);
const KEYS = numberArg('keys', 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.floor(s.length * 0.95)]! };
};
const REMOTE = 'stty raw -echo; exec cat';
const KEYSET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Sends one key at a time and waits for it to come back; returns the round trips in ms. */
async function measure(send: (key: string) => void, onData: (listener: (text: string) => void) => void): Promise<number[]> {
  let waiting: { key: string; resolve: () => void } | null = null;
  let buffer = '';
  onData((text) => {
    buffer += text;
    if (waiting && buffer.includes(waiting.key)) {
      buffer = '';
      const w = waiting;
      waiting = null;
      w.resolve();
    }
  });
  const times: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const key = KEYSET[i % KEYSET.length]!;
    buffer = '';
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiting = { key, resolve };
      send(key);
    });
    times.push(performance.now() - t0);
    // a typist, not a paste: keys apart so each one is its own round trip
    await sleep(5);
  }
  return times;
}

const sshd = await startSshd();
const proxy = await startDelayProxy({ target: { host: sshd.address, port: sshd.port }, delayMs: RTT / 2 });
const knownHosts = join(sshd.dir, 'bench_known_hosts');
writeFileSync(knownHosts, `[${proxy.host}]:${proxy.port} ${sshd.hostKeyLine.split(' ').slice(1).join(' ')}\n`);
const id = 'echo' as HostId;
const pool = new SessionPool();
pool.setHosts([{ id, address: proxy.host, port: proxy.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: knownHosts }]);
const hub = new EventHub();
const terminals = new TerminalService({
  shell: (host, pty) => pool.shell(host, pty),
  audit: { append: async () => ({}) },
  user: 'bench',
  redactor: new Redactor(),
  clock: systemClock,
  timers: systemTimers,
  randomBytes,
  emitOutput: (p) => hub.emit('onTerminalOutput', p),
  emitState: (p) => hub.emit('onTerminalState', p),
  recording: { enabled: false, dir: '' },
  logger: { warn: () => {} },
  knownHost: () => true,
});
try {
  await pool.connect(id);
  const termId: TerminalId = await terminals.open(id, 80, 24);
  terminals.input(termId, `${REMOTE}\r`);
  // let the login banner, prompt and the stty command's echo drain before timing keys
  await sleep(RTT * 10 + 500);
  const ours = await measure(
    (key) => terminals.input(termId, key),
    (listener) => hub.subscribe((name, payload) => name === 'onTerminalOutput' && listener((payload as { data: string }).data)),
  );
  terminals.close(termId);

  // the same through the browser shell's WebSocket bridge
  const handlers = {
    terminalOpen: async (r: { hostId: HostId; cols: number; rows: number }) => ({ terminalId: await terminals.open(r.hostId, r.cols, r.rows) }),
    terminalInput: async (r: { terminalId: TerminalId; data: string }) => ({ accepted: terminals.input(r.terminalId, r.data) }),
  } as unknown as CallHandlers;
  const web = new WebShellServer({ handlers, hub, staticRoot: mkdtempSync(join(tmpdir(), 'echo-static-')) });
  await web.listen();
  const ws = new WebSocket(`ws://127.0.0.1:${web.port}/ws?token=${web.token}`, { origin: `http://127.0.0.1:${web.port}` });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let callId = 0;
  const results = new Map<number, (value: unknown) => void>();
  const outputListeners: ((text: string) => void)[] = [];
  let wsTerm: string | null = null;
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as {
      t: string;
      id?: number;
      result?: { value: unknown };
      name?: string;
      payload?: { terminalId: string; data: string };
    };
    if (frame.t === 'result') results.get(frame.id!)?.(frame.result!.value);
    else if (frame.name === 'onTerminalOutput' && frame.payload!.terminalId === wsTerm) outputListeners.forEach((l) => l(frame.payload!.data));
  });
  const call = (name: string, payload: unknown) =>
    new Promise<unknown>((resolve) => {
      const id = ++callId;
      results.set(id, resolve);
      ws.send(JSON.stringify({ t: 'call', id, name, payload }));
    });
  wsTerm = ((await call('terminalOpen', { hostId: id, cols: 80, rows: 24 })) as { terminalId: string }).terminalId;
  void call('terminalInput', { terminalId: wsTerm, data: `${REMOTE}\r` });
  await sleep(RTT * 10 + 500);
  const viaWebSocket = await measure(
    (key) => void call('terminalInput', { terminalId: wsTerm, data: key }),
    (listener) => outputListeners.push(listener),
  );
  ws.close();
  await web.close();

  const ssh = spawn(
    'ssh',
    [
      '-tt',
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-i',
      sshd.clientKeyPath,
      '-p',
      String(proxy.port),
      `${sshd.user}@${proxy.host}`,
      REMOTE,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    // the remote prints nothing until a key arrives: wait for the session, then probe with one key
    const timer = setTimeout(() => reject(new Error('OpenSSH session did not start in 15 s')), 15_000);
    const probe = setInterval(() => ssh.stdin.write('.'), 200);
    ssh.stdout.once('data', () => {
      clearTimeout(timer);
      clearInterval(probe);
      resolve();
    });
  });
  await sleep(300);
  const openssh = await measure(
    (key) => ssh.stdin.write(key),
    (listener) => ssh.stdout.on('data', (chunk: Buffer) => listener(chunk.toString('utf8'))),
  );
  ssh.kill();
  const a = stats(ours);
  const w = stats(viaWebSocket);
  const b = stats(openssh);
  console.log(`keystroke echo at ${RTT} ms round trip, ${KEYS} keys each`);
  console.log(`Opsdeck terminal (ssh2 shell channel -> event): median ${a.median.toFixed(2)} ms, p95 ${a.p95.toFixed(2)} ms`);
  console.log(`Opsdeck through the browser shell WebSocket:    median ${w.median.toFixed(2)} ms, p95 ${w.p95.toFixed(2)} ms`);
  console.log(`OpenSSH client (ssh -tt):                      median ${b.median.toFixed(2)} ms, p95 ${b.p95.toFixed(2)} ms`);
  console.log(`ratio of medians: main ${(a.median / b.median).toFixed(3)}, via WebSocket ${(w.median / b.median).toFixed(3)} (target <= 1.1)`);
  const met = (r: number) => `<= 1.1x: ${r <= 1.1 ? 'met' : 'not met'}`;
  recordResult(
    'terminal-echo',
    {
      question: `Does a keystroke in the host terminal come back within 1.1x of the OpenSSH client's echo at a ${RTT} ms round trip?`,
      comparator: '`ssh -tt` to the same sshd through the same delay proxy, both running `stty raw -echo; exec cat` on a remote pty, same run',
    },
    [
      { figure: `OpenSSH \`ssh -tt\`, ${KEYS} keys`, value: `median ${b.median.toFixed(2)} ms, p95 ${b.p95.toFixed(2)} ms` },
      {
        figure: 'Opsdeck main path (ssh2 shell channel -> event)',
        value: `median ${a.median.toFixed(2)} ms, p95 ${a.p95.toFixed(2)} ms`,
        against: `${(a.median / b.median).toFixed(2)}x OpenSSH`,
        target: met(a.median / b.median),
      },
      {
        figure: "Opsdeck through the browser shell's WebSocket",
        value: `median ${w.median.toFixed(2)} ms, p95 ${w.p95.toFixed(2)} ms`,
        against: `${(w.median / b.median).toFixed(2)}x OpenSSH`,
        target: met(w.median / b.median),
      },
    ],
  );
} finally {
  await terminals.closeAll();
  await pool.close();
  await proxy.stop();
  await sshd.stop();
}
