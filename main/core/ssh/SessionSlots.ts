// Session slots: how many session channels (commands, follows, spares, terminals) one pooled
// connection holds at once, under the server's MaxSessions.
//
// sshd refuses a session channel beyond its MaxSessions (OpenSSH's default is 10) per
// connection, and several host entries may share one connection (same user@host:port). The
// limit is not announced, so it is learned: the first refused open sets this connection's cap
// to the most sessions that were open at once, and from then on a request beyond the cap waits
// in line for a session to end instead of being refused. A refused open is retried (bounded):
// when a slot looks free but the server still counts a session whose close it has not
// processed yet, after a short pause. direct-tcpip forwards are not sessions and never count.
// The cap belongs to one connection: a reconnect learns it again.
import type { Client, ClientChannel } from 'ssh2';
import type { Timers } from '../clock';
import type { SshLogger } from './types';

/** refused opens in a row before a request gives up (about 2 s of pauses, plus waits in line) */
const MAX_REFUSALS = 6;
/** pause after a refusal while a slot looks free: sshd frees a session a moment after its close */
const REFUSED_PAUSE_MS = 100;

interface SlotState {
  /** sessions the server confirmed and that have not closed */
  open: number;
  /** slots given to opens not yet answered (sent or about to be) */
  pending: number;
  /** the opens sent and not yet answered, by the order they went out */
  inFlight: Set<number>;
  next: number;
  /** the most sessions open at once on this connection: the server allows at least this many */
  peak: number;
  /** learned from a refusal; null while none was refused */
  cap: number | null;
  /** requests waiting for a slot, first come first served */
  waiters: Array<() => void>;
}

export interface SlotWaitOptions {
  /** told once when the request waits in line, in words for the user */
  onWaiting?: (message: string) => void;
  /** stops waiting; the open then resolves null */
  signal?: AbortSignal;
}

/** A session channel refused at open (OpenSSH answers MaxSessions with "open failed"). */
export function isSessionRefused(err: unknown): boolean {
  return err instanceof Error && /Channel open failure/i.test(err.message);
}

export class SessionSlots {
  private readonly states = new WeakMap<Client, SlotState>();

  constructor(private readonly deps: { timers: Timers; logger: SshLogger }) {}

  private state(client: Client): SlotState {
    let s = this.states.get(client);
    if (!s) {
      s = { open: 0, pending: 0, inFlight: new Set(), next: 0, peak: 0, cap: null, waiters: [] };
      this.states.set(client, s);
    }
    return s;
  }

  /** The session cap learned for this connection, or null while the server refused none. */
  capOf(client: Client): number | null {
    return this.state(client).cap;
  }

  /** True when every slot the server allows is taken (never while the cap is unknown). */
  isFull(client: Client): boolean {
    const s = this.state(client);
    return s.cap !== null && s.open + s.pending >= s.cap;
  }

  /**
   * A slot for something that can do without one (a spare): only when one is free and no
   * request waits for it. Its open must go out at once; the caller reports the outcome with
   * opened() or failed() and the ticket.
   */
  tryTake(client: Client): number | null {
    const s = this.state(client);
    if (s.waiters.length || this.isFull(client)) return null;
    s.pending++;
    return this.send(s);
  }

  /** The open of a taken slot goes out now: its ticket tells which opens went before it. */
  private send(s: SlotState): number {
    const ticket = s.next++;
    s.inFlight.add(ticket);
    return ticket;
  }

  /** The channel of a taken slot opened: it holds the slot until it closes. */
  opened(client: Client, ticket: number, channel: ClientChannel): void {
    const s = this.state(client);
    s.pending = Math.max(0, s.pending - 1);
    s.inFlight.delete(ticket);
    s.open++;
    s.peak = Math.max(s.peak, s.open);
    channel.once('close', () => {
      s.open = Math.max(0, s.open - 1);
      this.wake(s);
    });
  }

  /** The open of a taken slot failed: the slot is free again; a refusal teaches the cap. */
  failed(client: Client, ticket: number, err: unknown, label: string): void {
    const s = this.state(client);
    s.pending = Math.max(0, s.pending - 1);
    s.inFlight.delete(ticket);
    if (isSessionRefused(err)) this.learn(s, ticket, label);
    this.wake(s);
  }

  /**
   * Open a session channel in a slot: at the learned cap the request waits for a session to end
   * (onWaiting is told once); a refused open teaches the cap and is tried again, up to
   * MAX_REFUSALS in a row. Resolves null if the signal aborts the wait.
   */
  async open(client: Client, label: string, openChannel: () => Promise<ClientChannel>, opts: SlotWaitOptions = {}): Promise<ClientChannel | null> {
    const s = this.state(client);
    let told = false;
    const tell = () => {
      if (told || !opts.onWaiting || s.cap === null) return;
      told = true;
      opts.onWaiting(`waiting for a session on ${label} (server allows ${s.cap})`);
    };
    if (!(await this.take(s, tell, opts.signal))) return null;
    for (let refusals = 0; ;) {
      // a slot granted to a request cancelled meanwhile: nothing goes out
      if (opts.signal?.aborted) {
        this.giveBack(s);
        return null;
      }
      // the slot taken stays this request's until its open succeeds or it gives up, so a spare
      // started meanwhile cannot take it
      const ticket = this.send(s);
      let channel: ClientChannel;
      try {
        channel = await openChannel();
      } catch (err) {
        s.inFlight.delete(ticket);
        if (isSessionRefused(err)) this.learn(s, ticket, label);
        if (!isSessionRefused(err) || ++refusals >= MAX_REFUSALS) {
          this.giveBack(s);
          if (!isSessionRefused(err)) throw err;
          const allows = s.cap === null ? 'no session now' : `${s.cap} at once`;
          throw new Error(`${(err as Error).message} (the server refused ${refusals} sessions in a row; it allows ${allows})`, { cause: err });
        }
        tell();
        if (s.cap !== null && s.open + s.pending > s.cap) {
          // beyond the cap just learned: in line for a session to end
          this.giveBack(s);
          if (!(await this.take(s, tell, opts.signal))) return null;
        } else if (!(await this.pause(REFUSED_PAUSE_MS * refusals, opts.signal))) {
          // within the cap: the server has not given back a session that closed; a moment later
          this.giveBack(s);
          return null;
        }
        continue;
      }
      this.opened(client, ticket, channel);
      return channel;
    }
  }

  /** A taken slot not used after all: the next in line gets it. */
  private giveBack(s: SlotState): void {
    s.pending = Math.max(0, s.pending - 1);
    this.wake(s);
  }

  /**
   * The server refused a session: it allows as many as were open when it said no. Those are
   * the confirmed ones plus every open sent before this one and not yet answered here: the
   * server answers opens in order, and ssh2 reports a success only after the command's start
   * (a second round trip), so they are open on the server already.
   */
  private learn(s: SlotState, ticket: number, label: string): void {
    const before = [...s.inFlight].filter((t) => t < ticket).length;
    s.peak = Math.max(s.peak, s.open + before);
    const allows = s.peak;
    // nothing open and none ever: a session still closing on the server, or none allowed; no cap from that
    if (allows === 0 || s.cap === allows) return;
    s.cap = allows;
    this.deps.logger.info(`ssh ${label}: the server allows ${allows} sessions at once (MaxSessions); more wait for one to end`);
  }

  /** Resolves true with a slot taken (pending), false if aborted first. */
  private take(s: SlotState, onQueued: () => void, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    if (!s.waiters.length && (s.cap === null || s.open + s.pending < s.cap)) {
      s.pending++;
      return Promise.resolve(true);
    }
    onQueued();
    return new Promise<boolean>((resolve) => {
      const granted = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      const onAbort = () => {
        s.waiters = s.waiters.filter((w) => w !== granted);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      s.waiters.push(granted);
    });
  }

  /** Hand free slots to the requests in line, oldest first. */
  private wake(s: SlotState): void {
    while (s.waiters.length && (s.cap === null || s.open + s.pending < s.cap)) {
      s.pending++;
      s.waiters.shift()!();
    }
  }

  private pause(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(false);
      const onAbort = () => {
        this.deps.timers.clearTimeout(timer);
        resolve(false);
      };
      const timer = this.deps.timers.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
