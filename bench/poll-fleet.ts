// Polling at fleet scale: D deployments x 8 endpoints every I seconds, each deployment through
// its own SSH connection and forward, against the real simulator in its own process.
//
// One connection per deployment, as in production: SessionPool shares one connection between
// hosts with the same user@address:port (right for real hosts, wrong for a bench whose hosts
// all live on one loopback sshd), so each host gets its own name (bench-hN) pinned in
// known_hosts, and a connectSocket that dials the one sshd: D real TCP connections, D sshd
// sessions. The bench counts the sockets it opened and refuses to report if that is not D.
//
// The console side is the pipeline app.ts builds (SessionPool -> forward dispatcher ->
// HealthPoller with the Redactor -> history + alert rules -> KeyedBatcher -> EventHub -> one
// view that serialises every event as Electron's IPC does); the host view's facts refresh is
// left out so the figures are polling's own. Measures, over a steady-state window: this
// process's CPU (cpuUsage; sshd, the simulator and curl are other processes) and RSS, median and
// p99 poll latency, a plain curl of the same endpoint in the same run (direct, and through an
// OpenSSH -L forward to the same sshd), the event rate the view gets, and the load average.
//   node bench/run.mjs poll-fleet [--deployments 50] [--interval 5] [--seconds 60] [--warmup 60] [--even | --wakes N]
//                                 [--profile FILE.cpuprofile]   (CPU profile of the window only)
//                                 [--fetch-only] [--direct]     (the floor: the poller's sweeps, GETs alone; no SSH forward)
//                                 [--fetch-only --spread]       (each GET on its own timer, 80 a second evenly: the old schedule)
//                                 [--fetch-only --grouped]      (a deployment's 8 GETs at once, pipelined on its channel)
// bench/run.mjs compiles it as electron-vite compiles the app; under `npx tsx` the same code
// reads 10-15 % higher, because tsx keeps function names (see bench/run.mjs).
//
// The warm-up is long on purpose: at 80 requests a second V8 is still compiling the hot paths
// 12 s in (a profile shows TurboFan at work and most code in the baseline tier), which
// added about a third to the CPU figure; a console runs for hours, so the steady state is
// the figure that matters.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { connect as netConnect, createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import ssh2, { type ConnectConfig } from 'ssh2';
import { Client as UndiciClient, type Dispatcher } from 'undici';
import type { DeploymentId, EndpointState, HostId } from '../common/contract';
import { ENDPOINT_PATHS, ENDPOINTS, type Endpoint } from '../common/health';
import { fetchEndpoint } from '../main/core/health/fetchEndpoint';
import { sweepStartFractions, WAKES_PER_INTERVAL, type PolledDeployment } from '../main/core/health/HealthPoller';
import { createForwardDispatcher } from '../main/core/ssh/forwardDispatcher';
import { SessionPool } from '../main/core/ssh/SessionPool';
import { startSshd } from '../testbed/sshd';
import { COMPILED, createPollPipeline, numberArg, percentile, recordResult, startSimulator } from './support';

const D = numberArg('deployments', 50);
const INTERVAL_S = numberArg('interval', 5);
const WINDOW_S = numberArg('seconds', 60);
const WARMUP_S = numberArg('warmup', 60);
/** --even: start each deployment on its own timer at i/D of the interval, outside the poller (no shared starts) */
const EVEN = process.argv.includes('--even');
/** --wakes N: the poller's wakesPerInterval (default: the poller's own, WAKES_PER_INTERVAL); --wakes 50 gives each of 50 deployments its own start */
const WAKES = process.argv.includes('--wakes') ? numberArg('wakes', WAKES_PER_INTERVAL) : undefined;
/** where in the interval each deployment's sweeps start: the poller's own placement, or one start each with --even */
const START_FRACTIONS = sweepStartFractions(D, EVEN ? D : (WAKES ?? WAKES_PER_INTERVAL));
/** --cipher NAME: put this SSH cipher first in the client's offer (to compare crypto cost) */
const CIPHER = process.argv.includes('--cipher') ? process.argv[process.argv.indexOf('--cipher') + 1]! : null;
/** --fetch-only: the floor under the poller: the same GETs on the same schedule through the same forwards, bodies read and dropped */
const FETCH_ONLY = process.argv.includes('--fetch-only');
/** --direct: no SSH, each deployment's GETs go straight to the simulator (how much of the cost is the SSH forward) */
const DIRECT = process.argv.includes('--direct');
/** --grouped (with --fetch-only): a deployment's 8 GETs go out together, pipelined on its one channel, one timer per deployment */
const GROUPED = process.argv.includes('--grouped');
/** --spread (with --fetch-only): every GET on its own timer, all spread evenly over the interval (the poller's schedule before sweeps) */
const SPREAD = process.argv.includes('--spread');
const PROFILE = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1]! : null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ticks (utime + stime) per thread name of this process, from /proc (Linux): where the time goes besides JS */
function threadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = tid === String(process.pid) ? 'main' : 'other threads';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    }
  } catch {
    // not Linux: the per-thread line is left out
  }
  return out;
}

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
  return run('sh', ['-c', script]).then((out) =>
    out
      .trim()
      .split('\n')
      .map((line) => Number(line) * 1000),
  );
}

// ---- fixtures: a real sshd, the simulator in its own process, an OpenSSH -L for curl -------
const sshd = await startSshd({ extraConfig: 'MaxSessions 1000\nMaxStartups 200:30:400' });
const { url: simUrl, process: sim } = await startSimulator();
const simPort = Number(new URL(simUrl).port);
const fwdPort = await freePort();
const sshForward = spawn(
  'ssh',
  [
    '-N',
    '-o',
    'BatchMode=yes',
    '-o',
    'ExitOnForwardFailure=yes',
    '-o',
    `UserKnownHostsFile=${sshd.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-i',
    sshd.clientKeyPath,
    '-p',
    String(sshd.port),
    '-L',
    `127.0.0.1:${fwdPort}:127.0.0.1:${simPort}`,
    `${sshd.user}@${sshd.address}`,
  ],
  { stdio: 'ignore' },
);

// ---- the console's polling pipeline, as app.ts wires it ---------------------------------
let events = 0;
let updates = 0;
let measuring = false;
const latencies: number[] = [];
// One view, paying what Electron's webContents.send pays in main: a structured clone (V8's
// serializer) of every event. The browser shell's JSON.stringify costs about the same.
let serializedBytes = 0;
const onEvent = (name: string, payload: unknown): void => {
  const bytes = serialize(payload).length;
  if (!measuring) return;
  serializedBytes += bytes;
  events += 1;
  if (name === 'onHealth') {
    const list = (payload as { updates: EndpointState[] }).updates;
    updates += list.length;
    for (const s of list) if (s.status === 'ok' && s.latencyMs !== null) latencies.push(s.latencyMs);
  }
};
let errors = 0;
// one name per host, all pinned to the sshd's key, all dialled to the one sshd
const hostName = (i: number) => `bench-h${i}`;
const knownHostsPath = join(sshd.dir, 'known_hosts_bench');
const [, ...keyParts] = sshd.hostKeyLine.split(' ');
await writeFile(knownHostsPath, Array.from({ length: D }, (_, i) => `[${hostName(i)}]:${sshd.port} ${keyParts.join(' ')}\n`).join(''));
let socketsOpened = 0;
const pool = new SessionPool({
  maxConcurrentHandshakes: 8,
  connectSocket: (_host, port) => {
    socketsOpened += 1;
    return netConnect({ host: sshd.address, port, noDelay: true });
  },
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
pool.setHosts(hostIds.map((id, i) => ({ id, address: hostName(i), port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath })));
// counts forward channels: with undici's keep-alive each deployment should open one, not one per poll
let channelsOpened = 0;
const countingPool: Pick<SessionPool, 'forwardOut'> = {
  forwardOut: (...args) => {
    channelsOpened += 1;
    return pool.forwardOut(...args);
  },
};
const dispatchers = new Map<string, Dispatcher>(
  hostIds.map((id, i) => [
    `d${i}`,
    DIRECT
      ? new UndiciClient(simUrl, { keepAliveTimeout: 60_000, pipelining: GROUPED ? 8 : 1 })
      : createForwardDispatcher(countingPool, id, '127.0.0.1', simPort, { pipelining: GROUPED ? 8 : 1 }),
  ]),
);
const { poller, history, healthBatch } = createPollPipeline({
  dispatcherFor: (id) => dispatchers.get(id)!,
  onEvent,
  wakesPerInterval: WAKES,
  onState: (s) => {
    if (measuring && s.status === 'error') errors += 1;
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

const fetchTimers: NodeJS.Timeout[] = [];
try {
  const t0 = performance.now();
  await Promise.all(hostIds.map((id) => pool.connect(id)));
  const connectMs = performance.now() - t0;
  if (socketsOpened !== D) throw new Error(`expected ${D} SSH connections (one per deployment host), opened ${socketsOpened}`);
  /** one GET as the poller sends it; its latency counts from `started` (the request's own start unless given) */
  const timedGet = async (deployment: PolledDeployment, endpoint: Endpoint, started = performance.now()): Promise<void> => {
    try {
      await fetchEndpoint({
        dispatcher: dispatchers.get(deployment.id)!,
        origin: deployment.url,
        path: ENDPOINT_PATHS[endpoint],
        timeoutMs: deployment.timeoutMs,
        maxBodyBytes: deployment.maxBodyBytes,
      });
      if (measuring) latencies.push(performance.now() - started);
    } catch {
      if (measuring) errors += 1;
    }
  };
  /** `tick` every interval, the first time `offsetMs` from now */
  const every = (offsetMs: number, tick: () => void): void => {
    fetchTimers.push(setTimeout(() => fetchTimers.push(setInterval(tick, INTERVAL_S * 1000)), Math.round(offsetMs)));
  };
  if (FETCH_ONLY && GROUPED) {
    // a deployment's 8 GETs at once, each timed from the group's start
    for (const [i, deployment] of deployments.entries()) {
      every((i / D) * INTERVAL_S * 1000, () => {
        const started = performance.now();
        for (const endpoint of ENDPOINTS) void timedGet(deployment, endpoint, started);
      });
    }
  } else if (FETCH_ONLY && !SPREAD) {
    // the poller's sweep: one timer per deployment, its 8 GETs one after another, started as the poller starts them
    for (const [i, deployment] of deployments.entries()) {
      every(
        START_FRACTIONS[i]! * INTERVAL_S * 1000,
        () =>
          void (async () => {
            for (const endpoint of ENDPOINTS) await timedGet(deployment, endpoint);
          })(),
      );
    }
  } else if (FETCH_ONLY) {
    const total = D * ENDPOINTS.length;
    let k = 0;
    for (const deployment of deployments) {
      for (const endpoint of ENDPOINTS) every((k++ / total) * INTERVAL_S * 1000, () => void timedGet(deployment, endpoint));
    }
  } else if (EVEN) {
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
  const profiler = PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const load0 = loadavg()[0]!;
  const socketsBefore = socketsOpened;
  const channelsBefore = channelsOpened;
  measuring = true;
  const threads0 = threadTicks();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
  await sleep(WINDOW_S * 1000);
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const threads1 = threadTicks();
  const wallMs = performance.now() - wall0;
  measuring = false;
  const load1 = loadavg()[0]!;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(PROFILE!, JSON.stringify(profile));
    profiler.disconnect();
  }
  const [curlDirect, curlSsh] = await curls;
  const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  const expectedPolls = (D * ENDPOINTS.length * wallMs) / 1000 / INTERVAL_S;
  const h = history.stats();
  const polls = latencies.length + errors;
  const row = [
    new Date().toISOString().slice(0, 16).replace('T', ' '),
    `${load0.toFixed(2)} / ${load1.toFixed(2)}`,
    `${socketsOpened} (${socketsOpened - socketsBefore} new in window)`,
    `${channelsOpened - channelsBefore}`,
    `${latencies.length} / ${errors} (~${expectedPolls.toFixed(0)})`,
    `**${cpuPct.toFixed(2)} %** (${(cpu.user / 1000).toFixed(0)} + ${(cpu.system / 1000).toFixed(0)} ms)`,
    `${polls ? ((cpu.user + cpu.system) / 1000 / polls).toFixed(3) : 'n/a'} ms`,
    `${mb(percentile(rss, 50))} / ${mb(Math.max(...rss))} MB`,
    `${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} ms`,
    `${percentile(curlDirect, 50).toFixed(1)} ms`,
    `${percentile(curlSsh, 50).toFixed(1)} / ${percentile(curlSsh, 99).toFixed(1)} ms`,
    `${(percentile(latencies, 50) / percentile(curlSsh, 50)).toFixed(2)}x`,
    `${(events / (wallMs / 1000)).toFixed(1)} (${(updates / (wallMs / 1000)).toFixed(1)} states, ${(serializedBytes / 1024 / (wallMs / 1000)).toFixed(0)} KiB)`,
  ];
  console.log(
    `poll-fleet${EVEN ? ' --even' : ''}${WAKES ? ` --wakes ${WAKES}` : ''}${FETCH_ONLY ? ` --fetch-only (the transport alone: no parse, no poller, no view; ${GROUPED ? 'grouped' : SPREAD ? 'spread' : 'sweeps'})` : ''}${DIRECT ? ' --direct (no SSH: straight to the simulator)' : ''}${GROUPED ? ' --grouped (8 GETs of a deployment at once, pipelined)' : ''}${PROFILE ? ' --profile (CPU inflated by the profiler)' : ''}: ${D} deployments x ${ENDPOINTS.length} endpoints every ${INTERVAL_S} s, window ${(wallMs / 1000).toFixed(0)} s after ${WARMUP_S} s warm-up; ${COMPILED}; SSH connect of all ${D} hosts ${connectMs.toFixed(0)} ms; sweeps start at ${new Set(START_FRACTIONS).size} moments per interval; cipher ${CIPHER ?? "ssh2's default order"}; history ${h.series} series, ${(h.bytes / 1024).toFixed(0)} KiB fixed`,
  );
  const perThread = [...threads1]
    .map(([name, t]) => [name, t - (threads0.get(name) ?? 0)] as const)
    .filter(([, t]) => t > 0)
    .sort((a, b) => b[1] - a[1]);
  if (perThread.length) console.log(`CPU by thread, ms: ${perThread.map(([name, t]) => `${name} ${t * 10}`).join(', ')}`);
  console.log('');
  console.log(
    '| UTC | load 1 min (start / end) | SSH connections | forward channels opened in window | polls ok / errors (expected) | main CPU, % of one core (user + system) | main CPU per poll | main RSS median / max | poll latency median / p99 | curl direct median | curl via `ssh -L` median / p99 | poll / curl-via-ssh (median) | view events/s (states/s, serialised/s) |',
  );
  console.log(`|${' --- |'.repeat(row.length)}`);
  console.log(`| ${row.join(' | ')} |`);
  // only the console as it ships is recorded; the variants are experiments
  if (!EVEN && !WAKES && !FETCH_ONLY && !DIRECT && !GROUPED && !SPREAD && !PROFILE && !CIPHER) {
    const p50 = percentile(latencies, 50);
    const curl50 = percentile(curlSsh, 50);
    recordResult(
      'poll-fleet',
      {
        question: `What does polling ${D} deployments x ${ENDPOINTS.length} endpoints every ${INTERVAL_S} s, each through its own SSH forward, cost the main process in CPU and memory, and how long does a poll take against one round trip?`,
        comparator: 'curl of the same endpoint through an OpenSSH `ssh -L` forward to the same sshd, one a second through the window, same run',
      },
      [
        {
          figure: 'main CPU, % of one core',
          value: `${cpuPct.toFixed(2)} % (${polls ? ((cpu.user + cpu.system) / 1000 / polls).toFixed(3) : 'n/a'} ms per poll)`,
          target: `< 5 %: ${cpuPct < 5 ? 'met' : 'not met'}`,
        },
        {
          figure: 'main RSS median / max',
          value: `${mb(percentile(rss, 50))} / ${mb(Math.max(...rss))} MB`,
          target: `< 200 MB: ${Math.max(...rss) < 200 * 2 ** 20 ? 'met' : 'not met'}`,
        },
        {
          figure: 'poll latency median / p99',
          value: `${p50.toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} ms`,
          against: `curl via \`ssh -L\` ${curl50.toFixed(1)} / ${percentile(curlSsh, 99).toFixed(1)} ms: ${(p50 / curl50).toFixed(2)}x`,
          target: `median within 1.2x of a round trip: ${p50 / curl50 <= 1.2 ? 'met' : 'not met'}`,
        },
        { figure: 'polls ok / errors', value: `${latencies.length} / ${errors} (~${expectedPolls.toFixed(0)} expected)` },
        { figure: 'view events/s', value: `${(events / (wallMs / 1000)).toFixed(1)} (${(updates / (wallMs / 1000)).toFixed(1)} states/s)` },
      ],
    );
  }
} finally {
  for (const timer of fetchTimers) clearTimeout(timer);
  poller.stop();
  healthBatch.dispose();
  await Promise.allSettled([...dispatchers.values()].map((d) => d.close()));
  await pool.close();
  sshForward.kill();
  sim.kill();
  await sshd.stop();
}
