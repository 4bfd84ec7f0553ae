// Running one command on one host: the port the actions, the Hosts view and the benches use.
// The SSH session pool implements it; LocalShellExecutor runs the same port on this machine.
import type { HostId } from '../../common/contract';

export interface ExecOptions {
  onStdout?(chunk: string): void;
  onStderr?(chunk: string): void;
  /** aborting it must stop the remote process, not just the local stream */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** the consumer's flow control: while it is full the executor stops reading the output */
  backpressure?: Backpressure;
  /**
   * told (once) when the command waits in line before it starts, in words for the user: the
   * host's server allows only so many sessions at once on the shared connection (MaxSessions)
   */
  onWaiting?(message: string): void;
}

/**
 * Back-pressure from whoever takes a command's output (a follow's batcher): asked after each
 * chunk; when full, the executor stops reading (an SSH channel stops opening its window, so the
 * remote writer blocks) until the consumer calls the listener it was given.
 */
export interface Backpressure {
  isFull(): boolean;
  /** call `listener` once when there is room again (at once if there is room now) */
  onRoom(listener: () => void): void;
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
