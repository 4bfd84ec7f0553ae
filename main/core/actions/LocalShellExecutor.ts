// A HostExecutor that runs commands on this machine with /bin/sh: the same contract as the SSH
// pool (output streamed, cancel and timeout stop the process itself), for a "local" host and
// for driving the action service against real processes in tests without an SSH server.
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { HostId } from '../../../common/contract';
import type { ExecOptions, ExecResult, HostExecutor } from '../hostExec';

export interface LocalShellExecutorOptions {
  /** extra environment for every command (HOST_ID is always set to the host id) */
  env?: Record<string, string>;
  /** how long a stopped command gets between SIGTERM and SIGKILL */
  killGraceMs?: number;
}

export class LocalShellExecutor implements HostExecutor {
  constructor(private readonly options: LocalShellExecutorOptions = {}) {}

  exec(hostId: HostId, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) {
        resolve({ exitCode: null, signal: null, timedOut: false, cancelled: true });
        return;
      }
      // its own process group, so stopping it stops the whole pipeline it started
      const child = spawn('/bin/sh', ['-c', command], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...this.options.env, HOST_ID: hostId },
      });
      let timedOut = false;
      let cancelled = false;
      let killTimer: NodeJS.Timeout | null = null;
      const stop = () => {
        signalGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), this.options.killGraceMs ?? 2000);
      };
      const onAbort = () => {
        cancelled = true;
        stop();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const timeout =
        opts.timeoutMs === undefined
          ? null
          : setTimeout(() => {
              timedOut = true;
              stop();
            }, opts.timeoutMs);
      const out = new StringDecoder('utf8');
      const err = new StringDecoder('utf8');
      // a consumer that is behind stops the reading: the pipe fills and the command blocks on it
      const flow = opts.backpressure;
      child.stdout.on('data', (b: Buffer) => {
        opts.onStdout?.(out.write(b));
        if (flow?.isFull() && !child.stdout.isPaused()) {
          child.stdout.pause();
          flow.onRoom(() => child.stdout.resume());
        }
      });
      child.stderr.on('data', (b: Buffer) => opts.onStderr?.(err.write(b)));
      child.once('error', (e) => {
        cleanup();
        reject(new Error(`${hostId}: cannot start /bin/sh: ${e.message}`));
      });
      const cleanup = () => {
        if (timeout) clearTimeout(timeout);
        if (killTimer) clearTimeout(killTimer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      child.once('close', (code, signal) => {
        cleanup();
        const restOut = out.end();
        const restErr = err.end();
        if (restOut) opts.onStdout?.(restOut);
        if (restErr) opts.onStderr?.(restErr);
        resolve({ exitCode: code, signal, timedOut, cancelled: cancelled && !timedOut });
      });
    });
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
