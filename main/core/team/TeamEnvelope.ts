// The actions' RunEnvelope on top of the host envelope: every run goes to the host wrapped in its
// locks and journal records, named after this console's user and console name.
import type { Clock } from '../clock';
import type { RunEnvelope, RunEnvelopeContext } from '../actions/types';
import { describeHolder, LOCK_HELD_EXIT, lockProbeCommand, parseLockProbe, parseLockRefusal, wrapInEnvelope } from './hostEnvelope';

export interface TeamEnvelopeDeps {
  user: string;
  /** this console's name in host records (consoleName()) */
  console: string;
  clock: Clock;
}

export class TeamEnvelope implements RunEnvelope {
  constructor(private readonly deps: TeamEnvelopeDeps) {}

  wrap(command: string, run: RunEnvelopeContext): string {
    const { user, console } = this.deps;
    return wrapInEnvelope(
      command,
      run.readOnly ? [] : run.scopes,
      { runId: run.runId, user, console, actionId: run.actionId, command, chainHead: run.chainHead, alert: run.alert ?? null },
      { user, console, actionId: run.actionId, title: run.title, runId: run.runId, started: new Date(this.deps.clock.now()).toISOString() },
      { recordAfter: run.readOnly },
    );
  }

  refusal(exitCode: number | null, stderr: string): string | null {
    if (exitCode !== LOCK_HELD_EXIT) return null;
    const held = parseLockRefusal(stderr);
    if (typeof held === 'string') return held;
    return held ? describeHolder(held, this.deps.clock.now()) : null;
  }

  probeCommand(scopes: readonly string[]): string | null {
    return scopes.length ? lockProbeCommand(scopes) : null;
  }

  describeProbe(lines: readonly string[]): { holders: string[]; rest: string[] } {
    const now = this.deps.clock.now();
    const { held, rest } = parseLockProbe(lines);
    return { holders: held.map((h) => describeHolder(h, now)), rest };
  }
}
