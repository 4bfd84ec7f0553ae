import { parse, type ParseEntry } from 'shell-quote';
import type { Clock } from './clock';
import { NOT_EMULATED, NotEmulated, type CommandIo } from './commandIo';
import {
  cursorSeq,
  formatJournalLine,
  journalCursor,
  PRIORITY,
  systemdTimestamp,
  unitDescription,
  type DemoHostModel,
  type JournalEntry,
} from './demoHostModel';
import { looksLikeHostFacts, otherHostFactsMessage, runHostFacts } from './demoHostFacts';
import { DIRECTORIES, HOME, logrotate, python3, runCatalogScript, tail } from './demoScripts';
import { UNITS, type UnitName } from './scenarios';
import { lookupTable } from '../common/emptyRecord';

const MAX_WRAP_DEPTH = 3;

type Word = string | { glob: string };

/** What one command line shares between its commands: the working directory `cd` sets. */
interface LineContext {
  cwd: string;
}

/**
 * Run one command line against a demo host's in-memory model. The line is split into words
 * by shell-quote's parser (the same quoting rules as sh), never matched as a raw string;
 * `;`, `&&` and `||` sequence commands; every other operator, any `$VAR` and anything not in
 * the emulated set exits 127 with a line saying so. Nothing ever runs on the user's machine.
 */
export async function runDemoCommand(host: DemoHostModel, clock: Clock, line: string, io: CommandIo, depth = 0): Promise<number> {
  // the Hosts view's facts script, as the console handed it over: matched whole, never parsed
  if (host.hostFacts && line === host.hostFacts.text) return runHostFacts(host, clock, host.hostFacts, io);
  if (looksLikeHostFacts(line)) {
    io.stderr(`${otherHostFactsMessage()}\n`);
    return NOT_EMULATED;
  }
  let tokens: ParseEntry[];
  try {
    tokens = parse(line, (name) => ({ var: name }) as unknown as string);
  } catch (error) {
    io.stderr(`opsdeck demo host: cannot parse command: ${(error as Error).message}\n`);
    return 2;
  }
  let status = 0;
  let words: Word[] = [];
  const context: LineContext = { cwd: HOME };
  let pendingOp: string | null = null;
  const runWords = async (): Promise<void> => {
    if (words.length === 0) return;
    const skip = (pendingOp === '&&' && status !== 0) || (pendingOp === '||' && status === 0);
    if (!skip) status = await runOne(host, clock, words, io, depth, context);
    words = [];
  };
  try {
    for (const token of tokens) {
      if (typeof token === 'string') {
        // shell-quote keeps backquotes as text, but sh would run what is inside them
        if (token.includes('`')) throw new NotEmulated('`');
        words.push(token);
        continue;
      }
      if ('comment' in token) break;
      if ('var' in token) throw new NotEmulated(`$${String((token as { var: string }).var)}`);
      if (token.op === 'glob') {
        words.push({ glob: (token as { pattern: string }).pattern });
        continue;
      }
      if (token.op === ';' || token.op === '&&' || token.op === '||') {
        await runWords();
        pendingOp = token.op;
        continue;
      }
      throw new NotEmulated(token.op);
    }
    await runWords();
    return status;
  } catch (error) {
    if (error instanceof NotEmulated) {
      io.stderr(`${error.message}\n`);
      return NOT_EMULATED;
    }
    throw error;
  }
}

async function runOne(host: DemoHostModel, clock: Clock, words: Word[], io: CommandIo, depth: number, context: LineContext): Promise<number> {
  const [first, ...rest] = words;
  const name = typeof first === 'string' ? first : (first?.glob ?? '');
  const args = rest.map((w) => (typeof w === 'string' ? w : w.glob));
  switch (name) {
    case 'true':
      return 0;
    case 'echo': {
      const newline = args[0] !== '-n';
      io.stdout(`${(newline ? args : args.slice(1)).join(' ')}${newline ? '\n' : ''}`);
      return 0;
    }
    case 'hostname':
      if (args.length > 0) throw new NotEmulated(`hostname ${args.join(' ')}`);
      io.stdout(`${host.hostname}\n`);
      return 0;
    case 'uptime':
      if (args.length > 0) throw new NotEmulated(`uptime ${args.join(' ')}`);
      io.stdout(`${uptimeLine(host, clock.now())}\n`);
      return 0;
    case 'systemctl':
      return systemctl(host, clock, rest, io);
    case 'journalctl':
      return journalctl(host, clock, args, io);
    case 'sh':
    case 'bash':
      return shellDashC(host, clock, name, args, io, depth);
    case 'cd': {
      const to = args[0] ?? HOME;
      const path = to.startsWith('/') ? to : `${context.cwd}/${to}`;
      if (args.length > 1 || !DIRECTORIES.has(path.replace(/\/+$/, '') || '/')) {
        io.stderr(`sh: 1: cd: can't cd to ${to}\n`);
        return 2;
      }
      context.cwd = path.replace(/\/+$/, '') || '/';
      return 0;
    }
    case 'exec':
      if (rest.length === 0) return 0;
      return runOne(host, clock, rest, io, depth, context);
    case 'tail':
      return tail(host, args, io);
    case 'logrotate':
      return logrotate(host, clock, args, io);
    case 'python3':
    case 'python':
      return python3(host, clock, args, io, context.cwd);
    default:
      throw new NotEmulated(name);
  }
}

/**
 * `sh -c LINE` runs LINE; `sh -c WRAPPER opsdeck-exec LINE` is the console's own exec wrapper
 * (main/core/ssh/execWrapper.ts: run $1, stop it when stdin closes), so it runs LINE too.
 */
async function shellDashC(host: DemoHostModel, clock: Clock, shell: string, args: string[], io: CommandIo, depth: number): Promise<number> {
  if (args[0] !== '-c' || args[1] === undefined || depth >= MAX_WRAP_DEPTH) throw new NotEmulated(`${shell} ${args.join(' ')}`.slice(0, 200));
  // a catalog script: `sh -c '<script>' <action id> <args…>`, answered only for its exact text
  const name = args[2];
  if (name !== undefined && host.scripts.get(name) === args[1]) return runCatalogScript(host, clock, name, args.slice(3), io);
  if (args.length === 2) return runDemoCommand(host, clock, args[1], io, depth + 1);
  if (args.length === 4 && args[2] === 'opsdeck-exec' && args[3] !== undefined) return runDemoCommand(host, clock, args[3], io, depth + 1);
  throw new NotEmulated(`${shell} -c`);
}

// ---- systemctl ----------------------------------------------------------------------------

function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** Unit arguments to names: `.service` optional, globs matched against the host's units. */
function resolveUnits(host: DemoHostModel, words: Word[]): { known: UnitName[]; unknown: string[] } {
  const known: UnitName[] = [];
  const unknown: string[] = [];
  for (const word of words) {
    if (typeof word !== 'string') {
      const re = globToRegExp(word.glob.replace(/\.service$/, ''));
      known.push(...UNITS.filter((u) => re.test(u) && !known.includes(u)));
      continue;
    }
    const name = word.replace(/\.service$/, '');
    if (host.isUnit(name)) {
      if (!known.includes(name)) known.push(name);
    } else unknown.push(word.includes('.') ? word : `${word}.service`);
  }
  return { known, unknown };
}

const SHOW_PROPERTIES = ['Id', 'Description', 'LoadState', 'ActiveState', 'SubState', 'MainPID', 'NRestarts', 'ActiveEnterTimestamp'] as const;

function systemctl(host: DemoHostModel, clock: Clock, rest: Word[], io: CommandIo): number {
  let verb: string | null = null;
  let quiet = false;
  let valueOnly = false;
  let statusLines = 10;
  const properties: string[] = [];
  const targets: Word[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i] as Word;
    if (typeof w !== 'string') {
      targets.push(w);
      continue;
    }
    if (w === '--no-pager' || w === '--no-block' || w === '--no-legend' || w === '--full' || w === '-l') continue;
    if (w === '-q' || w === '--quiet') quiet = true;
    else if (w === '-n' || w === '--lines') statusLines = Number(rest[++i]);
    else if (/^-n\d+$/.test(w)) statusLines = Number(w.slice(2));
    else if (w.startsWith('--lines=')) statusLines = Number(w.slice('--lines='.length));
    else if (w === '--value') valueOnly = true;
    else if (w === '-p' || w === '--property') properties.push(...String(rest[++i] ?? '').split(','));
    else if (w.startsWith('--property=')) properties.push(...w.slice('--property='.length).split(','));
    else if (w.startsWith('-p') && w.length > 2) properties.push(...w.slice(2).split(','));
    else if (w.startsWith('-')) throw new NotEmulated(`systemctl ${w}`);
    else if (verb === null) verb = w;
    else targets.push(w);
  }
  const { known, unknown } = resolveUnits(host, targets);
  switch (verb) {
    case 'start':
    case 'stop':
    case 'restart': {
      if (targets.length === 0) {
        io.stderr(`Too few arguments.\n`);
        return 1;
      }
      if (unknown.length > 0) {
        io.stderr(`Failed to ${verb} ${unknown[0]}: Unit ${unknown[0]} not found.\n`);
        return 5;
      }
      for (const unit of known) host[verb](unit);
      return 0;
    }
    case 'is-active': {
      if (targets.length === 0) {
        io.stderr(`Too few arguments.\n`);
        return 1;
      }
      let allActive = unknown.length === 0;
      for (const unit of known) {
        const active = host.units[unit].active;
        allActive &&= active;
        if (!quiet) io.stdout(`${active ? 'active' : 'inactive'}\n`);
      }
      if (!quiet) for (let i = 0; i < unknown.length; i++) io.stdout('inactive\n');
      return allActive ? 0 : 3;
    }
    case 'status': {
      if (targets.length === 0) throw new NotEmulated('systemctl status (without a unit)');
      if (!(Number.isInteger(statusLines) && statusLines >= 0)) {
        io.stderr('Failed to parse lines argument.\n');
        return 1;
      }
      let code = 0;
      known.forEach((unit, i) => {
        if (i > 0) io.stdout('\n');
        io.stdout(statusText(host, clock, unit, statusLines));
        if (!host.units[unit].active) code = Math.max(code, 3);
      });
      for (const name of unknown) {
        io.stderr(`Unit ${name} could not be found.\n`);
        code = 4;
      }
      return code;
    }
    case 'show': {
      if (unknown.length > 0 || known.length === 0) {
        io.stderr(known.length === 0 && unknown.length === 0 ? 'systemctl show without a unit is not emulated\n' : `Unit ${unknown[0]} could not be found.\n`);
        return known.length === 0 && unknown.length === 0 ? NOT_EMULATED : 1;
      }
      const wanted = properties.filter((p) => p !== '');
      const props = wanted.length > 0 ? wanted : [...SHOW_PROPERTIES];
      known.forEach((unit, i) => {
        if (i > 0) io.stdout('\n');
        for (const prop of props) {
          const value = showProperty(host, unit, prop);
          // like systemctl, an unknown property named with -p prints empty
          io.stdout(valueOnly ? `${value ?? ''}\n` : `${prop}=${value ?? ''}\n`);
        }
      });
      return 0;
    }
    default:
      throw new NotEmulated(`systemctl${verb ? ` ${verb}` : ''}`);
  }
}

function showProperty(host: DemoHostModel, unit: UnitName, prop: string): string | null {
  const s = host.units[unit];
  switch (prop) {
    case 'Id':
      return `${unit}.service`;
    case 'Description':
      return unitDescription(unit);
    case 'LoadState':
      return 'loaded';
    case 'ActiveState':
      return s.active ? 'active' : 'inactive';
    case 'SubState':
      return s.active ? 'running' : 'dead';
    case 'MainPID':
      return String(s.mainPid);
    case 'NRestarts':
      return String(s.nRestarts);
    case 'ActiveEnterTimestamp':
      return s.active ? systemdTimestamp(s.activeSince) : '';
    default:
      return null;
  }
}

function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}min ${s % 60}s ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}min ago`;
  return `${Math.floor(s / 86400)} days ago`;
}

function statusText(host: DemoHostModel, clock: Clock, unit: UnitName, journalLines: number): string {
  const s = host.units[unit];
  const now = clock.now();
  const lines = [
    `${s.active ? '●' : '○'} ${unit}.service - ${unitDescription(unit)}`,
    `     Loaded: loaded (/etc/systemd/system/${unit}.service; enabled; preset: enabled)`,
    s.active
      ? `     Active: active (running) since ${systemdTimestamp(s.activeSince)}; ${ago(now - s.activeSince)}`
      : `     Active: inactive (dead) since ${systemdTimestamp(s.inactiveSince ?? now)}; ${ago(now - (s.inactiveSince ?? now))}`,
  ];
  if (s.active) lines.push(`   Main PID: ${s.mainPid} (${unit === 'autotrader-api' ? 'uvicorn' : 'python3'})`);
  if (journalLines > 0) {
    lines.push('');
    for (const entry of host
      .journal()
      .filter((e) => e.unit === unit)
      .slice(-journalLines))
      lines.push(formatJournalLine(host.hostname, entry));
  }
  return `${lines.join('\n')}\n`;
}

// ---- journalctl ---------------------------------------------------------------------------

const PRIORITY_NAMES: Record<string, number> = lookupTable({
  emerg: 0,
  alert: 1,
  crit: 2,
  err: PRIORITY.err,
  warning: PRIORITY.warning,
  notice: PRIORITY.notice,
  info: PRIORITY.info,
  debug: 7,
});

function parseSince(text: string, now: number): number | null {
  const rel = /^(\d+)\s*(second|sec|s|minute|min|m|hour|h|day|d)s?\s+ago$/i.exec(text.trim());
  if (rel) {
    const unit = (rel[2] ?? '').toLowerCase();
    const seconds = unit.startsWith('s') ? 1 : unit.startsWith('m') ? 60 : unit.startsWith('h') ? 3600 : 86400;
    return now - Number(rel[1]) * seconds * 1000;
  }
  if (text === 'today') return Math.floor(now / 86400_000) * 86400_000;
  if (text === 'yesterday') return (Math.floor(now / 86400_000) - 1) * 86400_000;
  const abs = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(abs) ? null : abs;
}

async function journalctl(host: DemoHostModel, clock: Clock, args: string[], io: CommandIo): Promise<number> {
  const units: string[] = [];
  let lines: number | null = null;
  let follow = false;
  let quiet = false;
  let since: number | null = null;
  let maxPriority = 7;
  let output = 'short';
  let grep: RegExp | null = null;
  let afterSeq: number | null = null;
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new NotEmulated(`journalctl ${flag} (without a value)`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--no-pager' || flag === '--no-hostname') continue;
    if (flag === '-o' || flag === '--output') {
      output = inline ?? value(++i, flag);
      if (!JOURNAL_OUTPUTS.has(output)) throw new NotEmulated(`journalctl -o ${output}`);
    } else if (flag === '-g' || flag === '--grep') {
      const pattern = inline ?? value(++i, flag);
      try {
        // journalctl's smart case: a pattern with no upper-case letter matches either case
        grep = new RegExp(pattern, pattern === pattern.toLowerCase() ? 'i' : '');
      } catch {
        io.stderr(`Bad pattern "${pattern}"\n`);
        return 1;
      }
    } else if (flag === '--after-cursor') {
      const cursor = inline ?? value(++i, flag);
      afterSeq = cursorSeq(host.hostname, cursor);
      if (afterSeq === null) {
        io.stderr(`Failed to seek to cursor: Invalid argument\n`);
        return 1;
      }
    } else if (flag === '-u' || flag === '--unit') units.push(inline ?? value(++i, flag));
    else if (flag.startsWith('-u') && flag.length > 2) units.push(flag.slice(2));
    else if (flag === '-n' || flag === '--lines') lines = Number(inline ?? value(++i, flag));
    else if (/^-n\d+$/.test(flag)) lines = Number(flag.slice(2));
    else if (flag === '-f' || flag === '--follow') follow = true;
    else if (flag === '-q' || flag === '--quiet') quiet = true;
    else if (flag === '-S' || flag === '--since') {
      const text = inline ?? value(++i, flag);
      since = parseSince(text, clock.now());
      if (since === null) {
        io.stderr(`Failed to parse timestamp: ${text}\n`);
        return 1;
      }
    } else if (flag === '-p' || flag === '--priority') {
      const text = inline ?? value(++i, flag);
      const p = PRIORITY_NAMES[text] ?? (/^[0-7]$/.test(text) ? Number(text) : undefined);
      if (p === undefined) {
        io.stderr(`Failed to parse priority value: ${text}\n`);
        return 1;
      }
      maxPriority = p;
    } else throw new NotEmulated(`journalctl ${flag}`);
  }
  if (lines !== null && !(Number.isInteger(lines) && lines >= 0)) {
    io.stderr(`Failed to parse lines '${String(lines)}'\n`);
    return 1;
  }
  const wanted: UnitName[] = [];
  for (const u of units) {
    const name = u.replace(/\.service$/, '');
    // journalctl -u with a unit that never logged simply shows no entries
    if (host.isUnit(name)) wanted.push(name);
    else if (!quiet) io.stderr(`No journal files were found for unit ${u}.\n`);
  }
  const matches = (e: JournalEntry): boolean =>
    (units.length === 0 || (e.unit !== null && wanted.includes(e.unit))) &&
    e.priority <= maxPriority &&
    (since === null || e.at >= since) &&
    (afterSeq === null || e.seq > afterSeq) &&
    (grep === null || grep.test(e.message));
  const format = (entry: JournalEntry): string => formatEntry(host.hostname, entry, output);
  const all = host.journal().filter(matches);
  // after a cursor journalctl shows everything since it; -f alone starts with the last 10
  const count = lines ?? (follow && afterSeq === null ? 10 : all.length);
  const shown = count === 0 ? [] : all.slice(-count);
  if (shown.length === 0 && !follow && !quiet && output !== 'json') io.stdout('-- No entries --\n');
  for (const entry of shown) io.stdout(`${format(entry)}\n`);
  if (!follow) return 0;
  await new Promise<void>((resolve) => {
    const onEntry = (entry: JournalEntry): void => {
      if (matches(entry)) io.stdout(`${format(entry)}\n`);
    };
    const done = (): void => {
      host.journalEvents.off('entry', onEntry);
      resolve();
    };
    host.journalEvents.on('entry', onEntry);
    if (io.signal.aborted) done();
    else io.signal.addEventListener('abort', done, { once: true });
  });
  return 0;
}

const JOURNAL_OUTPUTS = new Set(['short', 'short-iso', 'json', 'cat']);

/** One entry in journalctl's `-o` format: short, short-iso (UTC), json (one object a line), cat. */
function formatEntry(hostname: string, entry: JournalEntry, output: string): string {
  switch (output) {
    case 'short-iso':
      return `${new Date(entry.at).toISOString().slice(0, 19)}+0000 ${hostname} ${entry.identifier}[${entry.pid}]: ${entry.message}`;
    case 'cat':
      return entry.message;
    case 'json':
      return JSON.stringify({
        __CURSOR: journalCursor(hostname, entry),
        __REALTIME_TIMESTAMP: String(entry.at * 1000),
        _HOSTNAME: hostname,
        PRIORITY: String(entry.priority),
        SYSLOG_IDENTIFIER: entry.identifier,
        _PID: String(entry.pid),
        ...(entry.unit ? { _SYSTEMD_UNIT: entry.identifier === 'systemd' ? 'init.scope' : `${entry.unit}.service` } : {}),
        MESSAGE: entry.message,
      });
    default:
      return formatJournalLine(hostname, entry);
  }
}

// ---- uptime -------------------------------------------------------------------------------

function uptimeLine(host: DemoHostModel, now: number): string {
  const d = new Date(now);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const up = Math.floor((now - host.bootedAt) / 1000);
  const days = Math.floor(up / 86400);
  const hours = Math.floor((up % 86400) / 3600);
  const minutes = Math.floor((up % 3600) / 60);
  const load = (period: number, base: number): string => (base + 0.15 * Math.sin(now / period)).toFixed(2);
  return ` ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} up ${days} day${days === 1 ? '' : 's'}, ${String(hours).padStart(2)}:${pad(minutes)},  1 user,  load average: ${load(60_000, 0.42)}, ${load(300_000, 0.37)}, ${load(900_000, 0.31)}`;
}
