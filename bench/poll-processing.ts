// The console's own cost per poll, with the network taken out: what the poller, the redactor,
// history, the alert rules and the view's batching spend on one answer, measured on real
// answers of the simulator replayed in virtual time.
//
// Why a second bench beside poll-fleet: poll-fleet's figure is the whole process (undici, ssh2,
// the kernel's loopback, the machine's neighbours) and moves by a quarter between hours on this
// VM (docs/benchmarks.md, "How to read the figures"). This one runs no sockets and no real timers: it records
// 60 answers per endpoint from the real simulator, then runs D deployments' sweeps on a virtual
// clock as fast as the CPU allows, each GET answered from the recording by an in-process undici
// Dispatcher. Its figure (CPU microseconds per poll) is the part of poll-fleet's that the
// console's code decides, and it is steady enough to compare two builds in one sitting.
//   node bench/run.mjs poll-processing [--deployments 50] [--minutes 3] [--warmup 5] [--rounds 7] [--evict-mib 16]
import { serialize } from 'node:v8';
import type { Dispatcher } from 'undici';
import type { DeploymentId } from '../common/contract';
import { ENDPOINT_PATHS, ENDPOINTS, type Endpoint } from '../common/health';
import type { Clock, Timers } from '../main/core/clock';
import type { PolledDeployment } from '../main/core/health/HealthPoller';
import { createPollPipeline, numberArg, percentile, recordResult, startSimulator } from './support';

const D = numberArg('deployments', 50);
const MINUTES = numberArg('minutes', 3);
const WARMUP_MINUTES = numberArg('warmup', 5);
const ROUNDS = numberArg('rounds', 7);
const SAMPLES = 60;
const INTERVAL_MS = 5000;

// ---- record real answers --------------------------------------------------------------------
const sim = await startSimulator();
const simUrl = sim.url;
const recorded = new Map<string, Buffer[]>();
try {
  for (let i = 0; i < SAMPLES; i++) {
    for (const endpoint of ENDPOINTS) {
      const path = ENDPOINT_PATHS[endpoint];
      const response = await fetch(`${simUrl}${path}`);
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      const list = recorded.get(path) ?? [];
      list.push(Buffer.from(await response.arrayBuffer()));
      recorded.set(path, list);
    }
    // the simulator's numbers move with time: space the samples so successive answers differ as polls' do
    await new Promise((r) => setTimeout(r, 100));
  }
} finally {
  sim.process.kill();
}

/** Answers each GET with the next recorded body of its path, on the next microtask: no socket. */
class ReplayDispatcher {
  private readonly next = new Map<string, number>();
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const bodies = recorded.get(options.path)!;
    const index = this.next.get(options.path) ?? 0;
    this.next.set(options.path, (index + 1) % bodies.length);
    const body = bodies[index]!;
    const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null } as unknown as Dispatcher.DispatchController;
    queueMicrotask(() => {
      handler.onRequestStart?.(controller, {});
      handler.onResponseStart?.(controller, 200, { 'content-type': 'application/json', 'content-length': String(body.length) }, 'OK');
      handler.onResponseData?.(controller, body);
      handler.onResponseEnd?.(controller, {});
    });
    return true;
  }
}

// ---- a virtual clock: timers fire in order of due time, as fast as the CPU goes --------------
let now = Date.parse('2026-11-26T00:00:00Z');
let seq = 0;
const due = new Map<number, { at: number; callback: () => void }>();
const clock: Clock = { now: () => now };
const timers: Timers = {
  setTimeout: (callback, ms) => {
    seq += 1;
    due.set(seq, { at: now + Math.max(0, ms), callback });
    return seq;
  },
  clearTimeout: (handle) => {
    due.delete(handle as number);
  },
};
/**
 * --evict-mib N: after each virtual instant, write one byte per 64 of an N MiB buffer, so the
 * next sweep finds the CPU's caches full of other data, as it does in the real process, where
 * undici, ssh2 and the kernel run between two polls. Its own CPU is measured and taken out.
 */
const evict = new Uint8Array(numberArg('evict-mib', 0) * 1024 * 1024);
let evictUs = 0;
function evictCaches(): void {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < evict.length; i += 64) evict[i]! += 1;
  const cpu = process.cpuUsage(cpu0);
  evictUs += cpu.user + cpu.system;
}
/** Fire everything due up to `until`, a virtual instant at a time, letting each settle. */
async function runUntil(until: number): Promise<void> {
  for (;;) {
    let earliest = Infinity;
    for (const t of due.values()) if (t.at < earliest) earliest = t.at;
    if (earliest > until) break;
    now = earliest;
    for (const [id, t] of [...due]) {
      if (t.at !== earliest) continue;
      due.delete(id);
      t.callback();
    }
    await new Promise((r) => setImmediate(r));
    if (evict.length) evictCaches();
  }
  now = until;
}

// ---- the pipeline as app.ts wires it ------------------------------------------------------
let polls = 0;
let serializedBytes = 0;
const dispatchers = new Map<string, ReplayDispatcher>();
const { poller, healthBatch } = createPollPipeline({
  dispatcherFor: (id) => dispatchers.get(id)! as unknown as Dispatcher,
  // the view pays a structured clone of every event, as Electron's webContents.send does
  onEvent: (_name, payload) => {
    serializedBytes += serialize(payload).length;
  },
  onState: () => {
    polls += 1;
  },
  clock,
  timers,
});
const deployments: PolledDeployment[] = Array.from({ length: D }, (_, i) => {
  dispatchers.set(`d${i}`, new ReplayDispatcher());
  return {
    id: `d${i}` as DeploymentId,
    url: 'http://127.0.0.1:8080',
    intervalsMs: Object.fromEntries(ENDPOINTS.map((e) => [e, INTERVAL_MS])) as Record<Endpoint, number>,
    timeoutMs: 4000,
    maxBodyBytes: 1024 * 1024,
    maxBackoffMs: 60_000,
  };
});

poller.start(deployments);
await runUntil(now + WARMUP_MINUTES * 60_000);
const perPoll: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const polls0 = polls;
  const evicted0 = evictUs;
  const cpu0 = process.cpuUsage();
  await runUntil(now + MINUTES * 60_000);
  const cpu = process.cpuUsage(cpu0);
  perPoll.push((cpu.user + cpu.system - (evictUs - evicted0)) / (polls - polls0));
}
poller.stop();
healthBatch.dispose();
const median = percentile(perPoll, 50);
const expected = D * ENDPOINTS.length * ((MINUTES * 60_000) / INTERVAL_MS);
console.log(
  `poll-processing: ${D} deployments x ${ENDPOINTS.length} endpoints every ${INTERVAL_MS / 1000} s in virtual time, ${ROUNDS} rounds of ${MINUTES} virtual min (~${expected} polls each) after ${WARMUP_MINUTES} min warm-up${evict.length ? `, caches evicted (${evict.length / 1024 / 1024} MiB) after each instant` : ''}; answers: ${SAMPLES} recorded per endpoint from the simulator; view got ${(serializedBytes / 1024 / 1024).toFixed(1)} MiB serialised`,
);
console.log(`CPU per poll, µs, each round: ${perPoll.map((v) => v.toFixed(1)).join(', ')}`);
const pollsPerSecond = (D * ENDPOINTS.length) / (INTERVAL_MS / 1000);
console.log(
  `median ${median.toFixed(1)} µs per poll = ${((median * pollsPerSecond) / 10_000).toFixed(2)} % of one core at ${pollsPerSecond} polls/s (${D} deployments x ${ENDPOINTS.length} endpoints every ${INTERVAL_MS / 1000} s)`,
);
// the warm-cache figure is the one recorded; --evict-mib is the experiment beside it
if (!evict.length) {
  recordResult(
    'poll-processing',
    {
      question: "What does the console's own code (poller, redactor, history, alert rules, the view's batching) spend on one poll, with the network taken out?",
      comparator: 'none built in: another build, run alternately in the same sitting (the figure is steady enough for that; poll-fleet is not)',
    },
    [
      {
        figure: `CPU per poll, median of ${ROUNDS} rounds`,
        value: `${median.toFixed(1)} µs`,
        against: `rounds: ${perPoll.map((v) => v.toFixed(1)).join(', ')} µs`,
      },
      { figure: `share of one core at ${pollsPerSecond} polls/s`, value: `${((median * pollsPerSecond) / 10_000).toFixed(2)} %` },
    ],
  );
}
