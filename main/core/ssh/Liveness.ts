// Liveness: notices within seconds that a connected link has stopped answering (a frozen
// server, a cut or paused path), long before the keepalive gives the connection up. Anything
// the server sends counts as an answer; only a connection that has been silent gets a probe
// (OpenSSH's keepalive@openssh.com global request, as ServerAliveInterval sends), so a busy
// connection and the warm exec path carry no extra traffic or round trip.
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { Clock, Timers } from '../clock';
import type { Conn } from './Conn';

/** how often a connection is looked at, and the silence after which it gets a probe (half of it) */
export const DEFAULT_PROBE_MS = 2_000;
/**
 * Silence (probes unanswered) after which the link is unresponsive. With a look every 2 s it is
 * noticed at most 8 s after the last byte: within 10 s, as an on-call engineer needs.
 */
export const DEFAULT_UNRESPONSIVE_AFTER_MS = 6_000;

export interface LivenessDeps {
  clock: Clock;
  timers: Timers;
  /** 0 turns liveness off (then only the keepalive notices a dead link) */
  probeMs?: number;
  unresponsiveAfterMs?: number;
  /** the link has been silent this long */
  onUnresponsive: (conn: Conn, silentMs: number) => void;
  /** the link that was unresponsive answered again */
  onResponsive: (conn: Conn) => void;
}

/** ssh2's internals the probe uses: the same calls its own keepalive makes (ssh2 1.17). */
interface Ssh2Internals {
  _protocol?: { ping?: () => void };
  _callbacks?: ((hadError: boolean) => void)[];
}

export class Liveness {
  private readonly probeMs: number;
  private readonly unresponsiveAfterMs: number;

  constructor(private readonly deps: LivenessDeps) {
    this.probeMs = Math.max(0, deps.probeMs ?? DEFAULT_PROBE_MS);
    this.unresponsiveAfterMs = Math.max(this.probeMs, deps.unresponsiveAfterMs ?? DEFAULT_UNRESPONSIVE_AFTER_MS);
  }

  /** Watch a connection that has just connected over `transport`; the result stops watching. */
  watch(conn: Conn, client: Client, transport: Duplex): () => void {
    if (!this.probeMs) return () => {};
    const { clock, timers } = this.deps;
    let lastHeard = clock.now();
    let unresponsive = false;
    let stopped = false;
    const heard = (): void => {
      lastHeard = clock.now();
      if (!unresponsive) return;
      unresponsive = false;
      this.deps.onResponsive(conn);
    };
    transport.on('data', heard);
    let timer: unknown = null;
    const tick = (): void => {
      timer = null;
      if (stopped) return;
      const silent = clock.now() - lastHeard;
      if (silent >= this.unresponsiveAfterMs && !unresponsive) {
        unresponsive = true;
        this.deps.onUnresponsive(conn, silent);
      }
      if (silent >= this.probeMs / 2) probe(client);
      timer = timers.setTimeout(tick, this.probeMs);
    };
    timer = timers.setTimeout(tick, this.probeMs);
    return () => {
      stopped = true;
      if (timer) timers.clearTimeout(timer);
      transport.off('data', heard);
    };
  }
}

/**
 * One keepalive@openssh.com request with a reply wanted. ssh2 has no public call for it; its
 * own keepalive queues a reply handler and pings exactly like this, and replies are matched to
 * handlers in order, so the handler goes in first. The answer itself is seen as transport data.
 */
function probe(client: Client): void {
  const internals = client as unknown as Ssh2Internals;
  if (typeof internals._protocol?.ping !== 'function' || !Array.isArray(internals._callbacks)) return;
  try {
    internals._callbacks.push(() => {});
    internals._protocol.ping();
  } catch {
    // the socket is closing: its close ends the connection and this watch
  }
}
