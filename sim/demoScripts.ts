// What a demo host answers for the catalog's scripts (resources/actions.yaml) and for the few
// file tools the catalog's argv actions call (tail, logrotate, the log follower). A script is
// recognised by its name ($0: the action id) *and* its exact text, handed over by the console
// (main/demo/demoFleet.ts), and then emulated against the host model and its deployment's
// simulator: never interpreted as shell, and nothing runs on the user's machine. Each emulation
// prints what the real script prints on a real host, so the console shows the same thing.
// One file, a table of the catalog's scripts: each emulation is short, and keeping them together
// beside the catalog's order makes a missing one plain to see.
import type { Endpoint } from '../common/health';
import { ENDPOINT_PATHS } from '../common/health';
import type { Clock } from './clock';
import { notEmulatedMessage, type CommandIo } from './commandIo';
import { ibGatewayProcess } from './demoHostFacts';
import { ENV_FILE, LOG_DIR, type DemoHostModel, type DemoLogFile, type LogLine } from './demoHostModel';
import { QUEUES } from './autotraderModel';
import { lookupTable } from '../common/emptyRecord';

/** The demo user's home: where ~ points in scripts. */
export const HOME = '/home/demo';
const APP_DIR = '/opt/autotrader';
export const DIRECTORIES = new Set([
  '/',
  HOME,
  APP_DIR,
  `${APP_DIR}/configs`,
  `${APP_DIR}/scripts`,
  `${APP_DIR}/scripts/setup`,
  '/etc/autotrader',
  LOG_DIR,
  '/tmp',
]);
const LOGROTATE_CONFIG = '/etc/logrotate.d/autotrader';
const QUESTRADE_TOKEN = `${HOME}/.config/autotrader/questrade_token.json`;
const QUESTRADE_SCRIPT = `${APP_DIR}/scripts/setup/set_questrade_token.py`;

/** Exit status of an action the demo cannot answer meaningfully (sysexits' EX_UNAVAILABLE). */
export const NOT_AVAILABLE = 69;

/** The one line a demo host answers with for an action that cannot make sense in the demo. */
export function notAvailableMessage(action: string, why: string): string {
  return `opsdeck demo host: ${action} is not available in the demo: ${why}`;
}

type Emulation = (host: DemoHostModel, clock: Clock, args: string[], io: CommandIo) => Promise<number> | number;

const EMULATIONS: Record<string, Emulation> = lookupTable({
  'logs.errors': (host, _clock, [pattern = '', count = '10'], io) => {
    const hits = logFiles(host).flatMap(([path, file]) => file.lines.filter((l) => l.text.includes(pattern)).map((l) => `${path}:${l.text}`));
    writeLines(io, lastN(hits, Number(count)));
    return 0;
  },
  'logs.follow': (host, _clock, args, io) => followLog(host, args, io),
  'queue.list': (host, _clock, _args, io) => {
    const keys = QUEUES.map((q) => queueKey(q))
      .filter((key) => queueLength(host, key) > 0)
      .sort();
    if (keys.length === 0) io.stdout('no worker:* keys\n');
    for (const key of keys) io.stdout(`${key} ${queueLength(host, key)}\n`);
    return 0;
  },
  'queue.peek': (host, clock, [key = '', count = '10'], io) => {
    const length = queueLength(host, key);
    io.stdout(`length ${length}\n`);
    writeLines(io, jobs(key, Math.min(length, Number(count)), host.sim.scenarioSince || clock.now()));
    return 0;
  },
  'queue.clear:precheck': (host, _clock, [key = ''], io) => {
    const length = queueLength(host, key);
    io.stdout(`${length} jobs in ${key} (type: ${length > 0 ? 'list' : 'none'})\n`);
    return 0;
  },
  'queue.clear': (host, _clock, [key = ''], io) => {
    const length = queueLength(host, key);
    io.stdout(`deleting ${key} (${length} jobs)\n`);
    const queue = queueOf(key);
    // the deployment's queues live in the simulator: its workers panel empties too
    if (length > 0 && queue) host.sim.clearQueue(queue);
    io.stdout(`keys deleted: ${length > 0 ? 1 : 0}\n`);
    return 0;
  },
  'workers.scale': (host, clock, [count = ''], io) => {
    const text = host.files.get(ENV_FILE) ?? '';
    host.files.set(`${ENV_FILE}.bak.${stamp(clock.now())}`, text);
    const kept = text.split('\n').filter((l, i, all) => !l.startsWith('WORKER_COUNT=') && !(l === '' && i === all.length - 1));
    host.files.set(ENV_FILE, [...kept, `WORKER_COUNT=${count}`, ''].join('\n'));
    io.stdout(`WORKER_COUNT set to ${count} in ${ENV_FILE}\n`);
    host.restart('autotrader-workers');
    io.stdout('autotrader-workers restarted\n');
    return 0;
  },
  'config.update-frequency.diff': configEdit,
  'config.update-frequency.set': configEdit,
  'config.update-frequency.set:precheck': configEdit,
  'config.fa-scrubbing.diff': configEdit,
  'config.fa-scrubbing.set': configEdit,
  'config.fa-scrubbing.set:precheck': configEdit,
  'check.rate-limits': healthGet,
  'check.security': healthGet,
  'check.circuit-breakers': healthGet,
  'check.upstream': (_host, _clock, _args, io) => {
    io.stderr(
      `${notAvailableMessage('check.upstream', 'it needs the internet (DNS and HTTPS to the upstream APIs), and the demo makes no outside connections')}\n`,
    );
    return NOT_AVAILABLE;
  },
  'check.ib-gateway': (host, _clock, _args, io) => {
    // the same process the Hosts view's facts list (sim/demoHostFacts.ts)
    const gateway = ibGatewayProcess(host);
    io.stdout('IB Gateway / TWS processes:\n');
    if (!gateway) {
      io.stdout('  none running\nport 4001: NOT accepting connections\n');
      return 1;
    }
    io.stdout(`${gateway.pid} ${gateway.command}\n`);
    io.stdout('port 4001: accepting connections\n');
    return 0;
  },
  'ibgateway.restart': (host, _clock, _args, io) => {
    // the deployment's gateway lives in the simulator: its brokers panel shows ibkr online again
    host.sim.restartGateway();
    io.stdout('port 4001: accepting connections\n');
    return 0;
  },
  'check.questrade-token': (host, clock, _args, io) => {
    const expires = host.sim.questradeTokenExpiry();
    const days = (expires - clock.now()) / 86400_000;
    io.stdout(`token file ${QUESTRADE_TOKEN}\nexpires at ${pythonIso(expires)} (${days.toFixed(1)} days from now)\n`);
    if (days < 0) {
      io.stderr('EXPIRED: run scripts/setup/set_questrade_token.py\n');
      return 1;
    }
    if (days < 3) io.stdout('expires within 3 days: refresh it soon\n');
    return 0;
  },
  'check.api-keys': (host, _clock, _args, io) => {
    const env = envText(host);
    let missing = 0;
    for (const name of ['COINGECKO_API_KEY', 'ALPACA_API_KEY', 'ALPACA_SECRET_KEY', 'GROQ_API_KEY', 'ETHERSCAN_API_KEY', 'ETHEREUM_RPC_URL']) {
      if (new RegExp(`^(export )?${name}=\\S`, 'm').test(env)) io.stdout(`set      ${name}\n`);
      else {
        io.stdout(`MISSING  ${name}\n`);
        missing++;
      }
    }
    io.stdout(`${missing} missing\n`);
    return missing === 0 ? 0 : 1;
  },
  'check.fa-patterns': (host, _clock, [count = '0'], io) => {
    const fa = /(^|[^a-z])fa[=]/i;
    let total = 0;
    const hits: string[] = [];
    for (const [path, file] of logFiles(host)) {
      const lines = file.lines.filter((l) => fa.test(l.text));
      io.stdout(`${path}: ${lines.length} lines\n`);
      total += lines.length;
      hits.push(...lines.map((l) => l.text));
    }
    io.stdout(`total: ${total} lines with FA account patterns\n`);
    if (Number(count) > 0) writeLines(io, lastN(hits, Number(count)));
    return 0;
  },
  'check.pip-audit': (host, _clock, _args, io) => {
    const deps = (
      host.sim.body('security').checks as Record<string, { status: string; high?: number; medium?: number; critical?: number; packages?: string[] }>
    ).dependency_vulnerabilities;
    const packages = deps?.packages ?? [];
    const count = (deps?.critical ?? 0) + (deps?.high ?? 0) + (deps?.medium ?? 0);
    if (deps?.status === 'passing' || count === 0) {
      io.stdout('No known vulnerabilities found\n');
      return 0;
    }
    io.stdout(`Found ${count} known vulnerabilities in ${packages.length} packages\n`);
    const rows = Array.from({ length: count }, (_, i) => {
      const [name = '?', version = '?'] = (packages[i % packages.length] ?? '?==?').split('==');
      // clearly made-up advisory ids: the demo must not pin real advisories on real versions
      return [name, version, `DEMO-ADVISORY-${String(i + 1).padStart(4, '0')}`, 'see advisory'];
    });
    const table = [['Name', 'Version', 'ID', 'Fix Versions'], ...rows];
    const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    const line = (r: string[]) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join(' ')
        .trimEnd();
    io.stdout(`${line(table[0]!)}\n${widths.map((w) => '-'.repeat(w)).join(' ')}\n`);
    for (const r of rows) io.stdout(`${line(r)}\n`);
    return 1;
  },
  'breaker.reset': async (host, _clock, [name = ''], io) => {
    const answer = await api(host, `/api/health/circuit-breakers/${encodeURIComponent(name)}/reset`, 'POST', 10_000);
    if (answer.kind === 'ok' && answer.status >= 200 && answer.status < 300) {
      io.stdout(`reset ${name} through the API (HTTP ${answer.status})\n`);
      return 0;
    }
    const code = answer.kind === 'ok' ? answer.status : 0;
    io.stdout(
      code === 404
        ? `the API has no reset endpoint for ${name}: using the Python reset\n`
        : `reset endpoint answered HTTP ${String(code).padStart(3, '0')}: using the Python reset\n`,
    );
    if (!host.sim.isBreakerName(name)) {
      io.stderr(`KeyError: '${name}'\n`);
      return 1;
    }
    host.sim.resetBreaker(name);
    io.stdout(`reset ${name} through CIRCUIT_REGISTRY\n`);
    return 0;
  },
});

/** Runs the emulation of catalog script `name` (already matched to its exact text). */
export async function runCatalogScript(host: DemoHostModel, clock: Clock, name: string, args: string[], io: CommandIo): Promise<number> {
  const emulation = EMULATIONS[name];
  if (!emulation) {
    io.stderr(`${notEmulatedMessage(`sh -c <the ${name} script>`)}\n`);
    return 127;
  }
  return emulation(host, clock, args, io);
}

/** Names of the catalog scripts the demo emulates (docs and tests). */
export const EMULATED_SCRIPTS: readonly string[] = Object.keys(EMULATIONS);

// ---- file tools ---------------------------------------------------------------------------

/** `tail [-n N] FILE…` on the host's log files. */
export function tail(host: DemoHostModel, args: string[], io: CommandIo): number {
  let count = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-n' || a === '--lines') count = Number(args[++i]);
    else if (/^-n\d+$/.test(a)) count = Number(a.slice(2));
    else if (a.startsWith('--lines=')) count = Number(a.slice('--lines='.length));
    else if (a.startsWith('-')) {
      io.stderr(`${notEmulatedMessage(`tail ${a}`)}\n`);
      return 127;
    } else files.push(a);
  }
  if (!(Number.isInteger(count) && count >= 0)) {
    io.stderr(`tail: invalid number of lines: '${String(args[args.indexOf('-n') + 1] ?? '')}'\n`);
    return 1;
  }
  let status = 0;
  files.forEach((path, i) => {
    const file = host.logs.get(path);
    const text = host.files.get(path);
    if (!file && text === undefined) {
      io.stderr(`tail: cannot open '${path}' for reading: No such file or directory\n`);
      status = 1;
      return;
    }
    if (files.length > 1) io.stdout(`${i > 0 ? '\n' : ''}==> ${path} <==\n`);
    const lines = file ? file.lines.map((l) => l.text) : text!.replace(/\n$/, '').split('\n');
    writeLines(io, lastN(lines, count));
  });
  return status;
}

/** `logrotate -d|-f /etc/logrotate.d/autotrader`: a dry run's report, or a forced rotation. */
export function logrotate(host: DemoHostModel, clock: Clock, args: string[], io: CommandIo): number {
  const debug = args.includes('-d') || args.includes('--debug');
  const force = args.includes('-f') || args.includes('--force');
  const configs = args.filter((a) => !a.startsWith('-'));
  const unknown = args.find((a) => a.startsWith('-') && !['-d', '--debug', '-f', '--force', '-v', '--verbose'].includes(a));
  if (unknown) {
    io.stderr(`${notEmulatedMessage(`logrotate ${unknown}`)}\n`);
    return 127;
  }
  if (configs.length !== 1 || configs[0] !== LOGROTATE_CONFIG) {
    io.stderr(configs.length === 0 ? 'logrotate: no config file given\n' : `error: cannot stat ${configs[0]}: No such file or directory\n`);
    return 1;
  }
  const current = [...host.logs.keys()].filter((p) => p.endsWith('.log')).sort();
  if (debug) {
    const report = [
      'warning: logrotate in debug mode does nothing except printing debug messages!  Consider using verbose mode (-v) instead if this is not what you want.',
      '',
      `reading config file ${LOGROTATE_CONFIG}`,
      'Reading state from file: /var/lib/logrotate/status',
      'Allocating hash table for state file, size 64 entries',
      '',
      'Handling 1 logs',
      '',
      `rotating pattern: ${LOG_DIR}/*.log  ${force ? 'forced from command line' : 'after 1 days'} (7 rotations)`,
      'empty log files are not rotated, old logs are removed',
      ...current.flatMap((path) => [
        `considering log ${path}`,
        `  Now: ${new Date(clock.now()).toISOString().slice(0, 16).replace('T', ' ')}`,
        `  Last rotated at ${new Date(clock.now()).toISOString().slice(0, 10)} 00:00`,
        force ? '  log needs rotating' : '  log does not need rotating (log has been rotated at the start of today)',
      ]),
      '',
    ];
    io.stderr(report.join('\n'));
    return 0;
  }
  if (force) host.rotateLogs();
  return 0;
}

/** `python3 -c '<catalog text>' …` (the log follower) or `python3 scripts/setup/set_questrade_token.py`. */
export async function python3(host: DemoHostModel, clock: Clock, args: string[], io: CommandIo, cwd: string): Promise<number> {
  if (args[0] === '-c' && args[1] !== undefined) {
    const name = [...host.scripts].find(([, text]) => text === args[1])?.[0];
    if (name && EMULATIONS[name]) return EMULATIONS[name](host, clock, args.slice(2), io);
    io.stderr(`${notEmulatedMessage('python3 -c')}\n`);
    return 127;
  }
  const script = args[0] && (args[0].startsWith('/') ? args[0] : `${cwd}/${args[0]}`);
  if (script === QUESTRADE_SCRIPT) {
    const rest = args.slice(1);
    let days = 30;
    if (rest[0] === '--days' && /^\d+$/.test(rest[1] ?? '')) days = Number(rest[1]);
    else if (rest.length > 0) {
      io.stderr('usage: set_questrade_token.py [-h] [--days DAYS]\n');
      return 2;
    }
    if (days < 1 || days > 90) {
      io.stderr('set_questrade_token.py: error: --days must be between 1 and 90\n');
      return 2;
    }
    const expires = host.sim.refreshQuestradeToken(days);
    io.stdout(`questrade token written to ${QUESTRADE_TOKEN}, expires ${pythonIso(expires)}\n`);
    return 0;
  }
  io.stderr(`${notEmulatedMessage(`python3${args[0] ? ` ${args[0]}` : ''}`)}\n`);
  return 127;
}

// ---- the log follower (x-file-follow) --------------------------------------------------------

/**
 * Prints `<inode>:<offset of the next line>\t<line>` for the last `count` lines and every line
 * written after, switching to the new file when logrotate moves the old one to `.1`. With a
 * cursor it carries on after that byte of that inode, in the file or its `.1`.
 */
async function followLog(host: DemoHostModel, args: string[], io: CommandIo): Promise<number> {
  const [path = '', countText = '0', cursor = '-'] = args;
  const emit = (file: DemoLogFile, line: LogLine): void => io.stdout(`${file.ino}:${line.end}\t${line.text}\n`);
  let file = host.logs.get(path);
  if (!file) {
    io.stderr(`FileNotFoundError: [Errno 2] No such file or directory: '${path}'\n`);
    return 1;
  }
  if (cursor === '-') {
    for (const line of lastN(file.lines, Number(countText))) emit(file, line);
  } else {
    const [ino, pos] = cursor.split(':').map(Number);
    const rotated = host.logs.get(`${path}.1`);
    const found = file.ino === ino ? file : rotated?.ino === ino ? rotated : null;
    if (found) {
      for (const line of found.after(pos ?? 0)) emit(found, line);
      // the cursor was in the rotated file: everything of the new one follows it
      if (found !== file) for (const line of file.lines) emit(file, line);
    } else {
      io.stderr(`${path} was rotated more than once since the last line shown: lines in between are not shown\n`);
      for (const line of file.lines) emit(file, line);
    }
  }
  await new Promise<void>((resolve) => {
    const onAppend = (at: string, line: LogLine): void => {
      if (at === path && host.logs.get(path) === file) emit(file!, line);
    };
    const onRotate = (at: string): void => {
      if (at === path) file = host.logs.get(path);
    };
    const done = (): void => {
      host.logEvents.off('append', onAppend);
      host.logEvents.off('rotate', onRotate);
      resolve();
    };
    host.logEvents.on('append', onAppend);
    host.logEvents.on('rotate', onRotate);
    if (io.signal.aborted) done();
    else io.signal.addEventListener('abort', done, { once: true });
  });
  return 0;
}

// ---- the config editor (x-config-edit) ---------------------------------------------------------

/** Edits one top-level `key: value` line as the catalog's Python does: diff, then (apply) backup and write. */
function configEdit(host: DemoHostModel, clock: Clock, [path = '', key = '', value = '', mode = 'diff']: string[], io: CommandIo): number {
  const text = host.files.get(path);
  if (text === undefined) {
    io.stderr(`FileNotFoundError: [Errno 2] No such file or directory: '${path}'\n`);
    return 1;
  }
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = [...text.matchAll(new RegExp(`^(${escaped}:[ \\t]*)([^#\\n]*?)([ \\t]*(?:#[^\\n]*)?)$`, 'gmd'))];
  if (found.length !== 1) {
    io.stderr(`${path}: expected one top-level '${key}:' line, found ${found.length}\n`);
    return 1;
  }
  const [start, end] = found[0]!.indices![2]!;
  const next = text.slice(0, start) + value + text.slice(end);
  io.stdout(unifiedDiff(text, next, path, `${path} (new)`));
  if (next === text) {
    io.stdout(`${path}: ${key} is already ${value}, nothing to change\n`);
    return 0;
  }
  if (mode !== 'apply') {
    io.stdout(`dry run: ${path} not changed\n`);
    return 0;
  }
  const backup = `${path}.bak.${stamp(clock.now())}`;
  host.files.set(backup, text);
  host.files.set(path, next);
  io.stdout(`written ${path} (backup ${backup})\n`);
  return 0;
}

/** difflib.unified_diff for two texts of the same line count (an edit of one line), 3 lines of context. */
function unifiedDiff(before: string, after: string, from: string, to: string): string {
  const a = before.split(/(?<=\n)/);
  const b = after.split(/(?<=\n)/);
  const changed = a.map((line, i) => line !== b[i]).reduce<number[]>((acc, diff, i) => (diff ? [...acc, i] : acc), []);
  if (changed.length === 0) return '';
  const first = changed[0]!;
  const last = changed[changed.length - 1]!;
  const lo = Math.max(0, first - 3);
  const hi = Math.min(a.length, last + 4);
  const range = (start: number, length: number) => (length === 1 ? `${start + 1}` : `${length === 0 ? start : start + 1},${length}`);
  const out = [`--- ${from}\n`, `+++ ${to}\n`, `@@ -${range(lo, hi - lo)} +${range(lo, hi - lo)} @@\n`];
  for (let i = lo; i < first; i++) out.push(` ${a[i]}`);
  for (let i = first; i <= last; i++) out.push(`-${a[i]}`);
  for (let i = first; i <= last; i++) out.push(`+${b[i]}`);
  for (let i = last + 1; i < hi; i++) out.push(` ${a[i]}`);
  return out.join('');
}

// ---- the health API from the host (x-health-get) ----------------------------------------------

type ApiAnswer = { kind: 'ok'; status: number; body: string } | { kind: 'refused' } | { kind: 'timeout'; ms: number };

/** One request to the host's localhost:8000, i.e. to its deployment's simulator (faults included). */
async function api(host: DemoHostModel, path: string, method: 'GET' | 'POST', timeoutMs: number): Promise<ApiAnswer> {
  if (!host.apiUrl) return { kind: 'refused' };
  try {
    const res = await fetch(`${host.apiUrl}${path}`, { method, signal: AbortSignal.timeout(timeoutMs) });
    return { kind: 'ok', status: res.status, body: await res.text() };
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? { kind: 'timeout', ms: timeoutMs } : { kind: 'refused' };
  }
}

const PATH_ENDPOINTS = new Map(Object.entries(ENDPOINT_PATHS).map(([endpoint, path]) => [path, endpoint as Endpoint]));

/** `curl -sS --fail --max-time 5 http://127.0.0.1:8000/api/health/$1 | python3 -m json.tool`. */
async function healthGet(host: DemoHostModel, _clock: Clock, [what = '']: string[], io: CommandIo): Promise<number> {
  const path = `/api/health/${what}`;
  let answer = await api(host, path, 'GET', 5000);
  // a model without its HTTP server (unit tests): ask the simulator's model directly
  const endpoint = PATH_ENDPOINTS.get(path);
  if (!host.apiUrl && endpoint) answer = { kind: 'ok', status: 200, body: JSON.stringify(host.sim.body(endpoint)) };
  if (answer.kind === 'refused') {
    io.stderr("curl: (7) Failed to connect to 127.0.0.1 port 8000 after 0 ms: Couldn't connect to server\n");
    return 7;
  }
  if (answer.kind === 'timeout') {
    io.stderr(`curl: (28) Operation timed out after ${answer.ms} milliseconds with 0 bytes received\n`);
    return 28;
  }
  if (answer.status >= 400) {
    io.stderr(`curl: (22) The requested URL returned error: ${answer.status}\n`);
    return 22;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n`);
    return 1;
  }
  // json.tool: four-space indent, non-ASCII escaped
  io.stdout(`${JSON.stringify(parsed, null, 4).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`);
  return 0;
}

// ---- helpers -----------------------------------------------------------------------------------

const queueKey = (queue: string): string => `worker:${queue}:queue`;

function queueOf(key: string): (typeof QUEUES)[number] | null {
  const m = /^worker:([a-z]+):queue$/.exec(key);
  return m && (QUEUES as readonly string[]).includes(m[1]!) ? (m[1] as (typeof QUEUES)[number]) : null;
}

/** LLEN of a worker queue: the deployment's pending count for its queue; 0 for any other key. */
function queueLength(host: DemoHostModel, key: string): number {
  const queue = queueOf(key);
  if (!queue) return 0;
  return (host.sim.body('workers').queues as Record<string, { pending: number }>)[queue]?.pending ?? 0;
}

/** The first `count` jobs of a queue, as the test fleet seeds them. */
function jobs(key: string, count: number, enqueuedAt: number): string[] {
  const kind = { scanner: 'scan', alerts: 'alert', backfill: 'backfill' }[queueOf(key) ?? 'scanner'];
  const at = Math.floor(enqueuedAt / 1000);
  return Array.from({ length: count }, (_, i) => `{"id":"${kind}-${String(i + 1).padStart(4, '0')}","kind":"${kind}","enqueued_at":${at}}`);
}

/** The env file as the units see it: keys the deployment reports missing are not in it. */
function envText(host: DemoHostModel): string {
  const checks = host.sim.body('security').checks as Record<string, { missing?: string[] }>;
  const missing = new Set(checks.api_key_validation?.missing ?? []);
  return (host.files.get(ENV_FILE) ?? '')
    .split('\n')
    .filter((line) => !missing.has(line.replace(/^export /, '').split('=')[0]!))
    .join('\n');
}

/** The current log files, as the glob /var/log/autotrader/*.log lists them. */
function logFiles(host: DemoHostModel): Array<[string, DemoLogFile]> {
  return [...host.logs].filter(([path]) => path.endsWith('.log')).sort(([a], [b]) => a.localeCompare(b));
}

function lastN<T>(items: readonly T[], count: number): T[] {
  return count > 0 ? items.slice(-count) : [];
}

function writeLines(io: CommandIo, lines: readonly string[]): void {
  if (lines.length > 0) io.stdout(`${lines.join('\n')}\n`);
}

/** `date +%Y%m%dT%H%M%S` in UTC, as the catalog's backups are named. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '');
}

/** Python's datetime.isoformat() of an aware UTC time: `2026-12-26T12:00:00+00:00`. */
function pythonIso(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}
