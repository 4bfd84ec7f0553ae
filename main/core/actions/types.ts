// Ports the action service depends on (besides HostExecutor, in ../hostExec.ts, which the SSH
// pool implements); tests and benches can supply their own.
import type { EventPayload, HostId } from '../../../common/contract';

export interface HostRef {
  id: HostId;
  label: string;
}

export type HostLookup = (id: HostId) => HostRef | undefined;

export type EmitRunOutput = (payload: EventPayload<'onRunOutput'>) => void;
export type EmitRunStatus = (payload: EventPayload<'onRunStatus'>) => void;

/** What the envelope needs to know of a run (see RunEnvelope). */
export interface RunEnvelopeContext {
  runId: string;
  actionId: string;
  title: string;
  /** the action's lock scopes on the host (lockKeys) */
  scopes: readonly string[];
  readOnly: boolean;
  /** the hash of the run's intent record in the local audit chain */
  chainHead: string;
  /** the alert the run was started from, redacted as its intent records it; null: none */
  alert?: { key: string; firedAt: string | null } | null;
}

/**
 * How a run reaches the host when host-side locks and records are on (main/core/team): the
 * command wrapped so that it runs under the host's lock for its scopes and leaves its intent and
 * outcome in the host's journal, in the same exec.
 */
export interface RunEnvelope {
  wrap(command: string, run: RunEnvelopeContext): string;
  /** "held by alice: …" when the run was refused because another console holds a scope; else null */
  refusal(exitCode: number | null, stderr: string): string | null;
  /** a read-only command that prints who holds these scopes; null when there is nothing to ask */
  probeCommand(scopes: readonly string[]): string | null;
  /**
   * Splits a precheck's output lines into the probe's holders ("held by alice: …") and every
   * other line (the action's own precheck output), in order.
   */
  describeProbe(lines: readonly string[]): { holders: string[]; rest: string[] };
}
