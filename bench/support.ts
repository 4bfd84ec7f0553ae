// What several benches need: numeric options, percentiles, the simulator in its own process,
// the console's polling pipeline wired as app.ts wires it, and the results file each writes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import type { DeploymentId, EndpointState } from '../common/contract';
import { DEFAULT_ALERTS_SETTINGS } from '../main/core/alerts/alertRules';
import { AlertEngine } from '../main/core/alerts/AlertEngine';
import { EventHub } from '../main/core/bridge/EventHub';
import { systemClock, systemTimers, type Clock, type Timers } from '../main/core/clock';
import { KeyedBatcher } from '../main/core/events/EventBatcher';
import { HealthPoller } from '../main/core/health/HealthPoller';
import { HistoryStore } from '../main/core/health/history/HistoryStore';
import { Redactor } from '../main/core/redact/Redactor';
import { BenchResultSchema, RESULTS_DIR, type BenchFigure } from '../scripts/benchResults';
import { ensureSimBundle } from '../testbed/fleet';

/** bench/run.mjs runs a bundle (.mjs) compiled as the app ships; tsx runs the .ts with keepNames. */
const COMPILED_AS_SHIPPED = process.argv[1]?.endsWith('.mjs') ?? false;

/** How this run was compiled: figures compare only between runs compiled the same way. */
export const COMPILED = COMPILED_AS_SHIPPED ? 'compiled as shipped (bench/run.mjs)' : 'compiled by tsx (keepNames: CPU reads high)';

/** The command that runs bench `name` with `args` the way this run was compiled, for a report to quote. */
export function benchCommand(name: string, args: string): string {
  return COMPILED_AS_SHIPPED ? `node bench/run.mjs ${name} ${args}` : `npx tsx bench/${name}.ts ${args}`;
}

const loadAtStart = loadavg();

/** What a bench is for, as docs/benchmarks.md states it beside the figures. */
export interface BenchAbout {
  readonly question: string;
  /** what the figures are measured against in the same run */
  readonly comparator: string;
}

/** The commit this tree is at, with `-dirty` when tracked files differ from it; null outside git. */
function currentCommit(): string | null {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: join(RESULTS_DIR, '..', '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '-dirty' : ''}`;
  } catch {
    return null;
  }
}

/**
 * Writes bench/results/NAME.json: the figures of this run with its command, commit, date and
 * machine. `npm run docs:bench` puts them in docs/benchmarks.md. Variant runs (a profile, a
 * floor, a part alone) pass nothing here: the file holds the figures to quote.
 */
export function recordResult(name: string, about: BenchAbout, figures: BenchFigure[], notes?: string[]): void {
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const cpu = cpus();
  const result = BenchResultSchema.parse({
    bench: name,
    question: about.question,
    command: benchCommand(name, process.argv.slice(2).join(' ')).trim(),
    comparator: about.comparator,
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    commit: currentCommit(),
    machine: `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${osType()} ${release()}, Node ${process.version}; load ${fmtLoad(loadAtStart)} at the start, ${fmtLoad(loadavg())} at the end`,
    compiled: COMPILED,
    figures,
    notes,
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nrecorded in bench/results/${name}.json; \`npm run docs:bench\` puts it in docs/benchmarks.md\n`);
}

/** `--name N` from the command line, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

/** The p-th percentile (nearest rank) of xs; NaN when there are none. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
}

/**
 * The simulator bundle on a free loopback port, in its own process so its CPU is not billed to
 * the bench. Resolves with its base URL once it says where it listens; rejects if it exits first.
 */
export async function startSimulator(): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [await ensureSimBundle(), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // kept for the error until it is up; after that its output is read (so it never blocks) and dropped
  let log: string | null = '';
  child.stderr!.on('data', (c) => {
    if (log !== null) log += c;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      if (log === null) return;
      log += c;
      const m = /^(http:\/\/127\.0\.0\.1:\d+)\/?$/m.exec(log);
      if (m) {
        log = null;
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${log}`)));
  });
  return { url, process: child };
}

export interface PollPipelineOptions {
  readonly dispatcherFor: (deploymentId: DeploymentId) => Dispatcher;
  /** every event the view would get, as the EventHub emits it */
  readonly onEvent: (name: string, payload: unknown) => void;
  /** every state the poller pushes, before batching */
  readonly onState?: (state: EndpointState) => void;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** the poller's wakesPerInterval (its default unless given) */
  readonly wakesPerInterval?: number;
}

/**
 * The console's polling pipeline as app.ts wires it: HealthPoller with the Redactor -> history
 * and alert rules on every poll -> KeyedBatcher (250 ms) -> EventHub. Both poll benches build it
 * here, so they measure the same thing.
 */
export function createPollPipeline(options: PollPipelineOptions): { poller: HealthPoller; history: HistoryStore; healthBatch: KeyedBatcher<EndpointState> } {
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const hub = new EventHub();
  hub.subscribe(options.onEvent);
  const healthBatch = new KeyedBatcher<EndpointState>(
    (s) => `${s.deploymentId}/${s.endpoint}`,
    (u) => hub.emit('onHealth', { updates: u }),
    250,
    timers,
  );
  const history = new HistoryStore();
  const redactor = new Redactor();
  const alerts = new AlertEngine({ settings: DEFAULT_ALERTS_SETTINGS, clock, onChange: () => {}, onNotify: (n) => hub.emit('onAlertNotification', n) });
  const poller = new HealthPoller({
    dispatcherFor: options.dispatcherFor,
    onUpdate: (s) => {
      options.onState?.(s);
      healthBatch.push(s);
    },
    redact: (text) => redactor.redact(text),
    onPolled: (_d, _e, s) => {
      history.record(s);
      alerts.evaluate(s);
    },
    clock,
    timers,
    wakesPerInterval: options.wakesPerInterval,
  });
  return { poller, history, healthBatch };
}
