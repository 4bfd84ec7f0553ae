// Running one command on one host: the port the actions, the Hosts view and the benches use.
// The SSH session pool implements it; LocalShellExecutor runs the same port on this machine.
import type { HostId } from '../../common/contract';

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
