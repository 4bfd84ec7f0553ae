// A journal follow's figures on a real host (systemd-nspawn, testbed/fleet.ts), in one run:
//   1. lines per second from the host's journal to the view: a follow started on a unit whose
//      journal already holds --lines entries, through the SSH pool, the journal formatter,
//      redaction, the batcher and its back-pressure, to the view's output events (counted, not
//      drawn); against OpenSSH running the same `journalctl -f -o json` with its output read by
//      this process, lines counted as they come. Both are timed from the first line to the last,
//      so connecting is not in the figure.
//   2. to the page: a log follow through the browser shell in headless Chromium, a burst of
//      --page-lines lines appended to the followed file at once; lines per second into the page
//      and the page's frame times meanwhile (bench/parts/followPage.ts), against OpenSSH `cat` of the
//      same file.
//   3. lossless resume: a unit logging a numbered line 200 times a second, followed through a
//      delay proxy that resets the connection --resets times and goes silent (both ways, new
//      connections included) --outages times for --outage seconds each, spread among the resets;
//      then every number the view got is counted: lost, shown twice, out of order.
// Run as root on the test machine (out/ built: npx electron-vite build):
//   node bench/run.mjs follow-lossless [--lines 30000] [--page-lines 50000] [--resets 20]
//   [--outages 2] [--outage 60] [--rounds 3: rounds of 1 and 2, alternating which side goes first]
//   [--parts journal,page,resume: which parts to run; a record needs all three]
//   OPSDECK_FOLLOW_PROFILE=1: the page's CPU profile per burst, heaviest functions printed (not recorded)
//   OPSDECK_FOLLOW_TRACE=DIR: a Chromium performance trace per burst in DIR, main-thread CPU time summed (not recorded)
//   OPSDECK_FOLLOW_ACCESSIBILITY=1: the page's accessibility tree kept up, as with a screen reader on (not recorded)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { HostId } from '../common/contract';
import { ActionService } from '../main/core/actions/ActionService';
import { DEFAULT_LIMITS } from '../main/core/actions/actionLimits';
import { parseCatalog } from '../main/core/actions/Catalog';
import { AuditLog } from '../main/core/audit/AuditLog';
import { systemClock, systemTimers } from '../main/core/clock';
import { Redactor } from '../main/core/redact/Redactor';
import { SessionPool } from '../main/core/ssh/SessionPool';
import { startDelayProxy } from '../testbed/delay-proxy';
import { startFleet } from '../testbed/fleet';
import { startFollowPage, type PageRound } from './parts/followPage';
import { recordResult } from './support';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '30000' },
    'page-lines': { type: 'string', default: '50000' },
    resets: { type: 'string', default: '20' },
    outages: { type: 'string', default: '2' },
    outage: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
    parts: { type: 'string', default: 'journal,page,resume' },
  },
});
const PARTS = new Set(values.parts.split(','));
const PAGE_LINES = Number(values['page-lines']);
const OUTAGES = Number(values.outages);
const LINES = Number(values.lines);
const RESETS = Number(values.resets);
const OUTAGE_S = Number(values.outage);
const ROUNDS = Number(values.rounds);
const RATE = 200;

// the catalog's journal.follow on any unit, from the journal's start (the bundled one takes the
// autotrader units and at most 1000 lines first)
const CATALOG = parseCatalog(
  `version: 1
actions:
  - id: bench.follow
    title: Follow a unit's journal from its start
    section: data-freshness
    risk: read-only
    streams: true
    params: [{ name: unit, label: Unit, kind: string, pattern: "opsdeck-[a-z0-9-]{1,40}" }]
    command: [journalctl, -u, "{unit}", -f, -n, all, --no-pager, -o, json]
    resume: journal-cursor
    resumeCommand: [journalctl, -u, "{unit}", -f, --no-pager, -o, json, "--after-cursor={cursor}"]
    timeoutSeconds: 0
`,
  'follow bench',
);
const SEQ_SCRIPT = [
  'import time',
  't = time.monotonic()',
  'i = 0',
  'while True:',
  '    i += 1',
  '    print(f"seq {i}", flush=True)',
  `    t += ${1 / RATE}`,
  '    d = t - time.monotonic()',
  '    if d > 0: time.sleep(d)',
].join('\n');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const fleet = await startFleet({ name: `flb${process.pid % 100000}`, hosts: 1 });
const host = fleet.hosts[0]!;
const H = host.name as HostId;
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-follow-bench-'));
const link = await startDelayProxy({ target: { host: host.address, port: host.sshPort }, delayMs: 1 });
const knownHosts = join(dir, 'known_hosts');
writeFileSync(knownHosts, `${host.hostKeyLine}\n${host.hostKeyLine.replace(/^\S+/, `[127.0.0.1]:${link.port}`)}\n`);
const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
const proxied = `${H}-via-proxy` as HostId;
pool.setHosts([
  { id: H, address: host.address, port: host.sshPort, user: 'root', privateKeyPath: fleet.privateKeyPath, knownHostsPath: knownHosts },
  { id: proxied, address: '127.0.0.1', port: link.port, user: 'root', privateKeyPath: fleet.privateKeyPath, knownHostsPath: knownHosts },
]);
const audit = new AuditLog({ path: join(dir, 'audit.jsonl'), clock: systemClock, redactor: new Redactor() });
let onOutput: (text: string) => void = () => {};
const svc = new ActionService({
  catalog: CATALOG,
  executor: pool,
  audit,
  redactor: new Redactor(),
  hostLookup: (id) => ({ id, label: id }),
  user: 'bench',
  clock: systemClock,
  timers: systemTimers,
  randomBytes,
  emitOutput: (p) => {
    for (const c of p.chunks) if (c.stream === 'stdout') onOutput(c.text);
  },
  emitStatus: () => {},
  limits: { resumeDelayMs: 200, resumeMaxDelayMs: 2000, maxResumes: 40 },
});

/** Starts a follow of `unit`; every numbered line the view gets goes to onLine, with when it came. */
function follow(unit: string, hostId: HostId, onLine: (n: number, at: number) => void): { stop(): Promise<void> } {
  onOutput = (text) => {
    const at = performance.now();
    for (const m of text.matchAll(/: (?:bench|seq) (\d+)$/gm)) onLine(Number(m[1]), at);
  };
  const { runId } = svc.run({ token: svc.preview({ actionId: 'bench.follow', params: { unit }, hostIds: [hostId] }).token });
  return {
    async stop() {
      svc.cancel(runId);
      await svc.settled(runId);
    },
  };
}

async function journalPart() {
  // 1. throughput: a journal that already holds LINES entries of the unit
  const gen = `opsdeck-gen-${process.pid}`;
  const made = await fleet.exec(
    host.name,
    ['systemd-run', '--wait', '-p', 'LogRateLimitIntervalSec=0', `--unit=${gen}`, 'seq', '-f', 'bench %.0f', '1', String(LINES)],
    { timeoutMs: 120_000 },
  );
  if (made.code !== 0) throw new Error(`generating the journal: ${made.stderr}`);
  // the host's journal may keep less than was written (its size limits): count what it holds
  let held = -1;
  for (let before = -2; held !== before; await sleep(500)) {
    before = held;
    held = Number((await fleet.exec(host.name, `journalctl -u ${gen} -o cat --no-pager | grep -c '^bench '`)).stdout.trim());
  }
  if (held < LINES) process.stdout.write(`the host's journal keeps ${fmt(held)} of the ${fmt(LINES)} lines written: measuring those\n`);
  const COUNT = held;
  await pool.exec(H, 'true');

  const viaOpsdeck = () =>
    new Promise<{ first: number; last: number; count: number; inOrder: boolean }>((resolve) => {
      let first = 0;
      let count = 0;
      let expected = 0;
      let inOrder = true;
      const run = follow(gen, H, (n, at) => {
        if (count === 0) first = at;
        else if (n !== expected) inOrder = false;
        expected = n + 1;
        if (++count === COUNT) void run.stop().then(() => resolve({ first, last: at, count, inOrder }));
      });
    });
  const viaOpenSsh = () =>
    new Promise<{ first: number; last: number; count: number }>((resolve, reject) => {
      const child = spawn('ssh', [...fleet.sshArgs(host.name), `journalctl -u ${gen} -f -n all --no-pager -o json`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let first = 0;
      let count = 0;
      let done = false;
      child.stdout.on('data', (chunk: Buffer) => {
        if (done) return;
        const at = performance.now();
        if (!first) first = at;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
        // the unit's own start and stop messages from systemd are in its journal too
        if (count >= COUNT + 2) {
          done = true;
          child.kill();
          resolve({ first, last: at, count });
        }
      });
      child.once('exit', (code) => !done && reject(new Error(`ssh exited ${code} after ${count} lines`)));
    });
  // alternating, so a change in the shared machine's load does not favour one side
  const opsRates: number[] = [];
  const sshRates: number[] = [];
  let inOrder = true;
  const rate = (r: { first: number; last: number; count: number }) => (r.count - 1) / ((r.last - r.first) / 1000);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? ['opsdeck', 'openssh'] : ['openssh', 'opsdeck'];
    for (const side of order) {
      if (side === 'opsdeck') {
        const r = await viaOpsdeck();
        inOrder &&= r.inOrder;
        opsRates.push(rate(r));
      } else sshRates.push(rate(await viaOpenSsh()));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const opsRate = median(opsRates);
  const sshRate = median(sshRates);
  process.stdout.write(
    `journal to the view, ${fmt(COUNT)} journal lines, ${ROUNDS} rounds: Opsdeck ${opsRates.map(fmt).join(', ')} lines/s to the view (in order: ${inOrder}); OpenSSH journalctl -f ${sshRates.map(fmt).join(', ')} lines/s\n`,
  );

  return { COUNT, opsRate, sshRate, opsRates, sshRates, inOrder };
}

async function pagePart() {
  const page = await startFollowPage(fleet, dir);
  try {
    const rounds: PageRound[] = [];
    const ssh: number[] = [];
    // a warm-up burst: the page's first batches and the follow's first reads
    await page.burst(2000);
    for (let round = 0; round < ROUNDS; round++) {
      rounds.push(await page.burst(PAGE_LINES));
      ssh.push(await page.openSsh(PAGE_LINES));
    }
    const worst = {
      p50: Math.max(...rounds.map((r) => r.frames.p50)),
      p99: Math.max(...rounds.map((r) => r.frames.p99)),
      max: Math.max(...rounds.map((r) => r.frames.max)),
    };
    const rate = [...rounds.map((r) => r.linesPerSecond)].sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
    const sshRate = [...ssh].sort((a, b) => a - b)[Math.floor(ssh.length / 2)]!;
    process.stdout.write(
      `file to the page in Chromium, ${fmt(PAGE_LINES)} lines a burst, ${ROUNDS} rounds: Opsdeck ${rounds.map((r) => fmt(r.linesPerSecond)).join(', ')} lines/s; frames p50/p99/max ${rounds.map((r) => `${r.frames.p50.toFixed(1)}/${r.frames.p99.toFixed(1)}/${r.frames.max.toFixed(1)} ms (${r.frames.count} frames, ${r.longTasks} long tasks)`).join('; ')}; OpenSSH cat ${ssh.map(fmt).join(', ')} lines/s\n`,
    );
    return { rate, sshRate, rounds, ssh, worst };
  } finally {
    await page.stop();
  }
}
async function resumePart() {
  // 3. lossless resume at 200 lines/s through resets and a silent outage
  const seqUnit = `opsdeck-seq-${process.pid}`;
  const started = await fleet.exec(host.name, ['systemd-run', `--unit=${seqUnit}`, 'python3', '-u', '-c', SEQ_SCRIPT]);
  if (started.code !== 0) throw new Error(`starting the numbered unit: ${started.stderr}`);
  const seen: number[] = [];
  const run = follow(seqUnit, proxied, (n) => seen.push(n));
  while (seen.length < 400) await sleep(100);
  // the outages spread among the resets: after reset RESETS/(OUTAGES+1), 2*RESETS/(OUTAGES+1), …
  const outageAfter = new Set(Array.from({ length: OUTAGES }, (_, k) => Math.round(((k + 1) * RESETS) / (OUTAGES + 1))));
  for (let i = 0; i < RESETS; i++) {
    if (outageAfter.has(i)) {
      link.cut();
      await sleep(OUTAGE_S * 1000);
      link.heal();
      await sleep(4000);
    }
    link.dropConnections();
    await sleep(2500);
  }
  const stopped = await fleet.exec(host.name, `systemctl stop ${seqUnit} && journalctl -u ${seqUnit} -o cat --no-pager | grep '^seq ' | tail -n 1`);
  const last = Number(/^seq (\d+)$/m.exec(stopped.stdout)?.[1] ?? NaN);
  const deadline = Date.now() + 60_000;
  while (seen.at(-1) !== last && Date.now() < deadline) await sleep(100);
  await run.stop();
  const unique = new Set(seen);
  const lost = last - unique.size;
  const twice = seen.length - unique.size;
  const outOfOrder = seen.filter((n, i) => i > 0 && n <= seen[i - 1]!).length;
  process.stdout.write(
    `lossless resume: ${fmt(last)} lines at ${RATE}/s, ${RESETS} resets and ${OUTAGES} silent outages of ${OUTAGE_S} s: ${lost} lost, ${twice} shown twice, ${outOfOrder} out of order\n`,
  );

  return { last, lost, twice, outOfOrder };
}
try {
  const journal = PARTS.has('journal') ? await journalPart() : null;
  const page = PARTS.has('page') ? await pagePart() : null;
  const resume = PARTS.has('resume') ? await resumePart() : null;
  process.stdout.write(
    `load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}\n`,
  );
  // a profiled, traced or accessibility run is a variant: its figures carry that cost
  if (journal && page && resume && !process.env.OPSDECK_FOLLOW_PROFILE && !process.env.OPSDECK_FOLLOW_TRACE && !process.env.OPSDECK_FOLLOW_ACCESSIBILITY) {
    const { COUNT, opsRate, sshRate, opsRates, sshRates, inOrder } = journal;
    const { last, lost, twice, outOfOrder } = resume;
    const framesMet = page.worst.p99 < 50;
    recordResult(
      'follow-lossless',
      {
        question:
          "How fast does a journal follow bring lines from a host to the view, what do the page's frames cost meanwhile, and does a follow lose or repeat any line across dropped connections and silent outages?",
        comparator:
          'OpenSSH in the same run on the same host: the same journalctl -f -o json, and cat of the followed file, its output read and its lines counted',
      },
      [
        {
          figure: `journal lines from host to view, ${fmt(COUNT)} lines (first line to last, median of ${ROUNDS})`,
          value: `${fmt(opsRate)} lines/s`,
          against: `${(opsRate / sshRate).toFixed(2)}x OpenSSH (${fmt(sshRate)} lines/s)`,
          target: `>= 20,000 lines/s: ${opsRate >= 20_000 && inOrder ? 'met' : 'not met'}`,
        },
        {
          figure: `log lines from host into the page in Chromium, ${fmt(PAGE_LINES)} appended at once (first line to last, median of ${ROUNDS})`,
          value: `${fmt(page.rate)} lines/s`,
          against: `${(page.rate / page.sshRate).toFixed(2)}x OpenSSH cat (${fmt(page.sshRate)} lines/s)`,
          target: `>= 20,000 lines/s: ${page.rate >= 20_000 ? 'met' : 'not met'}`,
        },
        {
          figure: 'frame time in the page while those lines stream (requestAnimationFrame deltas; worst round)',
          value: `p50 ${page.worst.p50.toFixed(1)} ms, p99 ${page.worst.p99.toFixed(1)} ms, max ${page.worst.max.toFixed(1)} ms`,
          target: `under 50 ms (p99): ${framesMet ? 'met' : 'not met'}`,
        },
        {
          figure: `follow at ${RATE} lines/s across ${RESETS} connection resets and ${OUTAGES} silent outages of ${OUTAGE_S} s (${fmt(last)} lines)`,
          value: `${lost} lost, ${twice} shown twice, ${outOfOrder} out of order`,
          target: `0 lost, 0 twice: ${lost === 0 && twice === 0 && outOfOrder === 0 ? 'met' : 'not met'}`,
        },
      ],
      [
        `Each round, lines/s: Opsdeck ${opsRates.map(fmt).join(', ')}; OpenSSH ${sshRates.map(fmt).join(', ')}. Both read the same host's journalctl -o json.`,
        `Into the page, each round: ${page.rounds.map((r) => `${fmt(r.linesPerSecond)} lines/s, frames p50/p99/max ${r.frames.p50.toFixed(1)}/${r.frames.p99.toFixed(1)}/${r.frames.max.toFixed(1)} ms, ${r.longTasks} long tasks`).join('; ')}; OpenSSH cat ${page.ssh.map(fmt).join(', ')} lines/s.`,
        `A batch to the view holds at most ${DEFAULT_LIMITS.maxBufferedLines} lines per 100 ms interval; a follow's channel is not read while more are held.`,
      ],
    );
  }
} finally {
  await pool.close();
  await link.stop();
  await fleet.stop();
}
