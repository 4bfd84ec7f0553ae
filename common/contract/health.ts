// Health polling: what the console last read from each deployment's health API, and its history.
import { z } from 'zod';
import { ownKeyRecord } from '../emptyRecord';
import { HISTORY_METRICS, HistorySeries } from '../thresholds';
import { DeploymentId, EndpointName } from './ids';

export const HealthErrorKind = z.enum(['connect', 'timeout', 'reset', 'http', 'too-large', 'bad-json', 'schema']);
export type HealthErrorKind = z.infer<typeof HealthErrorKind>;

export const ItemState = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.record(z.string(), z.unknown()) }),
  z.object({ ok: z.literal(false), why: z.string() }),
]);
export type ItemState = z.infer<typeof ItemState>;

/** The console's view of one endpoint of one deployment, as last polled. */
export const EndpointState = z.object({
  deploymentId: DeploymentId,
  endpoint: EndpointName,
  status: z.enum(['pending', 'ok', 'error']),
  error: z.object({ kind: HealthErrorKind, message: z.string() }).nullable(),
  /** when the last poll finished, good or bad */
  polledAt: z.string().nullable(),
  /** when data last parsed; items below are from then */
  lastGoodAt: z.string().nullable(),
  intervalMs: z.number().int().positive(),
  nextPollAt: z.string().nullable(),
  latencyMs: z.number().nullable(),
  /** keys are the health API's: kept whatever they are ("__proto__" too), in null-prototype objects */
  meta: ownKeyRecord(z.unknown()),
  items: ownKeyRecord(ItemState),
});
export type EndpointState = z.infer<typeof EndpointState>;

export const healthCalls = {
  pollNow: { request: z.object({ deploymentId: DeploymentId }).strict(), response: z.object({ scheduled: z.boolean() }) },
  getHistory: {
    request: z
      .object({
        deploymentId: DeploymentId,
        metrics: z.array(z.enum(HISTORY_METRICS)).min(1).max(HISTORY_METRICS.length),
        sinceMs: z.number().finite().optional(),
      })
      .strict(),
    /** thresholds: each metric's alert fire line, for the charts' reference lines */
    response: z.object({ series: z.array(HistorySeries), thresholds: z.record(z.string(), z.number()) }),
  },
} as const;

export const healthEvents = {
  onHealth: z.object({ updates: z.array(EndpointState) }),
} as const;
