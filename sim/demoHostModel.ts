import { EventEmitter } from 'node:events';
import type { AutotraderModel } from './autotraderModel';
import type { Clock } from './clock';
import { UNITS, type UnitName } from './scenarios';

/** syslog priorities journalctl filters on with -p */
export const PRIORITY = { err: 3, warning: 4, notice: 5, info: 6 } as const;

export interface JournalEntry {
  /** position in this host's journal: what its cursor names */
  readonly seq: number;
  readonly at: number;
  readonly unit: UnitName | null;
  readonly identifier: string;
  readonly pid: number;
  readonly priority: number;
  readonly message: string;
}

export interface UnitState {
  active: boolean;
  mainPid: number;
  nRestarts: number;
  activeSince: number;
  inactiveSince: number | null;
}

const UNIT_DESCRIPTIONS: Record<UnitName, string> = {
  'autotrader-api': 'Autotrader API server (health API on port 8000)',
  'autotrader-ingestion': 'Autotrader market data ingestion',
  'autotrader-workers': 'Autotrader background workers',
};

const JOURNAL_CAP = 5000;
/** lines kept per log file; offsets stay true to the bytes written */
const LOG_CAP = 5000;
export const LOG_DIR = '/var/log/autotrader';
/** units that write a log file of their own (the API logs to the journal only) */
const LOG_FILES: Partial<Record<UnitName, string>> = { 'autotrader-ingestion': 'ingestion', 'autotrader-workers': 'workers' };
/** each service's Python logger name, which its lines carry after the level */
const LOGGERS: Record<UnitName, string> = { 'autotrader-api': 'api', 'autotrader-ingestion': 'ingestion', 'autotrader-workers': 'workers' };
const LEVELS: Record<number, string> = { 3: 'ERROR', 4: 'WARNING', 5: 'INFO', 6: 'INFO' };

export const ENV_FILE = '/etc/autotrader/env';
export const INGESTION_CONFIG = '/opt/autotrader/configs/ingestion.yaml';
export const SECURITY_CONFIG = '/opt/autotrader/configs/security.yaml';

/** The files a demo host starts with, as the test fleet's hosts have them (testbed/host). */
function initialFiles(): Map<string, string> {
  return new Map([
    [
      ENV_FILE,
      [
        '# Autotrader environment, read by every autotrader-* unit through EnvironmentFile=.',
        '# Edit, then `systemctl restart autotrader-<unit>` for the change to take effect.',
        'WORKER_COUNT=2',
        `COINGECKO_API_KEY=${DEMO_SECRETS.coingeckoKey}`,
        `ALPACA_API_KEY=${DEMO_SECRETS.alpacaKey}`,
        `ALPACA_SECRET_KEY=${DEMO_SECRETS.alpacaSecret}`,
        `GROQ_API_KEY=${DEMO_SECRETS.groqKey}`,
        `ETHERSCAN_API_KEY=${DEMO_SECRETS.etherscanKey}`,
        `IBKR_FA_ACCOUNT=${DEMO_SECRETS.faAccount}`,
        'ETHEREUM_RPC_URL=http://127.0.0.1:8545',
        '',
      ].join('\n'),
    ],
    [
      INGESTION_CONFIG,
      [
        '# Autotrader ingestion configuration.',
        '# Runbook (Rate Limit / SLA): raise update_frequency_seconds to 300 to shed load, then',
        '# `systemctl restart autotrader-ingestion`.',
        'update_frequency_seconds: 60',
        '',
        '# Data sources polled each cycle.',
        'sources:',
        '  - coingecko',
        '  - dexscreener',
        '  - blockscout',
        '  - ethereum_rpc',
        '',
        '# Freshness thresholds (seconds) before a source is reported stale.',
        'staleness_threshold_seconds: 300',
        '',
      ].join('\n'),
    ],
    [
      SECURITY_CONFIG,
      [
        '# Autotrader security settings.',
        '# Runbook (Security Check Failures): set ibkr_fa_scrubbing to true, rotate the logs, then',
        '# restart the autotrader services.',
        'ibkr_fa_scrubbing: false',
        '',
        '# Checks run by the security endpoint.',
        'api_key_validation: true',
        'dependency_audit: true',
        '',
      ].join('\n'),
    ],
  ]);
}

export interface LogLine {
  /** byte offset just after this line's newline */
  readonly end: number;
  readonly text: string;
}

/** One log file: an inode, its lines and their byte offsets, like the file on disk. */
export class DemoLogFile {
  readonly lines: LogLine[] = [];
  size = 0;
  constructor(readonly ino: number) {}

  append(text: string): LogLine {
    this.size += Buffer.byteLength(text) + 1;
    const line = { end: this.size, text };
    this.lines.push(line);
    if (this.lines.length > LOG_CAP) this.lines.splice(0, this.lines.length - LOG_CAP);
    return line;
  }

  /** Lines that start at or after byte `offset`. */
  after(offset: number): LogLine[] {
    return this.lines.filter((l) => l.end - Buffer.byteLength(l.text) - 1 >= offset);
  }
}
/** How systemd prints a timestamp (`systemctl show`, `status`), in UTC: `Thu 2026-11-26 14:33:48 UTC`. */
export function systemdTimestamp(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  return `${day} ${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** journalctl's default "short" format, in UTC: `Nov 26 14:20:01 demo-1 systemd[1]: ...`. */
export function formatJournalLine(hostname: string, entry: JournalEntry): string {
  const d = new Date(entry.at);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${stamp} ${hostname} ${entry.identifier}[${entry.pid}]: ${entry.message}`;
}

/** journalctl's cursor for an entry (`s=` boot, `i=` sequence number in hex). */
export function journalCursor(hostname: string, entry: JournalEntry): string {
  return `s=${hostname};i=${entry.seq.toString(16)}`;
}

/** The sequence number a cursor names, or null when it is not one of ours. */
export function cursorSeq(hostname: string, cursor: string): number | null {
  const m = /^s=([^;]+);i=([0-9a-f]{1,12})$/.exec(cursor);
  return m && m[1] === hostname ? parseInt(m[2]!, 16) : null;
}

/**
 * Secrets the demo's services leak into their journal and logs, as the real ones do (API key
 * at start-up, the FA account, a bearer token): the console's redactor must hide every one.
 */
export const DEMO_SECRETS = {
  coingeckoKey: 'CG-opsdeckDemoKey4Hq8vN2',
  faAccount: 'DU7654321',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.b3BzZGVjay1kZW1vLWhvc3Q.ZGVtb3NpZ25hdHVyZQ',
  webhook: 'sk-opsdeck-demo-0123456789abcdef',
  alpacaKey: 'PKOPSDECKDEMO0000042',
  alpacaSecret: 'opsdeck-demo-alpaca-secret-4b5a9f1c2d3e',
  groqKey: 'gsk_opsdeckDemoGroqKey0123456789',
  etherscanKey: 'OPSDECKDEMOETHERSCANKEY000000001',
} as const;

export function unitDescription(unit: UnitName): string {
  return UNIT_DESCRIPTIONS[unit];
}

/** The host facts script a demo host accepts (answered by demoHostFacts.ts), and what it was made from. */
export interface DemoHostFactsScript {
  /** exactly the text the console's HostMonitor sends */
  text: string;
  /** the watched units, in the script's order (`systemctl show … -- UNITS`) */
  units: readonly string[];
  /** the process probes in the script's order: name -> extended regex for `pgrep -f` */
  processes: Readonly<Record<string, string>>;
}

export interface DemoHostModelOptions {
  hostname: string;
  clock: Clock;
  /** the deployment this host belongs to: unit restarts are reported to it */
  sim: AutotraderModel;
  /** distinguishes hosts' PIDs */
  seed: number;
  /**
   * the catalog's fixed script texts by name (action id, `<id>:precheck`): a `sh -c` or
   * `python3 -c` with exactly one of these is answered by its emulation (sim/demoScripts.ts)
   */
  scripts?: ReadonlyMap<string, string>;
  /** where the host's localhost:8000 goes (the simulator's URL); curl in scripts asks it */
  apiUrl?: string;
  /** the Hosts view's facts script, answered only for exactly this text (sim/demoHostFacts.ts) */
  hostFacts?: DemoHostFactsScript;
}

/** The services' log file layout (Python logging with asctime, UTC): `2026-11-26 14:03:11,000 INFO ingestion: …`. */
export function formatLogLine(at: number, message: string): string {
  return `${new Date(at).toISOString().replace('T', ' ').replace('.', ',').slice(0, 23)} ${message}`;
}

/**
 * The in-memory state of one demo host: three autotrader units with PIDs and a journal.
 * Nothing here touches the user's machine; commands from sim/demoCommand.ts act on it.
 */
export class DemoHostModel {
  readonly hostname: string;
  readonly bootedAt: number;
  readonly units: Record<UnitName, UnitState>;
  readonly journalEvents = new EventEmitter();
  /** `append` (path, line) and `rotate` (path) on the log files: what a follow listens to */
  readonly logEvents = new EventEmitter();
  /** text files by absolute path (env file, configs, backups): what scripts read and edit */
  readonly files: Map<string, string> = initialFiles();
  /** log files by path: `<dir>/<name>.log` and, after a rotation, `.log.1` */
  readonly logs = new Map<string, DemoLogFile>();
  private nextIno: number;
  /** units started while configs/security.yaml had ibkr_fa_scrubbing: true */
  private readonly faScrubbed = new Set<UnitName>();
  private nextSeq = 1;
  readonly scripts: ReadonlyMap<string, string>;
  readonly apiUrl: string | null;
  readonly hostFacts: DemoHostFactsScript | null;
  /** the host's number in its fleet (1…): its PIDs, sizes and figures differ by it */
  readonly seed: number;
  /** the deployment's simulator: queues, tokens and breakers live there, shared by its hosts */
  readonly sim: AutotraderModel;
  private readonly clock: Clock;
  private readonly entries: JournalEntry[] = [];
  private nextPid: number;
  private tickCount = 0;

  constructor(options: DemoHostModelOptions) {
    this.hostname = options.hostname;
    this.clock = options.clock;
    this.sim = options.sim;
    this.scripts = options.scripts ?? new Map();
    this.apiUrl = options.apiUrl ?? null;
    this.hostFacts = options.hostFacts ?? null;
    this.seed = options.seed;
    const now = this.clock.now();
    this.bootedAt = now - (3 * 86400 + 2 * 3600 + 11 * 60) * 1000;
    this.nextPid = 700 + options.seed * 97;
    this.nextIno = 131_072 + options.seed * 1000;
    this.journalEvents.setMaxListeners(100);
    this.logEvents.setMaxListeners(100);
    for (const name of Object.values(LOG_FILES)) this.logs.set(`${LOG_DIR}/${name}.log`, new DemoLogFile(this.nextIno++));
    this.units = {} as Record<UnitName, UnitState>;
    for (const unit of UNITS) {
      const startedAt = this.bootedAt + 9000;
      this.units[unit] = { active: true, mainPid: this.allocatePid(), nRestarts: 0, activeSince: startedAt, inactiveSince: null };
      this.log(null, 'systemd', 1, PRIORITY.info, `Started ${unit}.service - ${UNIT_DESCRIPTIONS[unit]}.`, startedAt);
      this.startupLines(unit, startedAt);
    }
    // some history so `journalctl -n 20` is not empty on a fresh demo
    for (let i = 0; i < 8; i++) this.tick(now - (8 - i) * 5000);
  }

  isUnit(name: string): name is UnitName {
    return (UNITS as readonly string[]).includes(name);
  }

  start(unit: UnitName): void {
    const state = this.units[unit];
    if (state.active) return;
    const now = this.clock.now();
    this.log(null, 'systemd', 1, PRIORITY.info, `Starting ${unit}.service - ${UNIT_DESCRIPTIONS[unit]}...`, now);
    state.active = true;
    state.mainPid = this.allocatePid();
    state.activeSince = now;
    state.inactiveSince = null;
    this.log(null, 'systemd', 1, PRIORITY.info, `Started ${unit}.service - ${UNIT_DESCRIPTIONS[unit]}.`, now);
    this.startupLines(unit, now);
    // a start is a fresh process: the deployment reacts as it does to a restart; the workers
    // start as many as this host's env file says, and the workers panel shows that count
    if (unit === 'autotrader-workers') this.sim.setWorkerCount(Number(this.setting(ENV_FILE, 'WORKER_COUNT') ?? '2'));
    this.sim.restartUnit(unit);
  }

  stop(unit: UnitName): void {
    const state = this.units[unit];
    if (!state.active) return;
    const now = this.clock.now();
    this.log(null, 'systemd', 1, PRIORITY.info, `Stopping ${unit}.service - ${UNIT_DESCRIPTIONS[unit]}...`, now);
    this.log(unit, unit, state.mainPid, PRIORITY.info, 'received SIGTERM, shutting down', now);
    state.active = false;
    state.mainPid = 0;
    state.inactiveSince = now;
    this.log(null, 'systemd', 1, PRIORITY.info, `${unit}.service: Deactivated successfully.`, now);
    this.log(null, 'systemd', 1, PRIORITY.info, `Stopped ${unit}.service - ${UNIT_DESCRIPTIONS[unit]}.`, now);
  }

  restart(unit: UnitName): void {
    this.stop(unit);
    this.units[unit].nRestarts += 1;
    this.start(unit);
  }

  /** The value of a top-level `key: value` line of a config file, or of `KEY=value` in the env file. */
  setting(path: string, key: string): string | null {
    const text = this.files.get(path) ?? '';
    const re = path === ENV_FILE ? new RegExp(`^(?:export )?${key}=(.*)$`, 'm') : new RegExp(`^${key}:[ \\t]*([^#\\n]*?)[ \\t]*(?:#.*)?$`, 'm');
    return re.exec(text)?.[1] ?? null;
  }

  /**
   * logrotate -f: each log moves to `.1` (the old `.1` is compressed away, as delaycompress
   * does) and a new empty file with a new inode takes its place; the services write there next.
   */
  rotateLogs(): string[] {
    const rotated: string[] = [];
    for (const [path, file] of [...this.logs]) {
      if (path.endsWith('.1')) continue;
      this.logs.set(`${path}.1`, file);
      this.logs.set(path, new DemoLogFile(this.nextIno++));
      rotated.push(path);
      this.logEvents.emit('rotate', path);
    }
    return rotated;
  }

  /** Journal entries, oldest first. */
  journal(): readonly JournalEntry[] {
    return this.entries;
  }

  /**
   * What the running units log every few seconds. Lines follow the deployment's scenario so
   * the journal explains what the panels show (and FA ids appear for the redactor to hide).
   */
  tick(at = this.clock.now()): void {
    const n = this.tickCount++;
    const scenario = this.sim.scenario;
    const say = (unit: UnitName, priority: number, message: string): void => {
      const state = this.units[unit];
      if (state.active) this.log(unit, unit, state.mainPid, priority, message, at);
    };
    switch (scenario) {
      case 'freshness-stale':
        say('autotrader-ingestion', PRIORITY.err, 'coingecko: fetch failed: HTTP 429 Too Many Requests; backing off 60 s');
        say('autotrader-ingestion', PRIORITY.warning, 'coingecko: data is stale (no successful update since the last 4 cycles)');
        break;
      case 'broker-down':
        say('autotrader-api', PRIORITY.err, 'ibkr: connect to 127.0.0.1:4001 failed: Connection refused (is IB Gateway running?)');
        say('autotrader-api', PRIORITY.err, 'questrade: token expired; run scripts/setup/set_questrade_token.py');
        break;
      case 'sla-degraded':
        say('autotrader-ingestion', PRIORITY.warning, `coingecko: request took ${2300 + (n % 5) * 60} ms (p95 2400 ms > SLA 2000 ms)`);
        break;
      case 'breaker-open':
        say('autotrader-ingestion', PRIORITY.err, 'circuit breaker coingecko_api is OPEN after 7 failures (last: HTTP 429); skipping coingecko');
        break;
      case 'rate-limited':
        say('autotrader-ingestion', PRIORITY.warning, 'coingecko: rate limit 45/50 used in this window; 3 HTTP 429 responses');
        break;
      case 'queue-backlog':
        say('autotrader-workers', PRIORITY.warning, `scanner: queue backlog 120 pending (threshold 50); processing p95 4200 ms`);
        break;
      case 'security-failing':
        say(
          'autotrader-api',
          PRIORITY.warning,
          this.faScrubbed.has('autotrader-api') ? 'order routed (FA account scrubbed)' : `order routed for fa=DF${1234560 + (n % 7)} (FA scrubbing disabled)`,
        );
        say(
          'autotrader-ingestion',
          PRIORITY.warning,
          this.faScrubbed.has('autotrader-ingestion')
            ? 'ibkr: account snapshot (FA account scrubbed)'
            : `ibkr: account snapshot fa=DF${1234560 + (n % 7)} (FA scrubbing disabled)`,
        );
        say('autotrader-api', PRIORITY.warning, 'security: missing API keys: GROQ_API_KEY, ETHERSCAN_API_KEY');
        break;
      case 'normal':
        break;
    }
    say('autotrader-ingestion', PRIORITY.info, `coingecko: fetched ${240 + (n % 20)} markets in ${160 + ((n * 37) % 60)} ms`);
    say('autotrader-workers', PRIORITY.info, `scanner: processed ${8 + (n % 9)} jobs`);
    say('autotrader-api', PRIORITY.info, `127.0.0.1 "GET /api/health/circuit-breakers HTTP/1.1" 200`);
  }

  private allocatePid(): number {
    const pid = this.nextPid;
    this.nextPid += 3 + (pid % 11);
    return pid;
  }

  /** What a unit says as it starts, secrets included, as the real services do (testbed/host/opt). */
  private startupLines(unit: UnitName, at: number): void {
    const pid = this.units[unit].mainPid;
    const say = (message: string): void => this.log(unit, unit, pid, PRIORITY.info, message, at);
    // configs/security.yaml is read at start: only a restart after the edit stops the FA ids
    if (this.setting(SECURITY_CONFIG, 'ibkr_fa_scrubbing') === 'true') this.faScrubbed.add(unit);
    else this.faScrubbed.delete(unit);
    if (unit === 'autotrader-api') {
      say('Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)');
    } else if (unit === 'autotrader-ingestion') {
      const frequency = this.setting(INGESTION_CONFIG, 'update_frequency_seconds') ?? '60';
      say(`ingestion starting pid=${pid} update_frequency_seconds=${frequency} sources=coingecko,dexscreener,blockscout,ethereum_rpc`);
      say(`coingecko client configured COINGECKO_API_KEY=${DEMO_SECRETS.coingeckoKey}`);
      say(
        this.faScrubbed.has(unit)
          ? 'ibkr gateway session opened (FA account scrubbed) port=4001'
          : `ibkr gateway session opened fa=${DEMO_SECRETS.faAccount} port=4001`,
      );
      say(`blockscout request headers Authorization: Bearer ${DEMO_SECRETS.bearer}`);
    } else {
      say(`workers starting pid=${pid} WORKER_COUNT=${this.setting(ENV_FILE, 'WORKER_COUNT') ?? '2'} queues=scanner,alerts,backfill`);
      say(`alerts worker webhook token=Bearer ${DEMO_SECRETS.webhook}`);
    }
  }

  private log(unit: UnitName | null, identifier: string, pid: number, priority: number, text: string, at: number): void {
    const own = unit !== null && identifier === unit;
    // the services log through Python logging to stderr (the journal) and to their log file
    const message = own ? `${LEVELS[priority] ?? 'INFO'} ${LOGGERS[unit]}: ${text}` : text;
    const entry: JournalEntry = {
      seq: this.nextSeq++,
      at,
      unit: unit ?? (identifier === 'systemd' ? unitOf(message) : null),
      identifier,
      pid,
      priority,
      message,
    };
    const logName = own ? LOG_FILES[unit] : undefined;
    if (logName) {
      const path = `${LOG_DIR}/${logName}.log`;
      const line = this.logs.get(path)!.append(formatLogLine(at, message));
      this.logEvents.emit('append', path, line);
    }
    this.entries.push(entry);
    if (this.entries.length > JOURNAL_CAP) this.entries.splice(0, this.entries.length - JOURNAL_CAP);
    this.journalEvents.emit('entry', entry);
  }
}

/** systemd's own lines about a unit belong to that unit's journal (`journalctl -u` shows them). */
function unitOf(message: string): UnitName | null {
  for (const unit of UNITS) if (message.includes(`${unit}.service`)) return unit;
  return null;
}
