// Remediation actions: the catalog, previews (the exact command, bound to a token), runs and
// their streamed output.
import { z } from 'zod';
import { RunAlert } from './audit';
import { Empty, ActionId, HostId, PreviewToken, RunId } from './ids';

export const Risk = z.enum(['read-only', 'service-affecting', 'destructive']);
export type Risk = z.infer<typeof Risk>;

export const ParamSpec = z.object({
  name: z.string(),
  label: z.string(),
  kind: z.enum(['enum', 'integer', 'string']),
  choices: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  default: z.union([z.string(), z.number()]).optional(),
  pattern: z.string().optional(),
});
export type ParamSpec = z.infer<typeof ParamSpec>;

export const ActionSummary = z.object({
  id: ActionId,
  title: z.string(),
  section: z.string(),
  risk: Risk,
  streams: z.boolean(),
  params: z.array(ParamSpec),
  /** what the action does, in the catalog's words ('' when the catalog has none) */
  description: z.string(),
  /** the action offered once this one succeeds (a restart after a config edit), with its parameters */
  followUp: z.object({ actionId: ActionId, params: z.record(z.string(), z.union([z.string(), z.number()])) }).nullable(),
});
export type ActionSummary = z.infer<typeof ActionSummary>;

export const ParamValues = z.record(z.string().max(64), z.union([z.string().max(4096), z.number().finite(), z.boolean()]));
export type ParamValues = z.infer<typeof ParamValues>;

export const Preview = z.object({
  token: PreviewToken,
  actionId: ActionId,
  title: z.string(),
  risk: Risk,
  hosts: z.array(z.object({ id: HostId, label: z.string() })),
  /** the exact command each host will run, after quoting */
  command: z.string(),
  /** none: read-only; click: service-affecting; typed: destructive, Confirm only once `text` is typed exactly */
  confirmation: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('click') }),
    z.object({ kind: z.literal('typed'), text: z.string() }),
  ]),
  expiresAt: z.string(),
  /** the catalog's precheck, run on each host at preview time (redacted output; e.g. the job count a clear removes) */
  precheck: z.object({ label: z.string(), hosts: z.array(z.object({ hostId: HostId, text: z.string(), ok: z.boolean() })) }).optional(),
});
export type Preview = z.infer<typeof Preview>;

/** `unknown`: cut off before its exit status came back; settled later by the action's check */
export const RunState = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'unknown']);
export type RunState = z.infer<typeof RunState>;

export const actionCalls = {
  listActions: { request: Empty, response: z.array(ActionSummary) },
  previewAction: {
    /** alert: the alert the run is started from; its intent records carry it */
    request: z.object({ actionId: ActionId, params: ParamValues, hostIds: z.array(HostId).min(1).max(200), alert: RunAlert.optional() }).strict(),
    response: Preview,
  },
  runAction: {
    request: z.object({ token: PreviewToken, typedConfirmation: z.string().max(200).optional() }).strict(),
    response: z.object({ runId: RunId }),
  },
  cancelRun: { request: z.object({ runId: RunId }).strict(), response: z.object({ cancelled: z.boolean() }) },
  /** a page of a follow's spool: every line it showed on that host, as shown, beyond what the view keeps */
  readFollowSpool: {
    request: z.object({ runId: RunId, hostId: HostId, from: z.number().int().min(0).max(1_000_000_000), count: z.number().int().min(1).max(5000) }).strict(),
    /** `from`: the first line's number (0 is the oldest kept; past the end, `total`); `total`: lines kept now */
    response: z.object({ from: z.number().int().nonnegative(), lines: z.array(z.string()), total: z.number().int().nonnegative() }),
  },
  /**
   * a page of a run's kept output on one host (RUN_OUTPUT_PAGE_LINES lines; 0 the first page), as its
   * dialog showed it, redacted; a follow's is its spool. "not-found" when it is not kept (pruned, or
   * the run is older than kept outputs)
   */
  readRunOutput: {
    request: z.object({ runId: RunId, hostId: HostId, page: z.number().int().min(0).max(1_000_000) }).strict(),
    /** `page`: the page read (the last one when asked past it); `pages`, `total`: pages and lines kept now */
    response: z.object({
      page: z.number().int().nonnegative(),
      pages: z.number().int().nonnegative(),
      lines: z.array(z.string()),
      total: z.number().int().nonnegative(),
    }),
  },
} as const;

/** lines in one page of readRunOutput */
export const RUN_OUTPUT_PAGE_LINES = 2000;

export const actionEvents = {
  onRunOutput: z.object({
    runId: RunId,
    hostId: HostId,
    chunks: z.array(z.object({ stream: z.enum(['stdout', 'stderr']), text: z.string() })),
    droppedLines: z.number().int().nonnegative(),
  }),
  onRunStatus: z.object({
    runId: RunId,
    hostId: HostId,
    state: RunState,
    exitCode: z.number().int().nullable(),
    error: z.string().nullable(),
    /** an unknown run settled by its effect check: "succeeded (verified: ActiveEnterTimestamp moved)" */
    settled: z.string().nullable().optional(),
    at: z.string(),
  }),
} as const;
