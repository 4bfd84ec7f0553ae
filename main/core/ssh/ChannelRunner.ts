// The channel runner: commands, forwards and terminals on a host's pooled connection. A
// command runs on a spare session when one is ready (else on a channel of its own), streams its
// output, and on cancel or timeout is stopped by escalation: TERM to its process group and EOF,
// then KILL and the channel dropped, so a run always ends.
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel } from 'ssh2';
import type { HostId } from '../../../common/contract';
import type { Timers } from '../clock';
import type { Conn } from './Conn';
import type { ConnectionRegistry } from './ConnectionRegistry';
import { wrapCommand } from './execWrapper';
import type { SessionSlots } from './SessionSlots';
import type { SpareSessions } from './SpareSessions';
import { SshLinkError } from './SshLinkError';
import { openForward } from './transports';
import type { ExecOptions, ExecResult } from './types';

/** how long each step of the kill escalation waits for the command to go */
const CANCEL_GRACE_MS = 2_000;

export class ChannelRunner {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly spares: SpareSessions,
    private readonly slots: SessionSlots,
    private readonly timers: Timers,
  ) {}

  async exec(id: HostId, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (typeof command !== 'string' || !command.trim()) throw new Error(`${id}: empty command`);
    if (command.includes('\0')) throw new Error(`${id}: a command cannot contain a NUL byte`);
    if (opts.signal?.aborted) return { exitCode: null, signal: null, timedOut: false, cancelled: true };
    const client = await this.registry.clientFor(id);
    const conn = this.registry.connOf(id);
    // a link that stops answering ends the command for the caller at once (liveness), as an
    // unknown outcome; the channel itself is left to end with the command or the connection,
    // so a link that comes back does not have the command killed under it
    let frozen = false;
    let onFrozen = (): void => {};
    const frozenEnd = new Promise<never>((_, reject) => {
      onFrozen = () => {
        frozen = true;
        reject(new SshLinkError('unresponsive', `${id}: the link stopped answering while the command ran (${conn.error ?? 'unresponsive'})`));
      };
    });
    conn.frozenWatchers.add(onFrozen);
    const heard: ExecOptions = {
      ...opts,
      onStdout: (chunk) => !frozen && opts.onStdout?.(chunk),
      onStderr: (chunk) => !frozen && opts.onStderr?.(chunk),
    };
    try {
      return await Promise.race([this.run(id, command, heard, client, conn), frozenEnd]);
    } finally {
      conn.frozenWatchers.delete(onFrozen);
    }
  }

  private async run(id: HostId, command: string, opts: ExecOptions, client: Client, conn: Conn): Promise<ExecResult> {
    this.registry.touch(conn, +1);
    // ssh2 can parse the open confirmation, the output and the exit status from one TCP read:
    // the exit event then fires before the await below hands the channel over (a microtask
    // later). Record it in the callback itself or a fast command loses its exit code.
    let earlyExit: { code: number | null; signal: string | null } | null = null;
    const onEarlyExit = (code: number | null, signalName?: string) => {
      earlyExit = { code: typeof code === 'number' ? code : null, signal: signalName ?? null };
    };
    // cancelled while the spare got ready: no spare, and the slots below start nothing either
    const spare = await this.spares.takeSpare(conn, client, opts.signal);
    const openExec = () =>
      new Promise<ClientChannel>((resolve, reject) => {
        client.exec(wrapCommand(command), (err, ch) => {
          if (err) return reject(err);
          ch.once('exit', onEarlyExit);
          resolve(ch);
        });
      });
    // at the server's MaxSessions the command waits in line for a session to end (SessionSlots)
    const channel = spare
      ? spare.channel
      : await this.slots
          .open(client, id, openExec, {
            // in line for a session: an unused spare's slot is better given to this command
            onWaiting: (message) => {
              void this.spares.yieldSlots(conn, client).catch(() => false);
              opts.onWaiting?.(message);
            },
            signal: opts.signal,
          })
          .catch((err: Error) => {
            this.registry.touch(conn, -1);
            throw new Error(`${id}: cannot start command: ${err.message}`, { cause: err });
          });
    if (!channel) {
      // cancelled while it waited for a spare or a session: nothing was started
      this.registry.touch(conn, -1);
      return { exitCode: null, signal: null, timedOut: false, cancelled: true };
    }
    if (spare) {
      channel.once('exit', onEarlyExit);
      channel.write(spare.input(command));
    }
    return new Promise<ExecResult>((resolve, reject) => {
      const out = new StringDecoder('utf8');
      const errDec = new StringDecoder('utf8');
      const result: ExecResult = { exitCode: null, signal: null, timedOut: false, cancelled: false };
      let exited = false;
      let settled = false;
      let killTimer: unknown = null;
      let timeoutTimer: unknown = null;
      const emitOut = (text: string) => text && opts.onStdout?.(text);
      const emitErr = (text: string) => text && opts.onStderr?.(text);
      // a consumer that is behind stops the reading; the unread data holds the channel's window
      // shut, so the remote command blocks on its writes instead of anything being dropped
      const flow = opts.backpressure;
      let paused = false;
      const holdBack = () => {
        if (!flow || paused || settled || !flow.isFull()) return;
        paused = true;
        channel.pause();
        flow.onRoom(() => {
          paused = false;
          if (!settled) channel.resume();
        });
      };
      channel.on('data', (chunk: Buffer) => {
        emitOut(out.write(chunk));
        holdBack();
      });
      channel.stderr.on('data', (chunk: Buffer) => {
        emitErr(errDec.write(chunk));
        holdBack();
      });
      // a spare's stdout was paused after its ready line: what follows is this command's
      channel.resume();
      const recordExit = (code: number | null, signalName: string | null) => {
        exited = true;
        result.exitCode = code;
        result.signal = signalName;
      };
      const early = earlyExit as { code: number | null; signal: string | null } | null;
      if (early) recordExit(early.code, early.signal);
      channel.on('exit', (code: number | null, signalName?: string) => recordExit(typeof code === 'number' ? code : null, signalName ?? null));
      const stop = (why: 'cancelled' | 'timedOut') => {
        if (result.cancelled || result.timedOut) return;
        result[why] = true;
        // TERM the remote process group, close stdin (the wrapper's watcher kills the group on
        // EOF), and if it still has not gone after a grace period, KILL and drop the channel.
        try {
          channel.signal('TERM');
          channel.end();
        } catch {
          // channel already closing
        }
        killTimer = this.timers.setTimeout(() => {
          try {
            channel.signal('KILL');
            channel.close();
          } catch {
            // already closed
          }
          // a server that never confirms the close must not leave the run hanging here
          killTimer = this.timers.setTimeout(() => {
            channel.destroy();
            finish();
          }, CANCEL_GRACE_MS);
        }, CANCEL_GRACE_MS + 1_000);
      };
      const onAbort = () => stop('cancelled');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      // an abort while the exec request was on its way fired no listener: the command has
      // started on the host, so it is stopped like any cancelled one
      if (opts.signal?.aborted) onAbort();
      if (opts.timeoutMs && opts.timeoutMs > 0) timeoutTimer = this.timers.setTimeout(() => stop('timedOut'), opts.timeoutMs);
      const onClientClose = () => finish();
      client.once('close', onClientClose);
      const finish = () => {
        if (settled) return;
        settled = true;
        this.registry.touch(conn, -1);
        this.spares.sessionEnded(conn);
        client.removeListener('close', onClientClose);
        opts.signal?.removeEventListener('abort', onAbort);
        if (killTimer) this.timers.clearTimeout(killTimer);
        if (timeoutTimer) this.timers.clearTimeout(timeoutTimer);
        // output still held back by a paused read is the command's too: read() hands each held
        // chunk to the 'data' listener above before the end
        if (paused) while (channel.read() !== null);
        emitOut(out.end());
        emitErr(errDec.end());
        if (!exited && !result.cancelled && !result.timedOut) {
          reject(new SshLinkError('connection-lost', `${id}: connection lost before the command finished`));
          return;
        }
        resolve(result);
      };
      channel.once('close', finish);
    });
  }

  /** A direct-tcpip channel from the host to dstHost:dstPort (as `ssh -L`). */
  async forwardOut(id: HostId, dstHost: string, dstPort: number): Promise<Duplex> {
    const client = await this.registry.clientFor(id);
    const conn = this.registry.connOf(id);
    const channel = await openForward(client, dstHost, dstPort, id);
    this.registry.touch(conn, +1);
    channel.once('close', () => this.registry.touch(conn, -1));
    return channel;
  }

  /** An interactive shell with a pty over the host's pooled connection. */
  async shell(id: HostId, pty: { cols: number; rows: number; term: string }): Promise<ClientChannel> {
    const client = await this.registry.clientFor(id);
    const conn = this.registry.connOf(id);
    const openShell = () =>
      new Promise<ClientChannel>((resolve, reject) => {
        client.shell({ term: pty.term, cols: pty.cols, rows: pty.rows }, (err, channel) => (err ? reject(err) : resolve(channel)));
      });
    // at the server's MaxSessions our spares hold the slot the terminal needs: in line for a
    // slot, it gets theirs (they end, and start again only once a session ends)
    const yieldSpares = () => void this.spares.yieldSlots(conn, client).catch(() => false);
    const channel = await this.slots.open(client, id, openShell, { onWaiting: yieldSpares }).catch((err: Error) => {
      throw new Error(`${id}: cannot open a shell: ${err.message}`, { cause: err });
    });
    if (!channel) throw new Error(`${id}: cannot open a shell: no session slot`);
    channel.once('close', () => this.spares.sessionEnded(conn));
    return channel;
  }
}
