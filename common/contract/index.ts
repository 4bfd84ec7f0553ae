// The one contract between main and the renderer. Each call has a request and a response
// schema; each event has a payload schema. The Electron IPC server, the preload bridge, the
// browser shell's WebSocket bridge and the renderer's OpsApi are all generated from the two
// maps below, merged from one file per domain: adding a call means one entry in its domain's
// file, its name in names.ts (the compiler says so if it is missing) and one handler in the
// feature that owns it. A name in two domains is a compile error at the merge.
import type { z } from 'zod';
import { mergeDisjoint } from '../mergeDisjoint';
import type { Result } from '../result';
import { actionCalls, actionEvents } from './actions';
import { alertCalls, alertEvents } from './alerts';
import { auditCalls, auditEvents } from './audit';
import { fleetCalls, fleetEvents } from './fleet';
import { healthCalls, healthEvents } from './health';
import { hostCalls, hostEvents } from './hosts';
import type { CallName, EventName } from './names';
import { runbookCalls, runbookEvents } from './runbooks';
import { sshCalls, sshEvents } from './ssh';
import { teamCalls, teamEvents } from './team';
import { terminalCalls, terminalEvents } from './terminal';

export * from './actions';
export * from './alerts';
export * from './audit';
export * from './fleet';
export * from './health';
export * from './hosts';
export * from './ids';
export * from './names';
export * from './runbooks';
export * from './ssh';
export * from './team';
export * from './terminal';

export const calls = mergeDisjoint(fleetCalls, healthCalls, actionCalls, auditCalls, alertCalls, hostCalls, terminalCalls, runbookCalls, sshCalls, teamCalls);

/** pushed main -> renderer, batched */
export const events = mergeDisjoint(
  fleetEvents,
  healthEvents,
  actionEvents,
  auditEvents,
  alertEvents,
  hostEvents,
  terminalEvents,
  runbookEvents,
  sshEvents,
  teamEvents,
);

export type Calls = typeof calls;
export type Events = typeof events;

// names.ts (what the preload bundles) lists exactly the names of the maps above. A name missing
// on either side is an error here that names it: "Type '"x"' does not satisfy the constraint 'never'".
type NoneLeft<T extends never> = T;
type _CallsMissingFromNames = NoneLeft<Exclude<keyof Calls, CallName>>;
type _NamesWithoutACall = NoneLeft<Exclude<CallName, keyof Calls>>;
type _EventsMissingFromNames = NoneLeft<Exclude<keyof Events, EventName>>;
type _NamesWithoutAnEvent = NoneLeft<Exclude<EventName, keyof Events>>;

export type CallRequest<N extends CallName> = z.input<Calls[N]['request']>;
export type CallResponse<N extends CallName> = z.output<Calls[N]['response']>;
export type EventPayload<N extends EventName> = z.output<Events[N]>;

/** What the renderer talks to, whichever shell it runs in. */
export type OpsApi = {
  readonly [N in CallName]: (request: CallRequest<N>) => Promise<Result<CallResponse<N>>>;
} & {
  /** subscribe to an event; returns the unsubscribe function */
  readonly on: <N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void) => () => void;
};

/** What main implements: one handler per call, already validated. */
export type CallHandlers = {
  readonly [N in CallName]: (request: z.output<Calls[N]['request']>) => Promise<CallResponse<N>>;
};

/** Validate a request for a call; returns a readable message naming the bad field. */
export function parseRequest<N extends CallName>(name: N, payload: unknown): Result<z.output<Calls[N]['request']>> {
  const parsed = calls[name].request.safeParse(payload ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as z.output<Calls[N]['request']> };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') : 'request';
  return { ok: false, error: { code: 'bad-request', message: `${name}: ${where}: ${issue?.message ?? 'invalid'}` } };
}
