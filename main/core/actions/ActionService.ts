// Runs catalog actions: preview (validate, render, issue a token), run (check the token and the
// confirmation, lock, fan out over hosts, stream, audit), cancel. The renderer is untrusted: a
// run carries only a token, and executes exactly what that token's preview showed.
// Longer than most files on purpose: preview, run, fan-out and one host's run share the
// prepared run and its locks; the pieces that stand alone live beside it (OutputBatcher,
// FollowSpool, RunOutputs, RunSettler, effectCheck, the formatters, team/'s envelope).
import type { ActionSummary, HostId, ParamValues, Preview, RunAlert, RunId, RunState } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Logger } from '../../../common/logger';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Clock, Timers } from '../clock';
import { isoAt, systemTimers } from '../clock';
import type { AuditEntry, OpenRun } from '../audit/AuditLog';
import type { Redactor } from '../redact/Redactor';
import {
  type Catalog,
  type CatalogAction,
  bundledCatalog,
  type ResolvedParams,
  fillWord,
  lockKeys,
  renderCommand,
  renderPrecheck,
  renderResumeCommand,
  resolveParams,
} from './Catalog';
import { DEFAULT_LIMITS, type ActionLimits } from './actionLimits';
import { HostLocks } from './HostLocks';
import { FileOffsetFormatter } from './FileOffsetFormatter';
import { JournalFormatter } from './JournalFormatter';
import { type OutputChunk, OutputBatcher } from './OutputBatcher';
import type { FollowSpool, FollowSpools } from './FollowSpool';
import type { RunOutputs } from './RunOutputs';
import type { ExecResult, HostExecutor } from '../hostExec';
import { outcomeUnknown } from '../ssh/SshLinkError';
import { RunSettler } from './RunSettler';
import type { EmitRunOutput, EmitRunStatus, HostLookup, HostRef, RunEnvelope } from './types';

export interface AuditSink {
  /** resolves with the record as written and synced; its hash is the chain head the host records carry */
  append(entry: AuditEntry): Promise<{ hash: string }>;
  /** resolves once the record is written whole, its sync still running (see AuditLog.appendWritten) */
  appendWritten(entry: AuditEntry): Promise<{ record: { hash: string }; synced: Promise<unknown> }>;
}

const PRECHECK_TIMEOUT_MS = 15_000;
const PRECHECK_MAX_LINES = 20;
const PRECHECK_MAX_CHARS = 8192;

export interface ActionServiceDeps {
  executor: HostExecutor;
  audit: AuditSink;
  redactor: Redactor;
  hostLookup: HostLookup;
  /** who runs actions, as the audit records it */
  user: string;
  clock: Clock;
  emitOutput: EmitRunOutput;
  emitStatus: EmitRunStatus;
  /** the action catalog; the bundled resources/actions.yaml when not given */
  catalog?: Catalog;
  timers?: Timers;
  /** crypto.randomBytes unless a test needs fixed tokens */
  randomBytes?(size: number): Buffer;
  /** hosts running at once within one run (the config's max concurrency) */
  maxConcurrency?: number;
  /** most hosts one run may touch (the config's blast-radius cap) */
  blastRadius?: number;
  limits?: Partial<ActionLimits>;
  logger?: Pick<Logger, 'warn'>;
  /** host-side locks and journal records for every run (main/core/team); absent: the command as is */
  envelope?: RunEnvelope;
  /** where a follow's every line is kept on disk as shown (beside the audit log); absent: not kept */
  spools?: FollowSpools;
  /** where the output of every other run is kept as shown, bounded (beside the audit log); absent: not kept */
  outputs?: RunOutputs;
}

/** What a preview token stands for: everything a run uses comes from here. */
interface Prepared {
  action: CatalogAction;
  params: ResolvedParams;
  hosts: HostRef[];
  command: string;
  locks: string[];
  confirmation: Preview['confirmation'];
  expiresAt: number;
  /** the alert the run is started from, recorded on its intents */
  alert: RunAlert | null;
}

export interface PreviewRequest {
  actionId: string;
  params: ParamValues;
  hostIds: readonly HostId[];
  alert?: RunAlert | undefined;
}

interface ActiveRun {
  runId: RunId;
  prepared: Prepared;
  controller: AbortController;
  done: Promise<void>;
}

export class ActionService {
  private readonly previews = new Map<string, Prepared>();
  private readonly runs = new Map<string, ActiveRun>();
  private readonly locks = new HostLocks();
  private readonly limits: ActionLimits;
  readonly catalog: Catalog;
  private readonly timers: Timers;
  private readonly random: (size: number) => Buffer;
  /** runs cut off before their exit status, waiting for their host to be checked */
  readonly settler: RunSettler;

  constructor(private readonly deps: ActionServiceDeps) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
    if (deps.maxConcurrency !== undefined) this.limits.concurrency = deps.maxConcurrency;
    if (deps.blastRadius !== undefined) this.limits.maxHosts = deps.blastRadius;
    this.catalog = deps.catalog ?? bundledCatalog();
    this.timers = deps.timers ?? systemTimers;
    this.random = deps.randomBytes ?? randomBytes;
    this.settler = new RunSettler({
      executor: deps.executor,
      audit: deps.audit,
      redactor: deps.redactor,
      clock: deps.clock,
      timers: this.timers,
      user: deps.user,
      emitStatus: (payload) => this.status(payload.runId, payload.hostId, payload.state, payload.exitCode, payload.error, payload.settled ?? null),
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
  }

  /**
   * Runs a stopped console left open (recorded "unknown: console stopped" at start-up) are checked
   * like runs cut off by a dropped link: on their host, by their action's effect check, once it
   * answers. A run whose action is no longer in the catalog stays unknown.
   */
  adoptOpenRuns(runs: readonly OpenRun[]): void {
    this.settler.adopt(runs, (id) => this.catalog.get(id));
  }

  /** The host answers again: settle the runs on it that were cut off before their exit status. */
  settleUnknown(hostId: HostId): Promise<void> {
    return this.settler.settleHost(hostId);
  }

  list(): ActionSummary[] {
    return this.catalog.list();
  }

  preview(req: PreviewRequest): Preview {
    const action = this.catalog.get(req.actionId);
    if (!action) throw new OpsFailure('not-found', `no action "${req.actionId}" in the catalog`);
    const params = resolveParams(action, req.params);
    const hosts = this.resolveHosts(action, req.hostIds);
    const command = renderCommand(action, params);
    const confirmation: Preview['confirmation'] =
      action.risk === 'read-only'
        ? { kind: 'none' }
        : action.risk === 'service-affecting'
          ? { kind: 'click' }
          : { kind: 'typed', text: fillWord(action.confirmText!, params, { host: hosts.length === 1 ? hosts[0]!.label : `${hosts.length} hosts` }) };
    const now = this.deps.clock.now();
    this.prunePreviews(now);
    const token = this.random(32).toString('base64url');
    const prepared: Prepared = {
      action,
      params,
      hosts,
      command,
      locks: lockKeys(action, params),
      confirmation,
      expiresAt: now + this.limits.previewTtlMs,
      alert: req.alert ?? null,
    };
    this.previews.set(token, prepared);
    return {
      token: token as Preview['token'],
      actionId: action.id,
      title: action.title,
      risk: action.risk,
      hosts: hosts.map((h) => ({ id: h.id, label: h.label })),
      command,
      confirmation,
      expiresAt: isoAt(prepared.expiresAt),
    };
  }

  /**
   * A preview plus the action's precheck, run on every host at once (read-only, not audited, like
   * the panels' polling): what a destructive action is about to remove is on screen before the
   * typed confirmation. A host that cannot be checked says why; it does not block the preview.
   */
  async previewChecked(req: PreviewRequest): Promise<Preview> {
    const preview = this.preview(req);
    const prepared = this.previews.get(preview.token)!;
    const probe = prepared.action.risk === 'read-only' ? null : (this.deps.envelope?.probeCommand(prepared.locks) ?? null);
    const own = renderPrecheck(prepared.action, prepared.params);
    // another console's lock on the host is shown before confirm, with the action's own precheck
    const command = own && probe ? `${probe}; ${own}` : (own ?? probe);
    if (!command) return preview;
    const hosts = await Promise.all(
      prepared.hosts.map(async (host) => {
        const chunks: string[] = [];
        let size = 0;
        const keep = (chunk: string) => {
          if (size < PRECHECK_MAX_CHARS) chunks.push(chunk.slice(0, PRECHECK_MAX_CHARS - size));
          size += chunk.length;
        };
        try {
          const result = await this.deps.executor.exec(host.id, command, { onStdout: keep, onStderr: keep, timeoutMs: PRECHECK_TIMEOUT_MS });
          const lines = chunks
            .join('')
            .split('\n')
            .filter((l, i, all) => l !== '' || i < all.length - 1);
          const { holders: held, rest } = probe ? this.deps.envelope!.describeProbe(lines) : { holders: [], rest: lines };
          const text = [...held, ...rest]
            .slice(0, PRECHECK_MAX_LINES)
            .map((l) => this.deps.redactor.redact(l))
            .join('\n');
          const ran = result.exitCode === 0;
          const ok = ran && held.length === 0;
          const why = result.timedOut
            ? `check timed out after ${PRECHECK_TIMEOUT_MS / 1000} s`
            : ran
              ? ''
              : `check exited with ${result.exitCode ?? result.signal}`;
          return { hostId: host.id, text: why ? `${text}${text ? '\n' : ''}${why}` : text, ok };
        } catch (error) {
          return { hostId: host.id, text: `could not check: ${this.deps.redactor.redact((error as Error).message)}`, ok: false };
        }
      }),
    );
    return { ...preview, precheck: { label: own ? prepared.action.precheck!.label : 'Locks on the hosts', hosts } };
  }

  /** Start what a preview showed. Resolves once the run is accepted; progress comes as events. */
  run(req: { token: string; typedConfirmation?: string | undefined }): { runId: RunId } {
    const prepared = this.previews.get(req.token);
    if (!prepared) throw new OpsFailure('not-found', 'this preview is unknown or was already run: preview the action again');
    if (this.deps.clock.now() > prepared.expiresAt) {
      this.previews.delete(req.token);
      throw new OpsFailure('expired', `the preview of ${prepared.action.id} expired at ${isoAt(prepared.expiresAt)}: preview it again`);
    }
    const c = prepared.confirmation;
    if (c.kind === 'typed' && req.typedConfirmation !== c.text) {
      throw new OpsFailure('forbidden', `typed confirmation does not match: type "${c.text}" exactly to run ${prepared.action.id}`);
    }
    const runId = `run-${this.random(8).toString('hex')}` as RunId;
    const busy = this.locks.acquire(
      prepared.hosts.map((h) => h.id),
      prepared.locks,
      { runId, actionId: prepared.action.id },
    );
    if (busy) {
      const what = busy.key.startsWith('action:') ? busy.key.slice('action:'.length) : busy.key;
      throw new OpsFailure(
        'conflict',
        `${what} on ${this.labelOf(prepared, busy.hostId)} is busy with ${busy.by.actionId} (${busy.by.runId}); try again when it ends`,
      );
    }
    // single use: from here on the token is spent whatever happens to the run
    this.previews.delete(req.token);
    const controller = new AbortController();
    // one abort listener per host: a 20-host fan-out is not a leak, so no warning for it
    setMaxListeners(prepared.hosts.length + 10, controller.signal);
    const run: ActiveRun = { runId, prepared, controller, done: Promise.resolve() };
    this.runs.set(runId, run);
    for (const host of prepared.hosts) this.status(runId, host.id, 'queued', null, null);
    run.done = this.fanOut(run).finally(() => this.runs.delete(runId));
    return { runId };
  }

  /** Stop a run: running hosts get their remote command stopped, queued ones never start. */
  /** True if the run was going and is now being stopped. */
  cancel(runId: string): boolean {
    const run = this.runs.get(runId);
    if (!run || run.controller.signal.aborted) return false;
    run.controller.abort();
    return true;
  }

  /** Resolves when the run has finished on every host (tests, shutdown). */
  async settled(runId: string): Promise<void> {
    await this.runs.get(runId)?.done;
  }

  /** Cancel everything and wait for it (app shutdown). */
  async stopAll(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const r of runs) r.controller.abort();
    await Promise.all(runs.map((r) => r.done));
    this.settler.dispose();
  }

  private resolveHosts(action: CatalogAction, hostIds: readonly HostId[]): HostRef[] {
    if (!hostIds.length) throw new OpsFailure('bad-request', `${action.id}: choose at least one host`);
    const cap = Math.min(this.limits.maxHosts, action.maxHosts ?? Infinity);
    if (hostIds.length > cap) {
      throw new OpsFailure('forbidden', `${action.id} on ${hostIds.length} hosts exceeds the blast-radius cap of ${cap}: choose fewer hosts`);
    }
    const seen = new Set<string>();
    return hostIds.map((id) => {
      if (seen.has(id)) throw new OpsFailure('bad-request', `${action.id}: host ${id} is listed twice`);
      seen.add(id);
      const host = this.deps.hostLookup(id);
      if (!host) throw new OpsFailure('not-found', `${action.id}: no host "${id}" in the fleet`);
      return host;
    });
  }

  private prunePreviews(now: number): void {
    for (const [token, p] of this.previews) if (p.expiresAt < now) this.previews.delete(token);
    // Map keeps insertion order: the first entries are the oldest
    while (this.previews.size >= this.limits.maxOpenPreviews) this.previews.delete(this.previews.keys().next().value!);
  }

  private labelOf(p: Prepared, hostId: string): string {
    return p.hosts.find((h) => h.id === hostId)?.label ?? hostId;
  }

  private async fanOut(run: ActiveRun): Promise<void> {
    const { prepared } = run;
    const pending = [...prepared.hosts];
    const rolling = prepared.action.rolling;
    const width = rolling ? 1 : Math.max(1, Math.min(this.limits.concurrency, pending.length));
    let stopped: string | null = null;
    const worker = async (): Promise<void> => {
      for (let host = pending.shift(); host; host = pending.shift()) {
        if (run.controller.signal.aborted || stopped) {
          await this.skip(run, host, run.controller.signal.aborted ? 'cancelled before it started' : stopped!);
          continue;
        }
        let ok = false;
        try {
          ok = await this.runOnHost(run, host);
        } catch (err) {
          // a bug or a throwing listener must not leave the host locked or the run hanging
          this.locks.release(host.id, prepared.locks, run.runId);
          this.deps.logger?.warn(`actions: ${run.runId} on ${host.id}: ${(err as Error).message}`);
          this.status(run.runId, host.id, 'failed', null, `internal error: ${this.deps.redactor.redact((err as Error).message)}`);
        }
        if (!ok && rolling && !stopped) stopped = `not run: ${host.label} failed and ${prepared.action.id} stops at the first failure`;
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
  }

  private async skip(run: ActiveRun, host: HostRef, why: string): Promise<void> {
    const { prepared } = run;
    this.locks.release(host.id, prepared.locks, run.runId);
    await this.auditSafe({
      kind: 'note',
      runId: run.runId,
      actionId: prepared.action.id,
      hostId: host.id,
      command: prepared.command,
      outcome: `skipped: ${why}`,
    });
    this.status(run.runId, host.id, 'cancelled', null, why);
  }

  /**
   * One host: intent on disk, exec streamed, result on disk, status out. True if it succeeded.
   * A read-only action's command goes out once its intent is written whole, while the intent's
   * sync runs (it cannot change anything, so a power cut in that window loses only the record
   * of a read); its result is written only after that sync. Everything else waits for the sync.
   */
  private async runOnHost(run: ActiveRun, host: HostRef): Promise<boolean> {
    const { prepared, runId } = run;
    const { action, command } = prepared;
    const base = { runId, actionId: action.id, hostId: host.id, command };
    let chainHead: string;
    let intentSynced: Promise<unknown> | null = null;
    const intentAt = this.deps.clock.now();
    try {
      const intent = { kind: 'intent' as const, user: this.deps.user, ...base, params: prepared.params, ...(prepared.alert ? { alert: prepared.alert } : {}) };
      if (action.risk === 'read-only') {
        const written = await this.deps.audit.appendWritten(intent);
        chainHead = written.record.hash;
        intentSynced = written.synced;
        // awaited before the result; a failure is handled there, never left unhandled meanwhile
        intentSynced.catch(() => undefined);
      } else {
        chainHead = (await this.deps.audit.append(intent)).hash;
      }
    } catch (err) {
      // no intent on disk, no command: an unaudited change is worse than a refused one
      const why = `not run: the audit log could not be written (${this.deps.redactor.redact((err as Error).message)})`;
      this.locks.release(host.id, prepared.locks, runId);
      this.status(runId, host.id, 'failed', null, why);
      return false;
    }
    this.status(runId, host.id, 'running', null, null);

    const spool = prepared.action.streams ? this.openSpool(runId, host.id) : null;
    // never throws: a disk that refuses it is logged and the run goes on
    const kept = prepared.action.streams ? null : (this.deps.outputs?.open(runId, host.id) ?? null);
    const batcher = new OutputBatcher({
      redactor: this.deps.redactor,
      timers: this.timers,
      intervalMs: this.limits.outputIntervalMs,
      maxLines: prepared.action.streams ? this.limits.maxBufferedLines : this.limits.maxBufferedLinesFinite,
      // a follow keeps every line: beyond the bound its channel is read slower, nothing is dropped
      lossless: prepared.action.streams,
      emit: (chunks, droppedLines) => {
        if (spool) chunks = this.spoolBatch(spool, chunks);
        kept?.append(chunks, droppedLines);
        // runs from a timer: a throwing listener would otherwise take the process down
        try {
          this.deps.emitOutput({ runId, hostId: host.id, chunks, droppedLines });
        } catch (err) {
          this.deps.logger?.warn(`actions: output listener failed: ${(err as Error).message}`);
        }
      },
    });
    const hostAbort = new AbortController();
    const onRunAbort = () => hostAbort.abort();
    run.controller.signal.addEventListener('abort', onRunAbort);
    const timeoutMs = action.timeoutSeconds > 0 ? action.timeoutSeconds * 1000 : undefined;
    // the executor enforces timeoutMs; this guard only stops us waiting forever on one that hangs
    let guardFired = false;
    const guard =
      timeoutMs === undefined
        ? null
        : this.timers.setTimeout(() => {
            guardFired = true;
            hostAbort.abort();
          }, timeoutMs + this.limits.timeoutGraceMs);

    let state: RunState;
    let exitCode: number | null = null;
    let error: string | null = null;
    try {
      if (run.controller.signal.aborted) hostAbort.abort();
      // a resumable follow's output carries its resume point (journal cursor, file offset)
      const journal = action.resume === 'journal-cursor' ? new JournalFormatter() : action.resume === 'file-offset' ? new FileOffsetFormatter() : null;
      const onStdout = journal
        ? (chunk: string) => {
            for (const line of journal.push(chunk)) batcher.push('stdout', line + '\n');
          }
        : (chunk: string) => batcher.push('stdout', chunk);
      const envelope = this.deps.envelope;
      const onHost = (text: string) =>
        envelope
          ? envelope.wrap(text, {
              runId,
              actionId: action.id,
              title: action.title,
              scopes: prepared.locks,
              readOnly: action.risk === 'read-only',
              chainHead,
              alert: prepared.alert ? { key: this.deps.redactor.redact(prepared.alert.key), firedAt: prepared.alert.firedAt } : null,
            })
          : text;
      // the envelope's refusal (a lock another console holds) is the first thing on stderr
      let stderrHead = '';
      let raw = command;
      let current = onHost(raw);
      let resumes = 0;
      let cursorAtResume: string | null = null;
      let result: ExecResult;
      for (;;) {
        try {
          result = await this.deps.executor.exec(host.id, current, {
            onStdout,
            onStderr: (chunk) => {
              if (stderrHead.length < 4096) stderrHead += chunk.slice(0, 4096 - stderrHead.length);
              batcher.push('stderr', chunk);
            },
            signal: hostAbort.signal,
            onWaiting: (message) => batcher.push('stderr', `[opsdeck] ${message}\n`),
            ...(timeoutMs === undefined ? {} : { timeoutMs }),
            ...(prepared.action.streams ? { backpressure: batcher } : {}),
          });
          break;
        } catch (err) {
          // Only a resumable follow outlives a lost connection; anything else reports it.
          if (!journal || hostAbort.signal.aborted) throw err;
          journal.end();
          if (journal.cursor !== cursorAtResume) resumes = 0; // it got through since the last drop
          if (++resumes > this.limits.maxResumes) throw err;
          cursorAtResume = journal.cursor;
          const why = this.deps.redactor.redact((err as Error).message || String(err));
          const waitMs = Math.min(this.limits.resumeMaxDelayMs, this.limits.resumeDelayMs * 2 ** (resumes - 1));
          batcher.push('stderr', `[opsdeck] ${why}; resuming in ${(waitMs / 1000).toFixed(1)} s from the last entry shown\n`);
          await this.sleep(waitMs, hostAbort.signal);
          if (hostAbort.signal.aborted) throw err;
          raw = journal.cursor ? renderResumeCommand(action, prepared.params, journal.cursor) : command;
          current = onHost(raw);
          await this.auditSafe({ kind: 'note', ...base, command: raw, outcome: `resumed after a lost connection (${why})` });
        }
      }
      exitCode = result.exitCode;
      const refused = envelope?.refusal(result.exitCode, stderrHead) ?? null;
      if (refused) {
        // nothing ran: another console holds the host's lock for this scope (75 is the envelope's, not the command's)
        exitCode = null;
        state = 'cancelled';
        error = `not run: ${refused}`;
      } else if (result.timedOut || guardFired) {
        state = 'failed';
        error = `timed out after ${action.timeoutSeconds} s`;
      } else if ((result.cancelled || run.controller.signal.aborted) && result.exitCode !== 0) {
        // a command that exited 0 finished before the cancel reached it: it ran, and succeeded
        state = 'cancelled';
        error = 'cancelled';
      } else if (result.exitCode === 0) {
        state = 'succeeded';
      } else {
        state = 'failed';
        error = result.exitCode !== null ? `exit code ${result.exitCode}` : `ended by signal ${result.signal ?? 'unknown'}`;
      }
    } catch (err) {
      // Cut off after the command was sent and before its exit status: it may well have run.
      state = run.controller.signal.aborted ? 'cancelled' : cutOff(err) ? 'unknown' : 'failed';
      error = this.deps.redactor.redact((err as Error).message || String(err));
    } finally {
      if (guard !== null) this.timers.clearTimeout(guard);
      run.controller.signal.removeEventListener('abort', onRunAbort);
      batcher.close();
      spool?.close();
      kept?.close();
    }
    if (intentSynced) {
      try {
        await intentSynced;
      } catch (err) {
        // the command (a read) went out; its intent was cut from the log again: say so everywhere
        state = 'failed';
        error = `the audit log could not sync its intent after the command was sent (${this.deps.redactor.redact((err as Error).message)})${error ? `; ${error}` : ''}`;
      }
    }
    const outcome = error ? `${state}: ${error}` : state;
    await this.auditSafe({ kind: 'result', ...base, exitCode, outcome });
    this.locks.release(host.id, prepared.locks, runId);
    if (state === 'unknown') {
      const how =
        action.risk === 'read-only'
          ? '; it only reads, so nothing on the host hangs on it'
          : action.effect?.check === 'none'
            ? `; it cannot be checked: ${action.effect.why}`
            : action.effect
              ? '; it is checked on the host once it answers'
              : '; the action says no way to check it';
      error = `${error}${how}`;
    }
    this.status(runId, host.id, state, exitCode, error);
    if (state === 'unknown') {
      this.settler.add({ runId, hostId: host.id, action, params: prepared.params, command, intentAt });
      void this.settler.settleHost(host.id);
    }
    return state === 'succeeded';
  }

  private openSpool(runId: RunId, hostId: HostId): FollowSpool | null {
    if (!this.deps.spools) return null;
    try {
      return this.deps.spools.open(runId, hostId);
    } catch (err) {
      this.deps.logger?.warn(`actions: the spool of ${runId} on ${hostId} cannot be opened: ${(err as Error).message}`);
      return null;
    }
  }

  /** Keeps a batch in the follow's spool; a spool the disk refuses stops, and the view is told. */
  private spoolBatch(spool: FollowSpool, chunks: OutputChunk[]): OutputChunk[] {
    try {
      spool.append(chunks);
      return chunks;
    } catch (err) {
      spool.close();
      const why = `[opsdeck] this follow is no longer kept on disk from here on (${this.deps.redactor.redact((err as Error).message)}); the view goes on\n`;
      this.deps.logger?.warn(`actions: ${spool.path}: ${(err as Error).message}`);
      return [...chunks, { stream: 'stderr', text: why }];
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        this.timers.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.timers.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Result and note records: the command already ran, so a failed write is reported, not fatal. */
  private async auditSafe(entry: Omit<AuditEntry, 'user'>): Promise<void> {
    try {
      await this.deps.audit.append({ user: this.deps.user, ...entry });
    } catch (err) {
      this.deps.logger?.warn(`audit: could not record ${entry.kind} of ${entry.runId} on ${entry.hostId}: ${(err as Error).message}`);
    }
  }

  private status(runId: RunId, hostId: HostId, state: RunState, exitCode: number | null, error: string | null, settled: string | null = null): void {
    try {
      this.deps.emitStatus({ runId, hostId, state, exitCode, error, ...(settled ? { settled } : {}), at: isoAt(this.deps.clock.now()) });
    } catch (err) {
      this.deps.logger?.warn(`actions: status listener failed: ${(err as Error).message}`);
    }
  }
}

/**
 * The connection went away or froze after the command was sent and before its exit status came
 * back (the SSH pool's `connection-lost` or `unresponsive` link errors, or an error that says so
 * by flag).
 * Anything else (no connection, the command could not be started) means it did not run.
 */
function cutOff(err: unknown): boolean {
  if (outcomeUnknown(err)) return true;
  if ((err as { outcomeUnknown?: unknown })?.outcomeUnknown === true) return true;
  return /connection lost before the command finished/.test((err as Error)?.message ?? '');
}
