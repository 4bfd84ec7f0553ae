// Spare sessions, started ahead of need so a warm exec costs one round trip.
//
// One wrapper per connected host waits on the server for its command (execWrapper's spare):
// the next exec writes its command to it, one round trip instead of two (channel open, then
// the exec request; ssh2 offers no public way to open a session channel without a request).
// Taking a spare starts the next one at once, so N commands at the same time hold N + 1
// sessions. Each spare holds one of the connection's session slots (SessionSlots): it starts
// only in a free slot nobody waits for, and a refused one teaches the connection its
// MaxSessions. A command takes a spare (ready or still opening) before it asks for a slot of
// its own, and a command or terminal waiting in line for a slot gets the unused spares'.
//
// A spare takes two round trips and the host's fork of the login shell to start, a command on
// it one round trip: commands back to back would wait for the next spare. So a host that gets
// a second command within busySpareWindowMs of the one before keeps two, and goes back to one
// after that long without a command. Spares never keep a connection from going idle; closing
// the connection ends them.
import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import type { Clock, Timers } from '../clock';
import { connLabel, type Conn, type Spare } from './Conn';
import { spareCommand, spareInput } from './execWrapper';
import type { SessionSlots } from './SessionSlots';
import type { SshLogger } from './types';

/** first wait before another spare after one failed (MaxSessions reached, sessions still closing) */
export const SPARE_RETRY_MS = 1_000;
const SPARE_RETRY_MAX_MS = 60_000;
const DEFAULT_BUSY_SPARE_WINDOW_MS = 5_000;
/** a spare that has not printed its ready line by then is running something else: never used */
const SPARE_READY_TIMEOUT_MS = 3_000;
/** output a spare may print before its ready line (a chatty login shell) before it is given up */
const SPARE_PREAMBLE_MAX_BYTES = 64 * 1024;

export interface SpareSessionsDeps {
  clock: Clock;
  timers: Timers;
  logger: SshLogger;
  /** keep spares at all (default true) */
  spareSessions?: boolean;
  /** see SessionPoolDeps.busySpareWindowMs (default 5000) */
  busySpareWindowMs?: number;
  isClosed: () => boolean;
  /** each spare holds one of the connection's session slots */
  slots: SessionSlots;
  /** see SessionPoolDeps.sparePrelude */
  sparePrelude?: string | undefined;
}

export class SpareSessions {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly logger: SshLogger;
  private readonly enabled: boolean;
  private readonly busySpareWindowMs: number;

  constructor(private readonly deps: SpareSessionsDeps) {
    this.clock = deps.clock;
    this.timers = deps.timers;
    this.logger = deps.logger;
    this.enabled = deps.spareSessions ?? true;
    this.busySpareWindowMs = Math.max(0, deps.busySpareWindowMs ?? DEFAULT_BUSY_SPARE_WINDOW_MS);
  }

  /** How many spares this connection should hold now. */
  private spareTarget(conn: Conn): number {
    return conn.busy ? 2 : 1;
  }

  /** Start spares until the connection holds its target (none while blocked). */
  openSpare(conn: Conn): void {
    while (conn.spares.length < this.spareTarget(conn)) {
      const before = conn.spares.length;
      this.openOneSpare(conn);
      // refused synchronously, blocked, or not connected: stop here
      if (conn.spares.length === before) return;
    }
  }

  /** An exec is about to take a spare: a second one soon after the last makes the host busy. */
  private noteExec(conn: Conn): void {
    if (!this.busySpareWindowMs) return;
    const now = this.clock.now();
    if (conn.lastExecAt !== null && now - conn.lastExecAt < this.busySpareWindowMs) conn.busy = true;
    conn.lastExecAt = now;
    if (!conn.busy) return;
    if (conn.busyTimer) this.timers.clearTimeout(conn.busyTimer);
    conn.busyTimer = this.timers.setTimeout(() => {
      conn.busyTimer = null;
      conn.busy = false;
      // quiet again: end the spares beyond one, newest first (the oldest is the readiest)
      const extra = conn.spares.splice(this.spareTarget(conn));
      for (const spare of extra) void this.retireSpare(spare);
    }, this.busySpareWindowMs);
  }

  private openOneSpare(conn: Conn): void {
    const client = conn.client;
    if (
      !this.enabled ||
      this.deps.isClosed() ||
      conn.removed ||
      conn.hostId === null ||
      !client ||
      conn.state !== 'connected' ||
      conn.spareBlocked ||
      conn.sparesRefused
    )
      return;
    // a spare never takes the last slot from a request waiting for it
    const ticket = this.deps.slots.tryTake(client);
    if (ticket === null) return;
    const endLine = randomBytes(16).toString('hex');
    let markClosed = () => {};
    const closed = new Promise<void>((r) => (markClosed = r));
    let resolveReady: (channel: ClientChannel | null) => void = () => {};
    const spare: Spare = { client, endLine, taken: false, gone: false, closed, ready: new Promise((r) => (resolveReady = r)) };
    // listed before the request goes out: a client.exec that throws at once (a socket already
    // dead, its close not yet seen) is then a lost spare like any other, and `spare` exists for it
    conn.spares.push(spare);
    const failed = (why: string) => {
      spare.gone = true;
      markClosed();
      this.spareLost(conn, spare, why);
      resolveReady(null);
    };
    try {
      client.exec(spareCommand(endLine, this.deps.sparePrelude), (err, ch) => {
        if (err) {
          // refused at the server's MaxSessions: the slots learn the connection's cap from it
          this.deps.slots.failed(client, ticket, err, connLabel(conn));
          return failed(err.message);
        }
        this.deps.slots.opened(client, ticket, ch);
        conn.spareDelayMs = SPARE_RETRY_MS;
        const gone = () => {
          spare.gone = true;
          if (!spare.taken) this.spareLost(conn, spare, 'it ended unused');
        };
        ch.once('exit', gone);
        ch.once('close', () => {
          gone();
          markClosed();
        });
        void readyLine(ch, endLine, this.timers).then((start) => {
          if (start === 'ready') return resolveReady(ch);
          if (start === 'silent' && !spare.gone) {
            // slow, not refused: lost like any spare, and tried again after the usual wait
            spare.gone = true;
            this.spareLost(conn, spare, `it did not answer within ${SPARE_READY_TIMEOUT_MS} ms`);
            ch.close();
          } else if (!spare.gone) {
            // something other than the wrapper runs there: it must never be handed a command
            conn.sparesRefused = true;
            spare.gone = true;
            this.spareLost(conn, spare, 'the host ran something else in its place (a ForceCommand?); no spares on this connection');
            ch.close();
          }
          resolveReady(null);
        });
      });
    } catch (err) {
      this.deps.slots.failed(client, ticket, err, connLabel(conn));
      failed((err as Error).message);
    }
  }

  /** A spare that could not start or died unused; tried again once a session here ends. */
  private spareLost(conn: Conn, spare: Spare, why: string): void {
    if (!conn.spares.includes(spare)) return;
    conn.spares = conn.spares.filter((s) => s !== spare);
    if (conn.client !== spare.client) return;
    conn.spareBlocked = true;
    this.logger.info(`ssh ${connLabel(conn)}: no spare session (${why}); next try in ${conn.spareDelayMs} ms or when a session ends`);
    // a session that ended just before may not be freed on the server yet: try again later too
    if (conn.spareTimer) this.timers.clearTimeout(conn.spareTimer);
    conn.spareTimer = this.timers.setTimeout(() => {
      conn.spareTimer = null;
      if (conn.client !== spare.client) return;
      conn.spareBlocked = false;
      this.openSpare(conn);
    }, conn.spareDelayMs);
    conn.spareDelayMs = Math.min(SPARE_RETRY_MAX_MS, conn.spareDelayMs * 2);
  }

  /** The spare's channel, ready for its command, and what to write to it to run one; null when there is none to use. */
  /** `signal`: a command cancelled while its spare got ready gets none, and the spare is retired unused. */
  async takeSpare(conn: Conn, client: Client, signal?: AbortSignal): Promise<{ channel: ClientChannel; input: (command: string) => string } | null> {
    this.noteExec(conn);
    const spare = conn.spares[0];
    if (!spare || spare.client !== client) return null;
    spare.taken = true;
    conn.spares.shift();
    this.openSpare(conn);
    const channel = await spare.ready;
    if (!channel || spare.gone) {
      channel?.close();
      return null;
    }
    if (signal?.aborted) {
      void this.retireSpare(spare);
      return null;
    }
    const prelude = this.deps.sparePrelude;
    return { channel, input: (command) => spareInput(command, spare.endLine, prelude) };
  }

  async retireSpare(spare: Spare): Promise<void> {
    spare.taken = true;
    const channel = await spare.ready;
    if (!channel || spare.gone) return spare.closed;
    // EOF: the waiting wrapper exits and sshd closes the channel. Its streams were left paused
    // (output before the command belongs to the command); ssh2 reports the close only once they are read.
    channel.resume();
    channel.stderr.resume();
    channel.end();
    let timer: unknown = null;
    await Promise.race([spare.closed, new Promise<void>((r) => (timer = this.timers.setTimeout(r, 2000)))]);
    if (timer) this.timers.clearTimeout(timer);
  }

  /** Forget the spares of a connection that is going or gone (its end ends them on the host). */
  dropSpare(conn: Conn): void {
    conn.spares = [];
    conn.busy = false;
    conn.lastExecAt = null;
    if (conn.busyTimer) this.timers.clearTimeout(conn.busyTimer);
    conn.busyTimer = null;
    conn.spareBlocked = false;
    conn.spareDelayMs = SPARE_RETRY_MS;
    if (conn.spareTimer) this.timers.clearTimeout(conn.spareTimer);
    conn.spareTimer = null;
  }

  /** A command or terminal ended: a session slot is free again, so a spare may start. */
  sessionEnded(conn: Conn): void {
    conn.spareBlocked = false;
    this.openSpare(conn);
  }

  /**
   * At the server's MaxSessions a terminal needs the slot our spares hold: give up this
   * client's spares (and start none until a session ends). False if it held none.
   */
  async yieldSlots(conn: Conn, client: Client): Promise<boolean> {
    const mine = conn.spares.filter((s) => s.client === client);
    if (!mine.length) return false;
    conn.spares = conn.spares.filter((s) => !mine.includes(s));
    conn.spareBlocked = true;
    await Promise.all(mine.map((s) => this.retireSpare(s)));
    return true;
  }
}

/**
 * 'ready' once the spare has printed its ready line (execWrapper's spareCommand), with its stdout
 * paused and anything printed before that line (a login shell's chatter) put back for the
 * command's output, as a plain exec would show it; 'refused' if the channel closes or prints
 * something else (a ForceCommand runs there); 'silent' if nothing at all came within
 * SPARE_READY_TIMEOUT_MS, which on a loaded machine or link is slowness, not a verdict.
 */
type SpareStart = 'ready' | 'refused' | 'silent';

function readyLine(channel: ClientChannel, line: string, timers: Timers): Promise<SpareStart> {
  return new Promise<SpareStart>((resolve) => {
    const want = Buffer.from(`${line}\n`);
    let seen = Buffer.alloc(0);
    const done = (start: SpareStart): void => {
      channel.off('data', onData);
      channel.off('close', onClose);
      timers.clearTimeout(timer);
      channel.pause();
      resolve(start);
    };
    const onData = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      let at = seen.indexOf(want);
      while (at > 0 && seen[at - 1] !== 0x0a) at = seen.indexOf(want, at + 1);
      if (at < 0) {
        if (seen.length > SPARE_PREAMBLE_MAX_BYTES) done('refused');
        return;
      }
      const rest = Buffer.concat([seen.subarray(0, at), seen.subarray(at + want.length)]);
      done('ready');
      if (rest.length) channel.unshift(rest);
    };
    const onClose = (): void => done('refused');
    const timer = timers.setTimeout(() => done(seen.length === 0 ? 'silent' : 'refused'), SPARE_READY_TIMEOUT_MS);
    channel.on('data', onData);
    channel.once('close', onClose);
  });
}
