import { EventEmitter } from 'node:events';
import type { AutotraderModel } from './autotraderModel';
import type { Clock } from './clock';
import { UNITS, type UnitName } from './scenarios';

/** syslog priorities journalctl filters on with -p */
export const PRIORITY = { err: 3, warning: 4, notice: 5, info: 6 } as const;

export interface JournalEntry {
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
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** journalctl's default "short" format, in UTC: `Nov 26 14:20:01 demo-1 systemd[1]: ...`. */
export function formatJournalLine(hostname: string, entry: JournalEntry): string {
  const d = new Date(entry.at);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${stamp} ${hostname} ${entry.identifier}[${entry.pid}]: ${entry.message}`;
}

export function unitDescription(unit: UnitName): string {
  return UNIT_DESCRIPTIONS[unit];
}

export interface DemoHostModelOptions {
  hostname: string;
  clock: Clock;
  /** the deployment this host belongs to: unit restarts are reported to it */
  sim: AutotraderModel;
  /** distinguishes hosts' PIDs */
  seed: number;
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
  private readonly clock: Clock;
  private readonly sim: AutotraderModel;
  private readonly entries: JournalEntry[] = [];
  private nextPid: number;
  private tickCount = 0;

  constructor(options: DemoHostModelOptions) {
    this.hostname = options.hostname;
    this.clock = options.clock;
    this.sim = options.sim;
    const now = this.clock.now();
    this.bootedAt = now - (3 * 86400 + 2 * 3600 + 11 * 60) * 1000;
    this.nextPid = 700 + options.seed * 97;
    this.journalEvents.setMaxListeners(100);
    this.units = {} as Record<UnitName, UnitState>;
    for (const unit of UNITS) {
      const startedAt = this.bootedAt + 9000;
      this.units[unit] = { active: true, mainPid: this.allocatePid(), nRestarts: 0, activeSince: startedAt, inactiveSince: null };
      this.log(null, 'systemd', 1, PRIORITY.info, `Started ${unit}.service - ${UNIT_DESCRIPTIONS[unit]}.`, startedAt);
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
    this.log(unit, unit, state.mainPid, PRIORITY.info, startupMessage(unit), now);
    // a start is a fresh process: the deployment reacts as it does to a restart
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
        say('autotrader-api', PRIORITY.warning, `order routed for fa=DF${1234560 + (n % 7)} (FA scrubbing disabled)`);
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

  private log(unit: UnitName | null, identifier: string, pid: number, priority: number, message: string, at: number): void {
    const entry: JournalEntry = { at, unit: unit ?? (identifier === 'systemd' ? unitOf(message) : null), identifier, pid, priority, message };
    this.entries.push(entry);
    if (this.entries.length > JOURNAL_CAP) this.entries.splice(0, this.entries.length - JOURNAL_CAP);
    this.journalEvents.emit('entry', entry);
  }
}

function startupMessage(unit: UnitName): string {
  if (unit === 'autotrader-api') return 'Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)';
  if (unit === 'autotrader-ingestion') return 'ingestion started: coingecko every 60 s, dexscreener every 30 s, blockscout every 120 s, ethereum_rpc every 15 s';
  return 'workers started: WORKER_COUNT=2, queues scanner, alerts, backfill';
}

/** systemd's own lines about a unit belong to that unit's journal (`journalctl -u` shows them). */
function unitOf(message: string): UnitName | null {
  for (const unit of UNITS) if (message.includes(`${unit}.service`)) return unit;
  return null;
}
