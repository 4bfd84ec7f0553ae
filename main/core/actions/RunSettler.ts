// Runs cut off before their exit status came back ("unknown") wait here until their host answers
// again; then the action's effect check runs on it and the settled outcome is recorded next to
// the unknown one. A check that cannot reach the host leaves the run waiting for the next try.
import type { HostId, RunId } from '../../../common/contract';
import type { Clock, Timers } from '../clock';
import type { AuditEntry, OpenRun } from '../audit/AuditLog';
import type { Redactor } from '../redact/Redactor';
import { type CatalogAction, type ResolvedParams, renderEffect } from './Catalog';
import { interpretEffectCheck } from './effectCheck';
import type { HostExecutor } from '../hostExec';
import type { EmitRunStatus } from './types';

const CHECK_TIMEOUT_MS = 15_000;
/** a check that could not tell (host away, unit still starting) is tried again: 1 s, 2 s, 4 s… up to a minute */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
const MAX_TRIES = 30;
const MAX_OUTPUT = 16_384;

export interface UnknownRun {
  runId: RunId;
  hostId: HostId;
  action: CatalogAction;
  params: ResolvedParams;
  command: string;
  /** console clock at the intent: the check measures elapsed time from here */
  intentAt: number;
}

export interface RunSettlerDeps {
  executor: HostExecutor;
  audit: { append(entry: AuditEntry): Promise<unknown> };
  redactor: Redactor;
  clock: Clock;
  timers: Timers;
  user: string;
  emitStatus: EmitRunStatus;
  logger?: { warn(message: string): void };
}

export class RunSettler {
  private readonly waiting = new Map<string, UnknownRun>();
  private readonly checking = new Set<string>();
  private readonly tries = new Map<string, number>();
  private readonly retryTimers = new Map<string, unknown>();

  constructor(private readonly deps: RunSettlerDeps) {}

  /** A run that has a way to be checked waits for its host; one without stays unknown. */
  add(run: UnknownRun): void {
    if (!run.action.effect || run.action.effect.check === 'none') return;
    this.waiting.set(`${run.runId} ${run.hostId}`, run);
  }

  /**
   * Runs a stopped console left open, as their intents recorded them: each whose action is still
   * in the catalog waits for its host like a run cut off by a dropped link, and is tried now.
   */
  adopt(runs: readonly OpenRun[], actionOf: (actionId: string) => CatalogAction | undefined): void {
    const hosts = new Set<HostId>();
    for (const run of runs) {
      const action = actionOf(run.actionId);
      if (!action) continue;
      const hostId = run.hostId as HostId;
      this.add({ runId: run.runId as RunId, hostId, action, params: run.params, command: run.command, intentAt: run.intentAt });
      hosts.add(hostId);
    }
    for (const hostId of hosts) void this.settleHost(hostId);
  }

  /** Unknown runs still waiting (tests, the view). */
  pending(): UnknownRun[] {
    return [...this.waiting.values()];
  }

  /** Try to settle every unknown run on this host (call when it is connected again). */
  async settleHost(hostId: HostId): Promise<void> {
    await Promise.all([...this.waiting.values()].filter((r) => r.hostId === hostId).map((r) => this.settle(r)));
  }

  private async settle(run: UnknownRun): Promise<void> {
    const key = `${run.runId} ${run.hostId}`;
    if (this.checking.has(key)) return;
    this.checking.add(key);
    const timer = this.retryTimers.get(key);
    if (timer !== undefined) this.deps.timers.clearTimeout(timer);
    this.retryTimers.delete(key);
    let done = false;
    try {
      const elapsedMs = this.deps.clock.now() - run.intentAt;
      const command = renderEffect(run.action, run.params, elapsedMs / 1000);
      if (!command) return;
      let out = '';
      const keep = (chunk: string) => {
        if (out.length < MAX_OUTPUT) out += chunk;
      };
      let result;
      try {
        result = await this.deps.executor.exec(run.hostId, command, { onStdout: keep, timeoutMs: CHECK_TIMEOUT_MS });
      } catch {
        return; // the host is not back yet: the next connection, or the retry, tries again
      }
      const settled = result.exitCode === 0 ? interpretEffectCheck(run.action.effect!, out, elapsedMs) : null;
      if (!settled) {
        this.deps.logger?.warn(
          `actions: cannot settle ${run.runId} on ${run.hostId}: the check ${result.exitCode === 0 ? 'printed nothing readable' : `exited with ${result.exitCode ?? result.signal}`}`,
        );
        return;
      }
      const outcome = `${settled.state} (${this.deps.redactor.redact(settled.evidence)})`;
      try {
        await this.deps.audit.append({
          kind: 'settled',
          user: this.deps.user,
          runId: run.runId,
          actionId: run.action.id,
          hostId: run.hostId,
          command: run.command,
          exitCode: null,
          outcome,
        });
      } catch (err) {
        this.deps.logger?.warn(`audit: could not record the settled outcome of ${run.runId} on ${run.hostId}: ${(err as Error).message}`);
        return; // not recorded, not shown: the next try records it
      }
      this.waiting.delete(key);
      done = true;
      this.deps.emitStatus({
        runId: run.runId,
        hostId: run.hostId,
        state: settled.state,
        exitCode: null,
        error: settled.state === 'failed' ? outcome : null,
        settled: outcome,
        at: new Date(this.deps.clock.now()).toISOString(),
      });
    } finally {
      this.checking.delete(key);
      if (!done) this.retry(run, key);
    }
  }

  private retry(run: UnknownRun, key: string): void {
    const n = (this.tries.get(key) ?? 0) + 1;
    this.tries.set(key, n);
    if (n > MAX_TRIES || !this.waiting.has(key)) return; // still settled by the host's next connection
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (n - 1));
    this.retryTimers.set(
      key,
      this.deps.timers.setTimeout(() => void this.settle(run), delay),
    );
  }

  /** Stop the retries (shutdown). */
  dispose(): void {
    for (const timer of this.retryTimers.values()) this.deps.timers.clearTimeout(timer);
    this.retryTimers.clear();
  }
}
