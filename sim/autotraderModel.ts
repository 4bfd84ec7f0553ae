import type { BROKERS } from '../common/health';
import {
  DATA_SOURCES,
  ENDPOINT_PATHS,
  type BreakerItem,
  type BrokerItem,
  type Endpoint,
  type FreshnessItem,
  type RateLimitItem,
  type SecurityItem,
  type SlaItem,
  type WorkerQueueItem,
} from '../common/health';
import { CircuitBreaker, type BreakerConfig, type BreakerState } from './circuitBreaker';
import type { Clock } from './clock';
import { AREA_SCENARIOS, CLEARED_BY_RESTART, UNITS, type ScenarioName, type UnitName } from './scenarios';
import { recordFrom } from '../common/emptyRecord';

type DataSource = (typeof DATA_SOURCES)[number];
type Broker = (typeof BROKERS)[number];
type Level = 'ok' | 'degraded' | 'failed';

export const BREAKER_NAMES = ['coingecko_api', 'dexscreener_api', 'blockscout_api', 'ethereum_rpc'] as const;
export type BreakerName = (typeof BREAKER_NAMES)[number];
export const QUEUES = ['scanner', 'alerts', 'backfill'] as const;

const BREAKER_CONFIG: Record<BreakerName, BreakerConfig> = {
  coingecko_api: { failureThreshold: 5, recoveryTimeoutSeconds: 60, failureIntervalSeconds: 10, trialDelaySeconds: 5 },
  dexscreener_api: { failureThreshold: 5, recoveryTimeoutSeconds: 30, failureIntervalSeconds: 10, trialDelaySeconds: 5 },
  blockscout_api: { failureThreshold: 5, recoveryTimeoutSeconds: 90, failureIntervalSeconds: 10, trialDelaySeconds: 5 },
  ethereum_rpc: { failureThreshold: 3, recoveryTimeoutSeconds: 120, failureIntervalSeconds: 10, trialDelaySeconds: 5 },
};

/** How often ingestion pulls each source (configs/ingestion.yaml's update_frequency_seconds). */
export const UPDATE_FREQUENCY_SECONDS: Record<DataSource, number> = {
  coingecko: 60,
  dexscreener: 30,
  blockscout: 120,
  ethereum_rpc: 15,
};
/** Data older than this many update periods is stale; older than OUTDATED_AFTER, outdated. */
export const STALE_AFTER = 2;
export const OUTDATED_AFTER = 5;

const SLA_BASE: Record<DataSource, { p50: number; p95: number; p99: number; success: number }> = {
  coingecko: { p50: 180, p95: 640, p99: 1300, success: 0.991 },
  dexscreener: { p50: 120, p95: 410, p99: 900, success: 0.994 },
  blockscout: { p50: 310, p95: 950, p99: 1900, success: 0.988 },
  ethereum_rpc: { p50: 60, p95: 170, p99: 420, success: 0.997 },
};
const SLA_THRESHOLDS = { latency_p95_ms: 2000, latency_p99_ms: 5000, success_rate: 0.95 };

const RATE_LIMITS: Record<DataSource, { limit: number; window: number; tier: string; typical: number }> = {
  coingecko: { limit: 50, window: 60, tier: 'free', typical: 0.45 },
  dexscreener: { limit: 300, window: 60, tier: 'public', typical: 0.3 },
  blockscout: { limit: 600, window: 60, tier: 'free', typical: 0.2 },
  ethereum_rpc: { limit: 1500, window: 60, tier: 'growth', typical: 0.35 },
};

const DEFAULT_WORKER_COUNT = 2;
const QUESTRADE_TOKEN_DAYS = 30;

// ---- deterministic drift ------------------------------------------------------------------
// Values move smoothly with time so charts look alive, yet a given instant always gives the
// same numbers (no Math.random), which keeps tests about shapes and thresholds repeatable.

function hash01(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

/** In [-1, 1]: a slow wave plus a faster ripple, phase-shifted per key. */
function drift(key: string, ms: number): number {
  const slow = Math.sin((2 * Math.PI * ms) / 600_000 + 2 * Math.PI * hash01(key));
  const fast = Math.sin((2 * Math.PI * ms) / 47_000 + 2 * Math.PI * hash01(`${key}~`));
  return 0.7 * slow + 0.3 * fast;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

export interface AutotraderModelOptions {
  clock: Clock;
  scenario?: ScenarioName;
  version?: string;
  /** uptime the API reports at start: the demo pretends it has run for 3 h; the CLI says 0 */
  initialUptimeSeconds?: number;
  /** Called after every scenario change, whatever caused it (control API, cycle, restart). */
  onScenarioChange?: (scenario: ScenarioName, since: number) => void;
}

export interface CycleState {
  seconds: number;
  startedAt: number;
}

/**
 * The autotrader deployment the simulator pretends to be: one scenario at a time, the
 * breakers' state machines, and the health bodies computed from the injected clock.
 */
export class AutotraderModel {
  readonly version: string;
  private readonly clock: Clock;
  private readonly onScenarioChange: AutotraderModelOptions['onScenarioChange'];
  private current: ScenarioName = 'normal';
  private since: number;
  private apiStartedAt: number;
  private ingestionRestartedAt: number | null = null;
  private readonly breakers: Record<BreakerName, CircuitBreaker>;
  private cycleState: CycleState | null = null;
  private cycleIndex = -1;
  /** Questrade tokens last 30 days: the normal token was issued 12 days before the sim started. */
  private questradeTokenExpiresAt: number;
  /** when the token was last refreshed on a host: a refresh during broker-down fixes questrade */
  private questradeRefreshedAt: number | null = null;
  /** when IB Gateway was last restarted on a host: a restart during broker-down brings ibkr back */
  private gatewayRestartedAt: number | null = null;
  /** worker queues emptied (DEL on a demo host) since the current scenario began */
  private readonly clearedQueues = new Set<string>();
  /** workers started by the last workers restart (WORKER_COUNT in the host's env file) */
  private workerCount = DEFAULT_WORKER_COUNT;
  /** units restarted since the current scenario began: restarting every service clears the FA check */
  private readonly restartedSince = new Set<UnitName>();

  constructor(options: AutotraderModelOptions) {
    this.clock = options.clock;
    this.version = options.version ?? '2.4.1-sim';
    this.onScenarioChange = options.onScenarioChange;
    const now = this.clock.now();
    this.since = now;
    this.apiStartedAt = now - (options.initialUptimeSeconds ?? 3 * 3600) * 1000;
    this.questradeTokenExpiresAt = Math.floor(now / 60_000) * 60_000 + (QUESTRADE_TOKEN_DAYS - 12) * 86400_000;
    this.breakers = recordFrom(BREAKER_NAMES.map((name) => [name, new CircuitBreaker(name, BREAKER_CONFIG[name], now)])) as Record<BreakerName, CircuitBreaker>;
    this.apply(options.scenario ?? 'normal', now, false);
  }

  get scenario(): ScenarioName {
    this.sync();
    return this.current;
  }

  get scenarioSince(): number {
    return this.since;
  }

  get cycle(): CycleState | null {
    return this.cycleState;
  }

  /** Switch scenario now. A manual switch ends `--cycle` mode. */
  setScenario(name: ScenarioName): void {
    this.cycleState = null;
    this.apply(name, this.clock.now(), true);
  }

  /** Show every area scenario in turn, `seconds` each, starting now with the first. */
  startCycle(seconds: number): void {
    if (!(seconds > 0)) throw new Error(`cycle seconds must be > 0, got ${seconds}`);
    this.cycleState = { seconds, startedAt: this.clock.now() };
    this.cycleIndex = -1;
    this.sync();
  }

  /** A unit of the deployment restarted (demo host, or the testbed's marker file). */
  restartUnit(unit: UnitName): void {
    this.sync();
    const now = this.clock.now();
    if (unit === 'autotrader-api') this.apiStartedAt = now;
    if (unit === 'autotrader-ingestion') this.ingestionRestartedAt = now;
    this.restartedSince.add(unit);
    // The fix holds: normal until the next scenario change. In --cycle mode that is the next
    // cycle boundary, so the demo goes on lighting up the other panels afterwards.
    if (CLEARED_BY_RESTART[this.current] === unit) this.apply('normal', now, true);
  }

  /** The workers restarted with `count` processes (a positive integer; anything else is ignored). */
  setWorkerCount(count: number): void {
    if (Number.isInteger(count) && count > 0) this.workerCount = count;
  }

  /** A worker queue was deleted (demo host's queue.clear): empty until the next scenario entry. */
  clearQueue(queue: (typeof QUEUES)[number]): void {
    this.sync();
    this.clearedQueues.add(queue);
  }

  /** When the Questrade token expires, as the brokers endpoint and the token file say. */
  questradeTokenExpiry(): number {
    this.sync();
    return this.current === 'broker-down' && !this.questradeFixed() ? this.since - 2 * 86400_000 : this.questradeTokenExpiresAt;
  }

  /** A new Questrade token (set_questrade_token.py on a host): valid 30 days (or `days`) from now. */
  refreshQuestradeToken(days = QUESTRADE_TOKEN_DAYS): number {
    this.sync();
    const now = this.clock.now();
    this.questradeRefreshedAt = now;
    this.questradeTokenExpiresAt = Math.floor(now / 1000) * 1000 + days * 86400_000;
    return this.questradeTokenExpiresAt;
  }

  /** IB Gateway restarted on a host (the runbook's `./ibgateway restart`): online until the next scenario entry. */
  restartGateway(): void {
    this.sync();
    this.gatewayRestartedAt = this.clock.now();
  }

  private gatewayFixed(): boolean {
    return this.gatewayRestartedAt !== null && this.gatewayRestartedAt >= this.since;
  }

  private questradeFixed(): boolean {
    return this.questradeRefreshedAt !== null && this.questradeRefreshedAt >= this.since;
  }

  breakerNames(): readonly BreakerName[] {
    return BREAKER_NAMES;
  }

  isBreakerName(name: string): name is BreakerName {
    return (BREAKER_NAMES as readonly string[]).includes(name);
  }

  resetBreaker(name: BreakerName): BreakerItem {
    this.sync();
    const now = this.clock.now();
    this.breakers[name].reset(now);
    return this.breakers[name].snapshot(now);
  }

  forceBreaker(name: BreakerName, state: BreakerState, opts: { failureCount?: number; lastFailure?: string } = {}): BreakerItem {
    this.sync();
    const now = this.clock.now();
    this.breakers[name].force(now, state, opts);
    return this.breakers[name].snapshot(now);
  }

  /** Apply `--cycle` boundaries up to now. Called before every read. */
  sync(): void {
    const cycle = this.cycleState;
    if (!cycle) return;
    const now = this.clock.now();
    const index = Math.floor((now - cycle.startedAt) / (cycle.seconds * 1000));
    if (index === this.cycleIndex) return;
    this.cycleIndex = index;
    const name = AREA_SCENARIOS[index % AREA_SCENARIOS.length] as ScenarioName;
    // Only the latest boundary matters: entering a scenario resets the world to it.
    this.apply(name, cycle.startedAt + index * cycle.seconds * 1000, true);
  }

  /** The JSON body of one GET endpoint, as the real API would send it now. */
  body(endpoint: Endpoint): Record<string, unknown> {
    this.sync();
    const now = this.clock.now();
    switch (endpoint) {
      case 'overview':
        return this.overview(now);
      case 'freshness':
        return { generated_at: iso(now), sources: this.freshness(now) };
      case 'brokers':
        return { generated_at: iso(now), brokers: this.brokers(now) };
      case 'sla':
        return { window_seconds: 3600, generated_at: iso(now), sources: this.sla(now) };
      case 'circuitBreakers':
        return { generated_at: iso(now), breakers: this.breakerItems(now) };
      case 'rateLimits':
        return { generated_at: iso(now), rate_limits: this.rateLimits(now) };
      case 'workers':
        return { generated_at: iso(now), worker_count: this.workerCount, queues: this.workers(now) };
      case 'security':
        return { generated_at: iso(now), checks: this.security() };
    }
  }

  // ---- scenario entry ---------------------------------------------------------------------

  /** Entering a scenario resets the world to it: every breaker is re-initialised too. */
  private apply(name: ScenarioName, at: number, notify: boolean): void {
    this.current = name;
    this.since = at;
    this.clearedQueues.clear();
    this.restartedSince.clear();
    for (const breakerName of BREAKER_NAMES) {
      const breaker = this.breakers[breakerName];
      const failing = name === 'breaker-open' && breakerName === 'coingecko_api';
      breaker.reset(at);
      breaker.lastFailure = null;
      breaker.setUpstream(at, failing, failing ? 'HTTP 429' : '');
      if (failing) breaker.force(at, 'OPEN', { failureCount: 7, lastFailure: 'HTTP 429' });
    }
    if (notify) this.onScenarioChange?.(name, at);
  }

  private elapsedSeconds(now: number): number {
    return Math.max(0, (now - this.since) / 1000);
  }

  // ---- bodies -----------------------------------------------------------------------------

  private freshness(now: number): Record<DataSource, FreshnessItem> {
    const out = {} as Record<DataSource, FreshnessItem>;
    for (const source of DATA_SOURCES) {
      const freq = UPDATE_FREQUENCY_SECONDS[source];
      const offset = hash01(`fresh-${source}`) * freq * 1000;
      let lastUpdated = Math.floor((now - offset) / (freq * 1000)) * freq * 1000 + offset;
      let errorRate = 0.01 + 0.006 * drift(`err-${source}`, now);
      if (this.ingestionRestartedAt !== null && lastUpdated < this.ingestionRestartedAt) {
        // ingestion fetches everything once right after it starts
        lastUpdated = Math.min(now, this.ingestionRestartedAt + 2000);
      }
      if (this.current === 'freshness-stale' && source === 'coingecko') {
        // the last good fetch was four periods before the scenario began; nothing since
        lastUpdated = this.since - 4 * freq * 1000;
        errorRate = 0.12;
      }
      const age = Math.max(0, (now - lastUpdated) / 1000);
      out[source] = {
        freshness: age > OUTDATED_AFTER * freq ? 'outdated' : age > STALE_AFTER * freq ? 'stale' : 'fresh',
        last_updated: iso(lastUpdated),
        data_age_seconds: round(age, 1),
        update_frequency_seconds: freq,
        error_rate: round(errorRate, 4),
        requests_last_hour: Math.round((3600 / freq) * (1 + errorRate)),
      };
    }
    return out;
  }

  private brokers(now: number): Record<Broker, BrokerItem> {
    // brokers are probed every 30 s, each at its own offset
    const checked = (broker: string): string => {
      const offset = Math.round(hash01(`chk-${broker}`) * 30_000);
      return iso(Math.floor((now - offset) / 30_000) * 30_000 + offset);
    };
    const latency = (broker: string, base: number): number => Math.round(base * (1 + 0.25 * drift(`lat-${broker}`, now)));
    const out: Record<Broker, BrokerItem> = {
      paper: { status: 'online', last_checked: checked('paper'), latency_ms: latency('paper', 2), detail: null },
      alpaca: { status: 'online', last_checked: checked('alpaca'), latency_ms: latency('alpaca', 120), detail: 'paper-api.alpaca.markets' },
      questrade: {
        status: 'online',
        last_checked: checked('questrade'),
        latency_ms: latency('questrade', 180),
        detail: null,
        token_expires_at: iso(this.questradeTokenExpiresAt),
      },
      ibkr: { status: 'online', last_checked: checked('ibkr'), latency_ms: latency('ibkr', 40), detail: 'IB Gateway on port 4001' },
    };
    if (this.current === 'broker-down' && !this.gatewayFixed()) {
      out.ibkr = { status: 'offline', last_checked: checked('ibkr'), latency_ms: null, detail: 'gateway port 4001 closed' };
    }
    if (this.current === 'broker-down' && !this.questradeFixed()) {
      out.questrade = {
        status: 'error',
        last_checked: checked('questrade'),
        latency_ms: null,
        detail: 'token expired',
        token_expires_at: iso(this.since - 2 * 86400_000),
      };
    }
    return out;
  }

  private sla(now: number): Record<DataSource, SlaItem> {
    const out = {} as Record<DataSource, SlaItem>;
    for (const source of DATA_SOURCES) {
      const base = SLA_BASE[source];
      const d = drift(`sla-${source}`, now);
      let p50 = Math.round(base.p50 * (1 + 0.15 * d));
      let p95 = Math.round(base.p95 * (1 + 0.2 * d));
      let p99 = Math.round(base.p99 * (1 + 0.25 * d));
      let success = round(base.success - 0.004 * (1 + d), 4);
      if (this.current === 'sla-degraded' && source === 'coingecko') {
        p50 = 180;
        p95 = 2400;
        p99 = 5100;
        success = 0.93;
      }
      out[source] = {
        status: slaStatus(p95, p99, success),
        latency_p50_ms: p50,
        latency_p95_ms: p95,
        latency_p99_ms: p99,
        success_rate: success,
        thresholds: { ...SLA_THRESHOLDS },
      };
    }
    return out;
  }

  private breakerItems(now: number): Record<BreakerName, BreakerItem> {
    const out = {} as Record<BreakerName, BreakerItem>;
    for (const name of BREAKER_NAMES) out[name] = this.breakers[name].snapshot(now);
    return out;
  }

  private rateLimits(now: number): Record<DataSource, RateLimitItem> {
    const out = {} as Record<DataSource, RateLimitItem>;
    for (const source of DATA_SOURCES) {
      const cfg = RATE_LIMITS[source];
      const windowMs = cfg.window * 1000;
      let used = Math.round(cfg.limit * cfg.typical * (1 + 0.3 * drift(`rl-${source}`, now)));
      let recent429 = 0;
      if (this.current === 'rate-limited' && source === 'coingecko') {
        used = 45;
        recent429 = 3;
      }
      used = Math.min(cfg.limit, Math.max(0, used));
      out[source] = {
        used,
        limit: cfg.limit,
        remaining: cfg.limit - used,
        window_seconds: cfg.window,
        reset_at: iso((Math.floor(now / windowMs) + 1) * windowMs),
        recent_429: recent429,
        tier: cfg.tier,
      };
    }
    return out;
  }

  private workers(now: number): Record<(typeof QUEUES)[number], WorkerQueueItem> {
    const queue = (name: string, pendingBase: number, p50: number, p95: number): WorkerQueueItem => {
      const d = drift(`q-${name}`, now);
      const pending = Math.max(0, Math.round(pendingBase * (1 + 0.6 * d)));
      return {
        pending,
        processing_time_p50_ms: Math.round(p50 * (1 + 0.2 * d)),
        processing_time_p95_ms: Math.round(p95 * (1 + 0.3 * d)),
        workers: this.workerCount,
        status: pending > 50 ? 'degraded' : 'healthy',
        oldest_job_age_seconds: pending === 0 ? null : round(Math.max(1, (pending * (p50 / 1000)) / this.workerCount), 1),
      };
    };
    const out = {
      scanner: queue('scanner', 8, 350, 1200),
      alerts: queue('alerts', 2, 40, 150),
      backfill: queue('backfill', 20, 1500, 4800),
    };
    if (this.current === 'queue-backlog' && !this.clearedQueues.has('scanner')) {
      out.scanner = {
        pending: 120,
        processing_time_p50_ms: 900,
        processing_time_p95_ms: 4200,
        workers: this.workerCount,
        status: 'degraded',
        oldest_job_age_seconds: round(610 + this.elapsedSeconds(now), 1),
      };
    }
    for (const name of this.clearedQueues) {
      const q = out[name as (typeof QUEUES)[number]];
      if (q) Object.assign(q, { pending: 0, status: 'healthy', oldest_job_age_seconds: null });
    }
    return out;
  }

  private security(): Record<string, SecurityItem> {
    const failing = this.current === 'security-failing';
    // the runbook's fix for FA ids in the logs ends with "restart every service"
    const scrubbed = UNITS.every((unit) => this.restartedSince.has(unit));
    return {
      ibkr_fa_scrubbing:
        failing && !scrubbed
          ? { status: 'failing', severity: 'critical', detail: 'FA account pattern found in logs' }
          : { status: 'passing', severity: 'info', detail: 'no FA account patterns in /var/log/autotrader in the last 24 h' },
      dependency_vulnerabilities: failing
        ? { status: 'failing', severity: 'high', critical: 0, high: 2, medium: 5, packages: ['urllib3==1.26.5', 'aiohttp==3.8.1'] }
        : { status: 'passing', severity: 'info', critical: 0, high: 0, medium: 0, packages: [] },
      api_key_validation: failing
        ? { status: 'failing', severity: 'medium', detail: '2 of 7 API keys missing', missing: ['GROQ_API_KEY', 'ETHERSCAN_API_KEY'] }
        : { status: 'passing', severity: 'info', detail: 'all 7 API keys set', missing: [] },
    };
  }

  private overview(now: number): Record<string, unknown> {
    const areas: Record<Exclude<Endpoint, 'overview'>, Level> = {
      freshness: worst(
        Object.values(this.freshness(now)).map((f) =>
          f.freshness === 'outdated' ? 'failed' : f.freshness === 'stale' || f.error_rate > 0.05 ? 'degraded' : 'ok',
        ),
      ),
      brokers: worst(Object.values(this.brokers(now)).map((b) => (b.status === 'online' ? 'ok' : 'failed'))),
      sla: worst(Object.values(this.sla(now)).map((s) => (s.status === 'HEALTHY' ? 'ok' : s.status === 'DEGRADED' ? 'degraded' : 'failed'))),
      circuitBreakers: worst(Object.values(this.breakerItems(now)).map((b) => (b.state === 'CLOSED' ? 'ok' : b.state === 'HALF_OPEN' ? 'degraded' : 'failed'))),
      rateLimits: worst(Object.values(this.rateLimits(now)).map((r) => (r.used / r.limit > 0.8 || r.recent_429 > 0 ? 'degraded' : 'ok'))),
      workers: worst(Object.values(this.workers(now)).map((q) => (q.status === 'healthy' ? 'ok' : q.status === 'degraded' ? 'degraded' : 'failed'))),
      security: worst(
        Object.values(this.security()).map((c) => (c.status === 'passing' ? 'ok' : c.severity === 'critical' || c.severity === 'high' ? 'failed' : 'degraded')),
      ),
    };
    return {
      status: worst(Object.values(areas)),
      version: this.version,
      uptime_seconds: Math.round((now - this.apiStartedAt) / 1000),
      generated_at: iso(now),
      endpoints: (Object.keys(areas) as (keyof typeof areas)[]).map((endpoint) => ({ path: ENDPOINT_PATHS[endpoint], status: areas[endpoint] })),
    };
  }
}

function slaStatus(p95: number, p99: number, success: number): SlaItem['status'] {
  const t = SLA_THRESHOLDS;
  if (success < t.success_rate - 0.1 || p95 > 2 * t.latency_p95_ms || p99 > 2 * t.latency_p99_ms) return 'FAILED';
  if (success < t.success_rate || p95 > t.latency_p95_ms || p99 > t.latency_p99_ms) return 'DEGRADED';
  return 'HEALTHY';
}

function worst(levels: Level[]): Level {
  if (levels.includes('failed')) return 'failed';
  if (levels.includes('degraded')) return 'degraded';
  return 'ok';
}
