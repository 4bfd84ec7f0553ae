// The runbook's thresholds (docs/health-api.md "Thresholds", resources/runbooks/) in one
// place for both sides: the renderer's panel selectors colour items with them and main's alert
// rules fire on them (the config may override the alert copy; see docs/alerts.md). Keeping the
// numbers here means a panel and its alert cannot disagree about what "too high" is.
import { z } from 'zod';
import { ENDPOINTS, type Endpoint } from './health';

/** Data Freshness: "High error rates on data source ... Check if error rate > 5%". */
export const FRESHNESS_ERROR_RATE_WARN = 0.05;
/** Data Freshness: "Data age exceeds update frequency significantly": we read that as 2x. */
export const FRESHNESS_AGE_FACTOR_WARN = 2;
/** SLA: "Success rate below 95%", used when an item carries no threshold of its own. */
export const SLA_SUCCESS_RATE_DEFAULT = 0.95;
/** SLA: the health API's documented default latency thresholds. */
export const SLA_P95_MS_DEFAULT = 2000;
export const SLA_P99_MS_DEFAULT = 5000;
/** Rate Limit Exhaustion: "Rate limit usage > 80%". */
export const RATE_LIMIT_USAGE_WARN = 0.8;
/** Worker Queue Backlog: "Pending jobs > 50". */
export const WORKER_PENDING_WARN = 50;
/** Brokers: Questrade tokens last 30 days; warn when fewer than 3 days are left. */
export const TOKEN_EXPIRY_WARN_SECONDS = 3 * 24 * 3600;
/** Console's own data: a panel whose last good data is older than this many intervals says so. */
export const STALE_INTERVALS = 2;

/** Section ids of autotrader-runbooks.md; every alert names one. */
export const RUNBOOK_SECTIONS = [
  'data-freshness',
  'broker-connectivity',
  'sla-violations',
  'circuit-breakers',
  'rate-limits',
  'worker-queues',
  'security-checks',
] as const;
export type RunbookSection = (typeof RUNBOOK_SECTIONS)[number];

/** Each section's heading in the team's runbook (main/core/runbooks/fixtures/team/autotrader-runbooks.md), in its order. */
export const RUNBOOK_SECTION_TITLES: Readonly<Record<RunbookSection, string>> = {
  'data-freshness': 'Data Freshness Issues',
  'broker-connectivity': 'Broker Connectivity Problems',
  'sla-violations': 'SLA Violations',
  'circuit-breakers': 'Circuit Breaker Trips',
  'rate-limits': 'Rate Limit Exhaustion',
  'worker-queues': 'Worker Queue Backlog',
  'security-checks': 'Security Check Failures',
};

export type AlertSeverity = 'warning' | 'critical';

/**
 * One alert rule. A numeric metric is read from each item of one endpoint; `above` rules fire
 * when the metric is > fire and clear only once it is <= clear (`below` rules: fire when < fire,
 * clear once >= clear), so a value wobbling between the two lines neither fires nor clears.
 * `critical` (optional) raises the severity while the metric is past it (> for `above`, < for
 * `below`). Levels are small integers (0 = good), so fire 0 / clear 0 means "any bad level".
 */
export interface RuleDefinition {
  readonly id: string;
  readonly section: RunbookSection;
  readonly endpoint: Exclude<Endpoint, 'overview'>;
  readonly title: string;
  readonly direction: 'above' | 'below';
  readonly fire: number;
  readonly clear: number;
  readonly critical: number | null;
  readonly severity: AlertSeverity;
  /** unit used when the value is put into words */
  readonly unit: 'ratio' | 'count' | 'ms' | 'seconds' | 'level' | 'factor';
  /** names for `level` values (0 = good) */
  readonly levels?: readonly string[];
}

const DAY = 24 * 3600;

/** The default rules: the runbook's thresholds, with a clear line a notch inside each. */
export const DEFAULT_RULES: readonly RuleDefinition[] = [
  {
    id: 'freshness-level',
    section: 'data-freshness',
    endpoint: 'freshness',
    title: 'data not fresh',
    direction: 'above',
    fire: 0,
    clear: 0,
    critical: 1,
    severity: 'warning',
    unit: 'level',
    levels: ['fresh', 'stale', 'outdated'],
  },
  {
    id: 'freshness-error-rate',
    section: 'data-freshness',
    endpoint: 'freshness',
    title: 'source error rate',
    direction: 'above',
    fire: FRESHNESS_ERROR_RATE_WARN,
    clear: 0.04,
    critical: null,
    severity: 'warning',
    unit: 'ratio',
  },
  {
    id: 'freshness-age',
    section: 'data-freshness',
    endpoint: 'freshness',
    title: 'data age vs update frequency',
    direction: 'above',
    fire: FRESHNESS_AGE_FACTOR_WARN,
    clear: 1.5,
    critical: null,
    severity: 'warning',
    unit: 'factor',
  },
  {
    id: 'broker-status',
    section: 'broker-connectivity',
    endpoint: 'brokers',
    title: 'broker not online',
    direction: 'above',
    fire: 0,
    clear: 0,
    critical: 0,
    severity: 'critical',
    unit: 'level',
    levels: ['online', 'offline or error'],
  },
  {
    id: 'broker-token-expiry',
    section: 'broker-connectivity',
    endpoint: 'brokers',
    title: 'token expiry',
    direction: 'below',
    fire: TOKEN_EXPIRY_WARN_SECONDS,
    clear: 3.5 * DAY,
    critical: 0,
    severity: 'warning',
    unit: 'seconds',
  },
  {
    id: 'sla-status',
    section: 'sla-violations',
    endpoint: 'sla',
    title: 'SLA status',
    direction: 'above',
    fire: 0,
    clear: 0,
    critical: 1,
    severity: 'warning',
    unit: 'level',
    levels: ['HEALTHY', 'DEGRADED', 'FAILED'],
  },
  {
    id: 'sla-success-rate',
    section: 'sla-violations',
    endpoint: 'sla',
    title: 'success rate',
    direction: 'below',
    fire: SLA_SUCCESS_RATE_DEFAULT,
    clear: 0.96,
    critical: null,
    severity: 'warning',
    unit: 'ratio',
  },
  {
    id: 'sla-latency-p95',
    section: 'sla-violations',
    endpoint: 'sla',
    title: 'latency p95',
    direction: 'above',
    fire: SLA_P95_MS_DEFAULT,
    clear: 1800,
    critical: null,
    severity: 'warning',
    unit: 'ms',
  },
  {
    id: 'sla-latency-p99',
    section: 'sla-violations',
    endpoint: 'sla',
    title: 'latency p99',
    direction: 'above',
    fire: SLA_P99_MS_DEFAULT,
    clear: 4500,
    critical: null,
    severity: 'warning',
    unit: 'ms',
  },
  {
    id: 'breaker-state',
    section: 'circuit-breakers',
    endpoint: 'circuitBreakers',
    title: 'circuit breaker not closed',
    direction: 'above',
    fire: 0,
    clear: 0,
    critical: 1,
    severity: 'warning',
    unit: 'level',
    levels: ['CLOSED', 'HALF_OPEN', 'OPEN'],
  },
  {
    id: 'rate-limit-usage',
    section: 'rate-limits',
    endpoint: 'rateLimits',
    title: 'rate limit usage',
    direction: 'above',
    fire: RATE_LIMIT_USAGE_WARN,
    clear: 0.75,
    critical: 0.99,
    severity: 'warning',
    unit: 'ratio',
  },
  {
    id: 'rate-limit-429',
    section: 'rate-limits',
    endpoint: 'rateLimits',
    title: 'recent HTTP 429s',
    direction: 'above',
    fire: 0,
    clear: 0,
    critical: null,
    severity: 'warning',
    unit: 'count',
  },
  {
    id: 'queue-pending',
    section: 'worker-queues',
    endpoint: 'workers',
    title: 'pending jobs',
    direction: 'above',
    fire: WORKER_PENDING_WARN,
    clear: 40,
    critical: null,
    severity: 'warning',
    unit: 'count',
  },
  {
    id: 'queue-status',
    section: 'worker-queues',
    endpoint: 'workers',
    title: 'queue not healthy',
    direction: 'above',
    fire: 0,
    clear: 0,
    critical: 1,
    severity: 'warning',
    unit: 'level',
    levels: ['healthy', 'degraded', 'stalled'],
  },
  {
    id: 'security-check',
    section: 'security-checks',
    endpoint: 'security',
    title: 'security check failing',
    direction: 'above',
    fire: 0,
    clear: 0,
    critical: 1,
    severity: 'warning',
    unit: 'level',
    levels: ['passing', 'failing', 'failing with critical/high findings'],
  },
];

export type RuleId = string;

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const rank = (value: unknown, order: readonly string[]): number | null => {
  const index = typeof value === 'string' ? order.indexOf(value) : -1;
  return index < 0 ? null : index;
};

/**
 * The metric a rule reads from one item's (already schema-checked) value, or null when the
 * item does not carry it (e.g. a broker without a token): null never fires and never clears.
 */
export function ruleMetric(ruleId: RuleId, item: Record<string, unknown>, now: number): number | null {
  switch (ruleId) {
    case 'freshness-level':
      return rank(item.freshness, ['fresh', 'stale', 'outdated']);
    case 'freshness-error-rate':
      return num(item.error_rate);
    case 'freshness-age': {
      const age = num(item.data_age_seconds);
      const every = num(item.update_frequency_seconds);
      return age === null || every === null || every <= 0 ? null : age / every;
    }
    case 'broker-status':
      return item.status === 'online' ? 0 : item.status === 'offline' || item.status === 'error' ? 1 : null;
    case 'broker-token-expiry': {
      const at = typeof item.token_expires_at === 'string' ? Date.parse(item.token_expires_at) : NaN;
      return Number.isNaN(at) ? null : (at - now) / 1000;
    }
    case 'sla-status':
      return rank(item.status, ['HEALTHY', 'DEGRADED', 'FAILED']);
    case 'sla-success-rate':
      return num(item.success_rate);
    case 'sla-latency-p95':
      return num(item.latency_p95_ms);
    case 'sla-latency-p99':
      return num(item.latency_p99_ms);
    case 'breaker-state':
      return rank(item.state, ['CLOSED', 'HALF_OPEN', 'OPEN']);
    case 'rate-limit-usage': {
      const used = num(item.used);
      const limit = num(item.limit);
      return used === null || limit === null || limit <= 0 ? null : used / limit;
    }
    case 'rate-limit-429':
      return num(item.recent_429);
    case 'queue-pending':
      return num(item.pending);
    case 'queue-status':
      return rank(item.status, ['healthy', 'degraded', 'stalled']);
    case 'security-check': {
      const severeFindings = (num(item.critical) ?? 0) + (num(item.high) ?? 0) > 0;
      const severe = item.severity === 'critical' || item.severity === 'high';
      if (item.status === 'failing') return severe || severeFindings ? 2 : 1;
      if (item.status === 'passing') return severeFindings ? 2 : 0;
      return null;
    }
    default:
      return null;
  }
}

/** "93 %", "80.4 %": one decimal only when it matters, so 80.4 % never reads as "80 % > 80 %". */
export function formatPercent(ratio: number): string {
  const tenths = Math.round(ratio * 1000) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)} %`;
}

function formatSeconds(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 2 * DAY) return `${Math.round(s / 3600)} h`;
  return `${(s / DAY).toFixed(1)} d`;
}

/**
 * A rule's value in words: "rate limit usage 90 % > 80 %", "OPEN" (a level, under its title),
 * "token expiry: expires in 2.0 d (< 3.0 d)". The comparison is the true one for this value, so
 * a cleared alert reads "latency p95 639 ms ≤ 2000 ms", never a false "> 2000 ms".
 */
export function describeMetric(rule: Pick<RuleDefinition, 'id' | 'title' | 'unit' | 'levels' | 'direction' | 'fire'>, value: number): string {
  const past = rule.direction === 'above' ? value > rule.fire : value < rule.fire;
  const op = rule.direction === 'above' ? (past ? '>' : '≤') : past ? '<' : '≥';
  switch (rule.unit) {
    case 'level':
      // The title already says what is wrong ("circuit breaker not closed"): the level says how.
      return rule.levels?.[value] ?? `level ${value}`;
    case 'ratio':
      return `${rule.title} ${formatPercent(value)} ${op} ${formatPercent(rule.fire)}`;
    case 'ms':
      return `${rule.title} ${Math.round(value)} ms ${op} ${Math.round(rule.fire)} ms`;
    case 'factor':
      return `${rule.title} ${value.toFixed(1)}x ${op} ${rule.fire}x`;
    case 'seconds':
      if (value <= 0) return `${rule.title}: expired ${formatSeconds(value)} ago`;
      return `${rule.title}: expires in ${formatSeconds(value)} (${op} ${formatSeconds(rule.fire)})`;
    case 'count':
      return `${rule.title} ${value} ${op} ${rule.fire}`;
  }
}

// ---- wire shapes of alerts and history (used by common/contract/) ------------------------

const iso = z.string().max(40);

export const AlertId = z.string().regex(/^a-[0-9]{1,12}$/, 'not an alert id (a-<number>)');

/**
 * One alert instance: created pending, maybe fired, then resolved; a refire is a new instance.
 * An alert is about one of two things: an endpoint of a deployment's health API (deploymentId,
 * endpoint and the runbook section are set, hostId absent or null), or a host the console cannot
 * reach (hostId set; deploymentId, endpoint and section null: what to check is the host itself).
 */
export const AlertRecord = z
  .object({
    id: AlertId,
    /** deployment/rule/item (host:<id>/rule/<id> for a host): the same problem across instances (snooze follows it) */
    key: z.string(),
    deploymentId: z.string().nullable(),
    /** the host a host-level alert is about */
    hostId: z.string().nullable().optional(),
    ruleId: z.string(),
    section: z.enum(RUNBOOK_SECTIONS).nullable(),
    endpoint: z.enum(ENDPOINTS).nullable(),
    item: z.string(),
    title: z.string(),
    severity: z.enum(['warning', 'critical']),
    state: z.enum(['pending', 'firing', 'resolved']),
    /** the value in words, e.g. "rate limit usage 90 % > 80 %" */
    reason: z.string(),
    value: z.number().nullable(),
    /** the reason and value when it fired: `reason` and `value` move on (to the recovered ones) */
    firedReason: z.string().nullable().optional(),
    firedValue: z.number().nullable().optional(),
    pendingSince: iso,
    firedAt: iso.nullable(),
    resolvedAt: iso.nullable(),
    acknowledgedAt: iso.nullable(),
    acknowledgedBy: z.string().nullable(),
    snoozedUntil: iso.nullable(),
    /** a teammate who snoozed it from their console (shared through the hosts' journals); absent: this console's user */
    snoozedBy: z.string().nullable().optional(),
    /** desktop notifications sent for this instance (0 or 1; the rate limit may hold one back) */
    notified: z.number().int().nonnegative(),
  })
  .refine(
    (a) =>
      a.hostId ? a.deploymentId === null && a.endpoint === null && a.section === null : a.deploymentId !== null && a.endpoint !== null && a.section !== null,
    {
      message: 'an alert is about a host (hostId, no deployment or endpoint) or about a deployment endpoint, not both',
    },
  );
export type AlertRecord = z.infer<typeof AlertRecord>;

/** A host the console cannot reach, rather than an endpoint of a deployment's health API. */
export const isHostAlert = (alert: Pick<AlertRecord, 'hostId'>): boolean => typeof alert.hostId === 'string' && alert.hostId !== '';

export const AlertNotification = z.object({
  alertId: AlertId,
  title: z.string(),
  body: z.string(),
  severity: z.enum(['warning', 'critical']),
  /** the runbook section to open; null for a host that cannot be reached (what to check is the host) */
  section: z.enum(RUNBOOK_SECTIONS).nullable(),
  hostId: z.string().nullable().optional(),
});
export type AlertNotification = z.infer<typeof AlertNotification>;

/** History metric names: "<endpoint>.<field>"; a series is one metric of one item. */
export const HISTORY_METRICS = [
  'sla.latency_p95_ms',
  'sla.latency_p99_ms',
  'sla.success_rate',
  'rateLimits.usage',
  'workers.pending',
  'freshness.error_rate',
] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

export const HistorySeries = z.object({
  metric: z.enum(HISTORY_METRICS),
  item: z.string(),
  /** [epoch ms, value] pairs, oldest first */
  points: z.array(z.tuple([z.number(), z.number()])),
});
export type HistorySeries = z.infer<typeof HistorySeries>;

/** Which alert rule draws the threshold line on a metric's chart. */
export const METRIC_RULE: Record<HistoryMetric, string> = {
  'sla.latency_p95_ms': 'sla-latency-p95',
  'sla.latency_p99_ms': 'sla-latency-p99',
  'sla.success_rate': 'sla-success-rate',
  'rateLimits.usage': 'rate-limit-usage',
  'workers.pending': 'queue-pending',
  'freshness.error_rate': 'freshness-error-rate',
};
