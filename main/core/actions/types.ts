// Ports the action service depends on. The SSH pool (main/core/ssh) satisfies HostExecutor
// structurally; tests and benches can supply their own.
import type { EventPayload, HostId } from '../../../common/contract';

export interface ExecOptions {
  onStdout?(chunk: string): void;
  onStderr?(chunk: string): void;
  /** aborting it must stop the remote process, not just the local stream */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
}

export interface HostExecutor {
  /** Runs `command` through the remote login shell; rejects when the host cannot be reached. */
  exec(hostId: HostId, command: string, opts?: ExecOptions): Promise<ExecResult>;
}

export interface HostRef {
  id: HostId;
  label: string;
}

export type HostLookup = (id: HostId) => HostRef | undefined;

export type EmitRunOutput = (payload: EventPayload<'onRunOutput'>) => void;
export type EmitRunStatus = (payload: EventPayload<'onRunStatus'>) => void;
