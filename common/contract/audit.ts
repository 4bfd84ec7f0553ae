// The audit log as the views read it, and the incident timeline built from it.
import { z } from 'zod';
import { ENDPOINTS } from '../health';
import { AlertId } from '../thresholds';
import { DeploymentId } from './ids';
import { AuditAnchors } from './team';

/**
 * The alert a run was started from (its runbook's Run button, or Actions opened from it): which
 * instance (id, and key, the same problem across instances) and when it fired, with what the
 * Audit view names it by and the panel it concerned, for when the alert is no longer listed.
 */
export const RunAlert = z
  .object({
    id: AlertId,
    key: z.string().min(1).max(512),
    /** null: still pending when the run started */
    firedAt: z.iso.datetime({ offset: true }).nullable(),
    ruleId: z.string().min(1).max(128),
    /** the rule's title, "broker not online" */
    title: z.string().max(200),
    item: z.string().max(256),
    deploymentId: z.string().max(128).nullable(),
    endpoint: z.enum(ENDPOINTS).nullable(),
  })
  .strict();
export type RunAlert = z.infer<typeof RunAlert>;

export const AuditRecord = z.object({
  seq: z.number().int(),
  at: z.string(),
  /** repair: a torn line left by a crash, named; settled: an unknown outcome checked on the host */
  kind: z.enum(['intent', 'result', 'note', 'repair', 'settled']),
  user: z.string(),
  runId: z.string().nullable(),
  actionId: z.string().nullable(),
  hostId: z.string().nullable(),
  command: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  outcome: z.string().nullable(),
  /**
   * an intent's catalog parameters as resolved (the unit, the queue…): a console restarted
   * after a run it left open checks the run's effect on the host with them
   */
  params: z.record(z.string(), z.string()).optional(),
  /** on an intent: the alert the run was started from */
  alert: RunAlert.optional(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const auditCalls = {
  listAudit: {
    request: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    /** chainNotes: what verify reports apart from tampering (a torn line repaired, unkeyed early records) */
    response: z.object({
      records: z.array(AuditRecord),
      chainOk: z.boolean(),
      chainError: z.string().nullable(),
      chainNotes: z.array(z.string()).optional(),
      anchors: AuditAnchors.nullable(),
    }),
  },
  /** alerts and audited actions in time order as redacted Markdown (default: the last 24 h, every deployment) */
  exportIncidentTimeline: {
    request: z.object({ deploymentId: DeploymentId.optional(), since: z.iso.datetime({ offset: true }).optional() }).strict(),
    response: z.object({ markdown: z.string(), from: z.string(), to: z.string() }),
  },
} as const;

export const auditEvents = {} as const;
