// Polling at fleet scale: D deployments x 8 endpoints every I seconds, each deployment through
// its own SSH connection and forward (50 host entries on one real loopback sshd, so 50 real SSH
// sessions), against the real simulator in its own process. The console side is the same
// pipeline app.ts builds (SessionPool -> forward dispatcher -> HealthPoller -> history + alert
// rules -> KeyedBatcher -> EventHub); issue 7's host-facts refresh is left out so the figures
// are polling's own. Measures, over a steady-state window: this process's CPU (cpuUsage) and
// RSS, median and p99 poll latency, a plain curl of the same endpoint in the same run (direct,
// and through an OpenSSH -L forward to the same sshd), and the event rate the renderer gets.
//   npx tsx bench/poll-fleet.ts [--deployments 50] [--interval 5] [--seconds 60] [--warmup 12] [--even]
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import ssh2, { type ConnectConfig } from 'ssh2';
import type { Dispatcher } from 'undici';
import type { DeploymentId, EndpointState, HostId } from '../common/contract';
import { ENDPOINTS, type Endpoint } from '../common/health';
import { DEFAULT_ALERTS_SETTINGS } from '../main/core/alerts/alertRules';
import { AlertEngine } from '../main/core/alerts/AlertEngine';
import { EventHub } from '../main/core/bridge/EventHub';
import { systemClock } from '../main/core/clock';
import { KeyedBatcher } from '../main/core/events/EventBatcher';
import { HealthPoller, type PolledDeployment } from '../main/core/health/HealthPoller';
import { HistoryStore } from '../main/core/health/history/HistoryStore';
import { createForwardDispatcher } from '../main/core/ssh/forwardDispatcher';
import { SessionPool } from '../main/core/ssh/SessionPool';
import { ensureSimBundle } from '../testbed/fleet';
import { startSshd } from '../testbed/sshd';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const D = arg('deployments', 50);
const INTERVAL_S = arg('interval', 5);
const WINDOW_S = arg('seconds', 60);
const WARMUP_S = arg('warmup', 12);
/** --even: start deployment i at i/D of the interval (the poller itself spreads first polls over at most 2 s) */
const EVEN = process.argv.includes('--even');
/** --cipher NAME: put this SSH cipher first in the client's offer (to compare crypto cost) */
const CIPHER = process.argv.includes('--cipher') ? process.argv[process.argv.indexOf('--cipher') + 1]! : null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

/**
 * curl once a second for `seconds`, from one shell loop started once: spawning a curl from
 * this process each time would bill the spawns to the CPU being measured.
 */
function curlLoop(url: string, seconds: number): Promise<number[]> {
  // time_total: from the start of the transfer to its end, without curl's own start-up.
  const script = `i=0; while [ $i -lt ${seconds} ]; do curl -sf -o /dev/null -w '%{time_total}\\n' '${url}'; sleep 1; i=$((i+1)); done`;
  return run('sh', ['-c', script]).then((out) => out.trim().split('\n').map((line) => Number(line) * 1000));
}

// ---- fixtures: a real sshd, the simulator in its own process, an OpenSSH -L for curl -------
const sshd = await startSshd({ extraConfig: 'MaxSessions 1000\nMaxStartups 200:30:400' });
const simBundle = await ensureSimBundle();
const sim: ChildProcess = spawn(process.execPath, [simBundle, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
const simUrl = await new Promise<string>((resolve, reject) => {
  let log = '';
  sim.stdout!.on('data', (c) => {
    log += c;
    const m = /^(http:\/\/127\.0\.0\.1:\d+)\/?$/m.exec(log);
    if (m) resolve(m[1]!);
  });
  sim.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${log}`)));
});
const simPort = Number(new URL(simUrl).port);
const fwdPort = await freePort();
const sshForward = spawn('ssh', [
  '-N', '-o', 'BatchMode=yes', '-o', 'ExitOnForwardFailure=yes', '-o', `UserKnownHostsFile=${sshd.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
  '-i', sshd.clientKeyPath, '-p', String(sshd.port), '-L', `127.0.0.1:${fwdPort}:127.0.0.1:${simPort}`, `${sshd.user}@${sshd.address}`,
], { stdio: 'ignore' });

// ---- the console's polling pipeline, as app.ts wires it ---------------------------------
const hub = new EventHub();
let events = 0;
let updates = 0;
let measuring = false;
const latencies: number[] = [];
hub.subscribe((name, payload) => {
  if (!measuring) return;
  events += 1;
  if (name === 'onHealth') {
    const list = (payload as { updates: EndpointState[] }).updates;
    updates += list.length;
    for (const s of list) if (s.status === 'ok' && s.latencyMs !== null) latencies.push(s.latencyMs);
  }
});
let errors = 0;
const healthBatch = new KeyedBatcher<EndpointState>((s) => `${s.deploymentId}/${s.endpoint}`, (u) => hub.emit('onHealth', { updates: u }), 250);
const history = new HistoryStore();
const alerts = new AlertEngine({ settings: DEFAULT_ALERTS_SETTINGS, clock: systemClock, onChange: () => {}, onNotify: (n) => hub.emit('onAlertNotification', n) });
const pool = new SessionPool({
  maxConcurrentHandshakes: 8,
  ...(CIPHER
    ? {
        createClient: () => {
          const client = new ssh2.Client();
          const connect = client.connect.bind(client);
          client.connect = (config: ConnectConfig) => connect({ ...config, algorithms: { ...config.algorithms, cipher: { prepend: [CIPHER] } as never } });
          return client;
        },
      }
    : {}),
});
const hostIds = Array.from({ length: D }, (_, i) => `h${i}` as HostId);
pool.setHosts(hostIds.map((id) => ({ id, address: sshd.address, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath })));
const dispatchers = new Map<string, Dispatcher>(hostIds.map((id, i) => [`d${i}`, createForwardDispatcher(pool, id, '127.0.0.1', simPort)]));
const poller = new HealthPoller({
  dispatcherFor: (id) => dispatchers.get(id)!,
  onUpdate: (s) => {
    if (measuring && s.status === 'error') errors += 1;
    healthBatch.push(s);
  },
  onPolled: (_d, _e, s) => {
    history.record(s);
    alerts.evaluate(s);
  },
});
const deployments: PolledDeployment[] = hostIds.map((_, i) => ({
  id: `d${i}` as DeploymentId,
  url: `http://127.0.0.1:${simPort}`,
  intervalsMs: Object.fromEntries(ENDPOINTS.map((e) => [e, INTERVAL_S * 1000])) as Record<Endpoint, number>,
  timeoutMs: 4000,
  maxBodyBytes: 1024 * 1024,
  maxBackoffMs: 60_000,
}));

try {
  const t0 = performance.now();
  await Promise.all(hostIds.map((id) => pool.connect(id)));
  const connectMs = performance.now() - t0;
  if (EVEN) {
    for (const [i, deployment] of deployments.entries()) setTimeout(() => poller.start([deployment]), (i * INTERVAL_S * 1000) / D);
  } else {
    poller.start(deployments);
  }
  await sleep(WARMUP_S * 1000);

  // ---- steady-state window ----
  const rss: number[] = [];
  const path = '/api/health/sla';
  // Plain curls of the same endpoint in the same window: direct, and through an OpenSSH -L
  // forward to the same sshd (the path the polls take, minus the console).
  const curls = Promise.all([curlLoop(`${simUrl}${path}`, WINDOW_S), curlLoop(`http://127.0.0.1:${fwdPort}${path}`, WINDOW_S)]);
  measuring = true;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
  await sleep(WINDOW_S * 1000);
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  measuring = false;
  const [curlDirect, curlSsh] = await curls;
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  const expectedPolls = (D * ENDPOINTS.length * wallMs) / 1000 / INTERVAL_S;
  const h = history.stats();
  console.log(`poll-fleet${EVEN ? ' --even' : ''}: ${D} deployments x ${ENDPOINTS.length} endpoints every ${INTERVAL_S} s through ${D} SSH connections (one loopback sshd), window ${(wallMs / 1000).toFixed(0)} s after ${WARMUP_S} s warm-up`);
  console.log(`  SSH connect of all ${D} hosts: ${connectMs.toFixed(0)} ms; cipher ${CIPHER ?? "ssh2's default order"}`);
  console.log(`  polls: ${latencies.length} ok, ${errors} errors (expected ~${expectedPolls.toFixed(0)})`);
  console.log(`  main CPU: ${cpuPct.toFixed(2)} % of one core (user ${(cpu.user / 1000).toFixed(0)} ms + system ${(cpu.system / 1000).toFixed(0)} ms)`);
  console.log(`  main RSS: median ${mb(pct(rss, 50))} MB, max ${mb(Math.max(...rss))} MB; history ${h.series} series, ${(h.bytes / 1024).toFixed(0)} KiB fixed`);
  console.log(`  poll latency: median ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`);
  console.log(`  curl ${path}: direct median ${pct(curlDirect, 50).toFixed(1)} ms (p99 ${pct(curlDirect, 99).toFixed(1)}), through OpenSSH -L median ${pct(curlSsh, 50).toFixed(1)} ms (p99 ${pct(curlSsh, 99).toFixed(1)})`);
  console.log(`  poll median / curl-through-ssh median: ${(pct(latencies, 50) / pct(curlSsh, 50)).toFixed(2)}x`);
  console.log(`  renderer updates: ${(events / (wallMs / 1000)).toFixed(2)} events/s carrying ${(updates / (wallMs / 1000)).toFixed(1)} endpoint states/s`);
} finally {
  poller.stop();
  healthBatch.dispose();
  await Promise.allSettled([...dispatchers.values()].map((d) => d.close()));
  await pool.close();
  sshForward.kill();
  sim.kill();
  await sshd.stop();
}
