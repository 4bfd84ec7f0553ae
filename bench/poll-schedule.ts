// What a poll costs by how it is scheduled and which HTTP client sends it: 50 deployments x 8
// endpoints every 5 s (80 GETs a second) straight to the simulator, no SSH, nothing done with
// the bodies. Each case runs in its own process (its own JIT warm-up) and reports that
// process's CPU (user + system) over a steady window, and the GETs' latency.
//
// Schedules:
//   spread   every GET on its own timer, spread evenly (the poller before sweeps)
//   parallel a deployment's 8 GETs at once, each on its own keep-alive connection
//   sweep    a deployment's 8 GETs one after another on one connection (the poller now)
// Clients:
//   none     no request at all: only the timers and promises (what waking up costs)
//   raw      a bare socket and a minimal HTTP/1.1 reader (a floor, not something to ship)
//   undici   undici's Client.request, as the poller's forward dispatcher is
//   http     node:http with a keep-alive Agent
//
//   npx tsx bench/poll-schedule.ts [--warmup 20] [--seconds 20]
import { spawnSync } from 'node:child_process';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { Client } from 'undici';
import { ENDPOINT_PATHS, ENDPOINTS } from '../common/health';
import { numberArg, percentile, recordResult, startSimulator } from './support';
import type { BenchFigure } from '../scripts/benchResults';

const SCHEDULES = ['spread', 'parallel', 'sweep'] as const;
const CLIENTS = ['none', 'raw', 'undici', 'http'] as const;
type Schedule = (typeof SCHEDULES)[number];
type ClientKind = (typeof CLIENTS)[number];
const DEPLOYMENTS = 50;
const INTERVAL_MS = 5_000;
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1]! : fallback;
};
const WARMUP_S = numberArg('warmup', 20);
const WINDOW_S = numberArg('seconds', 20);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Get = (path: string) => Promise<void>;

/** One keep-alive connection and the least HTTP/1.1 that reads a content-length answer. */
function rawGetter(port: number): Get {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const length = Number(/content-length: *(\d+)/i.exec(buffered.subarray(0, end).toString('latin1'))?.[1] ?? 0);
    if (buffered.length - end - 4 < length) return;
    buffered = Buffer.alloc(0);
    const done = waiting;
    waiting = null;
    done?.();
  });
  return (path) =>
    new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write(`GET ${path} HTTP/1.1\r\nhost: sim\r\naccept: application/json\r\n\r\n`);
    });
}

function getter(kind: ClientKind, url: string): Get {
  const port = Number(new URL(url).port);
  switch (kind) {
    case 'none':
      return async () => {};
    case 'raw':
      return rawGetter(port);
    case 'undici': {
      const client = new Client(url, { keepAliveTimeout: 60_000 });
      return (path) => client.request({ path, method: 'GET', headers: { accept: 'application/json' } }).then((res) => res.body.text().then(() => undefined));
    }
    case 'http': {
      const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
      return (path) =>
        new Promise<void>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { accept: 'application/json' } }, (res) => {
            res.on('data', () => {});
            res.on('end', () => resolve());
          });
          req.on('error', reject);
          req.end();
        });
    }
  }
}

async function runCase(schedule: Schedule, kind: ClientKind): Promise<void> {
  const { url, process: sim } = await startSimulator();
  const paths = ENDPOINTS.map((e) => ENDPOINT_PATHS[e]);
  let latencies: number[] = [];
  const timed = async (get: Get, path: string) => {
    const started = performance.now();
    await get(path);
    latencies.push(performance.now() - started);
  };
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const offset = (d / DEPLOYMENTS) * INTERVAL_MS;
    if (schedule === 'spread') {
      const get = getter(kind, url);
      paths.forEach((path, k) =>
        setTimeout(() => setInterval(() => void timed(get, path), INTERVAL_MS), offset + (k / paths.length) * (INTERVAL_MS / DEPLOYMENTS)),
      );
    } else if (schedule === 'parallel') {
      const gets = paths.map(() => getter(kind, url));
      setTimeout(() => setInterval(() => paths.forEach((path, k) => void timed(gets[k]!, path)), INTERVAL_MS), offset);
    } else {
      const get = getter(kind, url);
      setTimeout(
        () =>
          setInterval(
            () =>
              void (async () => {
                for (const path of paths) await timed(get, path);
              })(),
            INTERVAL_MS,
          ),
        offset,
      );
    }
  }
  await sleep(WARMUP_S * 1000);
  latencies = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(WINDOW_S * 1000);
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    JSON.stringify({
      schedule,
      kind,
      cpuPct: (cpuMs / ms) * 100,
      perGetMs: cpuMs / latencies.length,
      gets: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    }),
  );
  sim.kill();
  process.exit(0);
}

if (process.argv.includes('--case')) {
  const [schedule, kind] = arg('case', 'sweep/undici').split('/') as [Schedule, ClientKind];
  await runCase(schedule, kind);
} else {
  const load0 = loadavg()[0]!;
  const rows: string[] = [];
  const figures: BenchFigure[] = [];
  for (const kind of CLIENTS) {
    for (const schedule of SCHEDULES) {
      const out = spawnSync(
        process.execPath,
        [...process.execArgv, process.argv[1]!, '--case', `${schedule}/${kind}`, '--warmup', String(WARMUP_S), '--seconds', String(WINDOW_S)],
        { encoding: 'utf8' },
      );
      const line = out.stdout.trim().split('\n').at(-1) ?? '';
      if (!line.startsWith('{')) throw new Error(`case ${schedule}/${kind} failed: ${out.stderr}`);
      const r = JSON.parse(line) as { cpuPct: number; perGetMs: number; gets: number; p50: number; p99: number };
      // a deployment's first GETs go out one interval after its offset: a short run can see none
      if (r.gets === 0)
        throw new Error(`case ${schedule}/${kind} sent no GET in its window: give --warmup plus --seconds well over the ${INTERVAL_MS / 1000} s interval`);
      rows.push(
        `| ${kind} | ${schedule} | ${r.cpuPct.toFixed(2)} % | ${r.perGetMs.toFixed(3)} ms | ${kind === 'none' ? '' : `${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} ms`} |`,
      );
      console.error(rows.at(-1));
      figures.push({
        figure: `${kind}, ${schedule}`,
        value: `${r.cpuPct.toFixed(2)} % of one core, ${r.perGetMs.toFixed(3)} ms per GET`,
        against: kind === 'none' ? undefined : `latency ${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} ms`,
      });
    }
  }
  console.log(
    `poll-schedule: ${DEPLOYMENTS} x ${ENDPOINTS.length} GETs every ${INTERVAL_MS / 1000} s straight to the simulator; warm-up ${WARMUP_S} s, window ${WINDOW_S} s per case; load ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log('');
  console.log('| client | schedule | CPU, % of one core | CPU per GET | latency median / p99 |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  recordResult(
    'poll-schedule',
    {
      question: `What does a poll cost by how it is scheduled (spread, parallel, sweep) and which HTTP client sends it, with no SSH and nothing done with the bodies?`,
      comparator: 'each schedule and client against the others, each case in its own process in the same run; "none" sends nothing (the cost of waking up)',
    },
    figures,
  );
}
