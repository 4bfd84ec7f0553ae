// The autotrader health API contract (docs/health-api.md), shared by the console's pollers
// and the simulator in sim/. Item schemas are parsed one item at a time so that one bad item
// shows "unknown: <why>" while the rest of its panel still renders. Unknown fields are
// ignored (zod objects strip them), never rejected.
import { z } from 'zod';
import { recordFrom } from './emptyRecord';

/** ISO-8601 UTC timestamp such as 2026-11-26T12:00:00Z (fractional seconds allowed). */
export const isoUtc = z.iso.datetime({ offset: false, message: 'not an ISO-8601 UTC timestamp' });
const nonNegative = z.number().finite().nonnegative();
const ratio = z.number().finite().min(0).max(1);

export const ENDPOINTS = ['overview', 'freshness', 'brokers', 'sla', 'circuitBreakers', 'rateLimits', 'workers', 'security'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export const ENDPOINT_PATHS: Record<Endpoint, string> = {
  overview: '/api/health',
  freshness: '/api/health/freshness',
  brokers: '/api/health/brokers',
  sla: '/api/health/sla',
  circuitBreakers: '/api/health/circuit-breakers',
  rateLimits: '/api/health/rate-limits',
  workers: '/api/health/workers',
  security: '/api/health/security',
};

export const DATA_SOURCES = ['coingecko', 'dexscreener', 'blockscout', 'ethereum_rpc'] as const;
export const BROKERS = ['paper', 'alpaca', 'questrade', 'ibkr'] as const;
export const SECURITY_CHECKS = ['ibkr_fa_scrubbing', 'dependency_vulnerabilities', 'api_key_validation'] as const;

// ---- items -------------------------------------------------------------------------------

export const FreshnessItem = z.object({
  freshness: z.enum(['fresh', 'stale', 'outdated']),
  last_updated: isoUtc,
  data_age_seconds: nonNegative,
  update_frequency_seconds: z.number().finite().positive(),
  error_rate: ratio,
  requests_last_hour: nonNegative.optional(),
});
export type FreshnessItem = z.infer<typeof FreshnessItem>;

export const BrokerItem = z.object({
  status: z.enum(['online', 'offline', 'error']),
  last_checked: isoUtc,
  latency_ms: nonNegative.nullable().optional(),
  detail: z.string().max(2000).nullable().optional(),
  token_expires_at: isoUtc.nullable().optional(),
});
export type BrokerItem = z.infer<typeof BrokerItem>;

export const SlaThresholds = z.object({
  latency_p95_ms: nonNegative,
  latency_p99_ms: nonNegative,
  success_rate: ratio,
});
export const SlaItem = z.object({
  status: z.enum(['HEALTHY', 'DEGRADED', 'FAILED']),
  latency_p50_ms: nonNegative,
  latency_p95_ms: nonNegative,
  latency_p99_ms: nonNegative,
  success_rate: ratio,
  thresholds: SlaThresholds,
});
export type SlaItem = z.infer<typeof SlaItem>;

export const BreakerItem = z.object({
  state: z.enum(['CLOSED', 'OPEN', 'HALF_OPEN']),
  failure_count: z.number().int().nonnegative(),
  failure_threshold: z.number().int().positive(),
  recovery_timeout_seconds: z.number().finite().positive(),
  opened_at: isoUtc.nullable().optional(),
  last_failure: z.string().max(2000).nullable().optional(),
});
export type BreakerItem = z.infer<typeof BreakerItem>;

export const RateLimitItem = z.object({
  used: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  remaining: z.number().int().nonnegative(),
  window_seconds: z.number().finite().positive(),
  reset_at: isoUtc,
  recent_429: z.number().int().nonnegative(),
  tier: z.string().max(100).optional(),
});
export type RateLimitItem = z.infer<typeof RateLimitItem>;

export const WorkerQueueItem = z.object({
  pending: z.number().int().nonnegative(),
  processing_time_p50_ms: nonNegative,
  processing_time_p95_ms: nonNegative,
  workers: z.number().int().nonnegative(),
  status: z.enum(['healthy', 'degraded', 'stalled']),
  oldest_job_age_seconds: nonNegative.nullable().optional(),
});
export type WorkerQueueItem = z.infer<typeof WorkerQueueItem>;

export const SecurityItem = z.object({
  status: z.enum(['passing', 'failing']),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
  detail: z.string().max(2000).nullable().optional(),
  critical: z.number().int().nonnegative().optional(),
  high: z.number().int().nonnegative().optional(),
  medium: z.number().int().nonnegative().optional(),
  packages: z.array(z.string().max(200)).max(500).optional(),
  missing: z.array(z.string().max(200)).max(100).optional(),
});
export type SecurityItem = z.infer<typeof SecurityItem>;

export const OverviewItem = z.object({
  path: z.string().max(200),
  status: z.enum(['ok', 'degraded', 'failed']).optional(),
});

// ---- envelopes ---------------------------------------------------------------------------
// Each endpoint is a map of named items plus a few top-level fields ("meta"). The envelope is
// checked loosely (the map must be an object); each item is checked strictly on its own.

export interface EndpointShape {
  /** key of the item map in the body, e.g. "breakers" */
  readonly itemsKey: string;
  readonly item: z.ZodType;
  readonly meta: z.ZodObject;
}

export const OverviewMeta = z.object({
  status: z.enum(['ok', 'degraded', 'failed']),
  version: z.string().max(100),
  uptime_seconds: nonNegative,
  generated_at: isoUtc.optional(),
});

export const ENDPOINT_SHAPES: Record<Endpoint, EndpointShape> = {
  overview: { itemsKey: 'endpoints', item: OverviewItem, meta: OverviewMeta },
  freshness: { itemsKey: 'sources', item: FreshnessItem, meta: z.object({ generated_at: isoUtc.optional() }) },
  brokers: { itemsKey: 'brokers', item: BrokerItem, meta: z.object({ generated_at: isoUtc.optional() }) },
  sla: { itemsKey: 'sources', item: SlaItem, meta: z.object({ window_seconds: z.number().positive().optional() }) },
  circuitBreakers: { itemsKey: 'breakers', item: BreakerItem, meta: z.object({ generated_at: isoUtc.optional() }) },
  rateLimits: { itemsKey: 'rate_limits', item: RateLimitItem, meta: z.object({ generated_at: isoUtc.optional() }) },
  workers: { itemsKey: 'queues', item: WorkerQueueItem, meta: z.object({ worker_count: z.number().int().nonnegative().optional() }) },
  security: { itemsKey: 'checks', item: SecurityItem, meta: z.object({ generated_at: isoUtc.optional() }) },
};

export type ItemResult<T = unknown> = { ok: true; value: T } | { ok: false; why: string };

export interface ParsedBody {
  meta: Record<string, unknown>;
  metaProblems: string[];
  items: Record<string, ItemResult>;
}

const ITEM_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;
export const MAX_ITEMS_PER_ENDPOINT = 500;

/** Describe the first zod issue as "<path>: <message>" for an "unknown: <why>" label. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const at = issue.path.length ? issue.path.join('.') : 'value';
  return `${at}: ${issue.message}`;
}

/** Check one item against its endpoint's schema: the value zod keeps, or "why" it is unknown. */
export function parseItem(endpoint: Endpoint, raw: unknown): ItemResult {
  const parsed = ENDPOINT_SHAPES[endpoint].item.safeParse(endpoint === 'overview' && typeof raw === 'string' ? { path: raw } : raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, why: describeIssue(parsed.error) };
}

/**
 * How each well-named item becomes its result; `parseItem` unless the caller has a cheaper way
 * to the same answer (the poller reuses the result of an item that has not changed since the
 * last poll). Items with a bad name never reach it.
 */
export type ItemReader = (name: string, raw: unknown) => ItemResult;

/**
 * Parse one endpoint body. Throws only when the envelope itself is unusable (not an object,
 * item map missing); every item is parsed on its own so one bad item cannot blank the panel.
 */
export function parseEndpointBody(endpoint: Endpoint, body: unknown, readItem: ItemReader = (_name, raw) => parseItem(endpoint, raw)): ParsedBody {
  const shape = ENDPOINT_SHAPES[endpoint];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error('body is not a JSON object');
  }
  const record = body as Record<string, unknown>;
  const rawItems = record[shape.itemsKey];
  // Entries, not assignment: a hostile API's item named "__proto__" would otherwise set the
  // map's prototype and vanish from the panel without a word.
  const entries: Array<[string, ItemResult]> = [];
  if (endpoint === 'overview' && Array.isArray(rawItems)) {
    rawItems.slice(0, MAX_ITEMS_PER_ENDPOINT).forEach((entry, index) => {
      entries.push([String(index), readItem(String(index), entry)]);
    });
  } else {
    if (typeof rawItems !== 'object' || rawItems === null || Array.isArray(rawItems)) {
      throw new Error(`"${shape.itemsKey}" is missing or not an object`);
    }
    const names = Object.keys(rawItems);
    if (names.length > MAX_ITEMS_PER_ENDPOINT) throw new Error(`"${shape.itemsKey}" has ${names.length} items (cap ${MAX_ITEMS_PER_ENDPOINT})`);
    for (const name of names) {
      if (!ITEM_NAME.test(name)) {
        entries.push([`invalid-name-${entries.length}`, { ok: false, why: 'item name has characters outside [A-Za-z0-9_.:-]' }]);
        continue;
      }
      entries.push([name, readItem(name, (rawItems as Record<string, unknown>)[name])]);
    }
  }
  // no prototype: items[name] for a name the API did not send is undefined, never Object.prototype's
  const items = recordFrom(entries);
  const meta = shape.meta.safeParse(record);
  return {
    meta: meta.success ? (meta.data as Record<string, unknown>) : {},
    metaProblems: meta.success ? [] : meta.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    items,
  };
}
