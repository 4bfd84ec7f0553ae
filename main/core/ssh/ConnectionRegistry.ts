// The connection registry: one pooled connection per user@host:port (plus its jump chain),
// shared by every host id and every host behind it as a bastion. It keeps wanted connections
// up, reconnecting with exponential backoff and jitter, closes idle ones, and reports each
// host's connection state.
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { ConnectionState, HostId } from '../../../common/contract';
import { isoAt, type Clock, type Timers } from '../clock';
import { PermanentError, connKey, connLabel, validateHop, type Conn, type ConnState } from './Conn';
import { HostKeyError } from './knownHosts';
import type { Liveness } from './Liveness';
import { SPARE_RETRY_MS, type SpareSessions } from './SpareSessions';
import { SshLinkError } from './SshLinkError';
import type { HostTarget, JumpHop, SshLogger } from './types';

/** a caller that finds the next attempt due within this long waits for it instead of being turned away */
const JOIN_SCHEDULED_ATTEMPT_MS = 2_000;

export interface ConnectionRegistryDeps {
  clock: Clock;
  timers: Timers;
  logger: SshLogger;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** in [0, 1); the jitter source */
  random?: () => number;
  /** close a connection nothing has used for this long (0: never) */
  idleCloseMs?: number;
  spares: SpareSessions;
  /** opens one authenticated connection (the connector); `explicit` reaches the bastions */
  handshake: (conn: Conn, explicit: boolean) => Promise<{ client: Client; transport: Duplex }>;
  liveness: Liveness;
  isClosed: () => boolean;
}

export class ConnectionRegistry {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly logger: SshLogger;
  private readonly backoff: { initialMs: number; maxMs: number; factor: number };
  private readonly random: () => number;
  private readonly idleCloseMs: number;
  private readonly spares: SpareSessions;
  private readonly isClosed: () => boolean;
  private readonly conns = new Map<string, Conn>();
  private readonly hosts = new Map<HostId, { target: HostTarget; conn: Conn }>();
  private readonly listeners = new Set<(s: ConnectionState) => void>();

  constructor(private readonly deps: ConnectionRegistryDeps) {
    this.clock = deps.clock;
    this.timers = deps.timers;
    this.logger = deps.logger;
    this.backoff = { initialMs: deps.backoff?.initialMs ?? 500, maxMs: deps.backoff?.maxMs ?? 30_000, factor: deps.backoff?.factor ?? 2 };
    this.random = deps.random ?? Math.random;
    this.idleCloseMs = Math.max(0, deps.idleCloseMs ?? 0);
    this.spares = deps.spares;
    this.isClosed = deps.isClosed;
  }

  /** The connection a host id runs on; throws for an id not in the pool. */
  connOf(id: HostId): Conn {
    const entry = this.hosts.get(id);
    if (!entry) throw new Error(`unknown host ${JSON.stringify(id)}`);
    return entry.conn;
  }

  /** Replace the set of hosts. Hosts whose connection settings changed are reconnected. */
  setHosts(targets: HostTarget[]): void {
    const next = new Map<HostId, HostTarget>();
    for (const t of targets) {
      if (next.has(t.id)) throw new Error(`host id ${t.id} appears twice`);
      validateHop(t, `host ${t.id}`);
      t.jumps?.forEach((j, i) => validateHop(j, `host ${t.id} jump ${i + 1}`));
      next.set(t.id, t);
    }
    for (const [id, entry] of this.hosts) {
      const t = next.get(id);
      if (!t || JSON.stringify(t) !== JSON.stringify(entry.target)) {
        this.hosts.delete(id);
        this.release(entry.conn);
      }
    }
    for (const [id, t] of next) {
      if (this.hosts.has(id)) continue;
      let parent: Conn | null = null;
      for (const hop of t.jumps ?? []) parent = this.acquire(hop, parent, null);
      const conn = this.acquire(t, parent, id);
      this.hosts.set(id, { target: t, conn });
      this.emit(conn);
    }
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  states(): ConnectionState[] {
    return [...this.hosts].map(([id, { conn }]) => this.snapshot(conn, id));
  }

  /** Resolves once the host is connected; rejects with the reason. Keeps it connected afterwards. */
  async connect(id: HostId): Promise<void> {
    await this.clientFor(id);
  }

  /** Drop a host's connection now (e.g. idle); the next exec or connect reopens it. */
  async disconnect(id: HostId): Promise<void> {
    const entry = this.hosts.get(id);
    if (!entry) throw new Error(`unknown host ${id}`);
    const conn = entry.conn;
    conn.wanted = false;
    this.cancelRetry(conn);
    this.callOffAttempt(conn, 'disconnected');
    conn.client?.end();
    conn.client = null;
    this.spares.dropSpare(conn);
    conn.attempt = 0;
    this.setState(conn, 'idle', null);
  }

  /** The pool is closing: end every connection; resolves when each has closed (or was cut off). */
  async close(): Promise<void> {
    const ends: Promise<void>[] = [];
    for (const conn of this.conns.values()) {
      if (conn.idleTimer) this.timers.clearTimeout(conn.idleTimer);
      this.spares.dropSpare(conn);
      conn.handshaking?.destroy();
      conn.wanted = false;
      this.cancelRetry(conn);
      this.callOffAttempt(conn, 'the session pool is closed');
      const client = conn.client;
      conn.client = null;
      if (client)
        ends.push(
          new Promise<void>((r) => {
            client.once('close', () => r());
            client.end();
            // a client stuck on a dead socket never emits close: do not hang shutdown on it
            this.timers.setTimeout(() => {
              client.destroy();
              r();
            }, 1000);
          }),
        );
    }
    this.conns.clear();
    this.hosts.clear();
    await Promise.all(ends);
  }

  /** Try every failed host again now (after the user answered a host-key or passphrase question). */
  retryFailed(): void {
    for (const [id, entry] of this.hosts) {
      if (entry.conn.state === 'failed')
        this.connect(id).catch(() => {
          // recorded in the state and the log
        });
    }
  }

  /**
   * The user asked to connect this host now (Retry / Connect): a failed host tries again, a
   * host waiting out its backoff skips the wait (the only way to skip it), an unresponsive
   * connection is given up for a new one (the bastions on the way too). False if it is already connected.
   */
  retry(id: HostId): boolean {
    const entry = this.hosts.get(id);
    if (!entry) throw new Error(`unknown host ${JSON.stringify(id)}`);
    if (entry.conn.state === 'connected' && entry.conn.client) return false;
    if (this.isClosed()) return false;
    this.ensure(entry.conn, true).catch(() => {
      // recorded in the state and the log
    });
    return true;
  }

  /** Each hop a host's connection goes through (bastions first) and the key files it offers. */
  hopsOf(id: HostId): { address: string; port: number; keyPaths: string[] }[] {
    const entry = this.hosts.get(id);
    if (!entry) throw new Error(`unknown host ${JSON.stringify(id)}`);
    return [...(entry.target.jumps ?? []), entry.target].map((h) => ({
      address: h.address,
      port: h.port,
      keyPaths: [...(h.privateKeyPath ? [h.privateKeyPath] : []), ...(h.extraPrivateKeyPaths ?? [])],
    }));
  }

  async clientFor(id: HostId): Promise<Client> {
    if (this.isClosed()) throw new Error('the session pool is closed');
    const entry = this.hosts.get(id);
    if (!entry) throw new Error(`unknown host ${JSON.stringify(id)}`);
    return this.ensure(entry.conn);
  }

  private acquire(hop: JumpHop, parent: Conn | null, hostId: HostId | null): Conn {
    const key = connKey(hop, parent);
    let conn = this.conns.get(key);
    if (conn && hostId && conn.hostId === null) {
      // a bastion that is also a host in its own right: one connection, shown under the host id
      (conn as { hostId: HostId | null }).hostId = hostId;
    }
    if (!conn) {
      conn = {
        key,
        hop,
        parent,
        hostId,
        client: null,
        state: 'idle',
        attempt: 0,
        error: null,
        since: this.clock.now(),
        nextRetryAt: null,
        retryTimer: null,
        inflight: null,
        wanted: false,
        removed: false,
        users: 0,
        active: 0,
        idleTimer: null,
        handshaking: null,
        spares: [],
        lastExecAt: null,
        busy: false,
        busyTimer: null,
        spareBlocked: false,
        spareTimer: null,
        spareDelayMs: SPARE_RETRY_MS,
        sparesRefused: false,
        frozenWatchers: new Set(),
        attemptWaiters: [],
      };
      this.conns.set(key, conn);
    }
    conn.users++;
    return conn;
  }

  private release(conn: Conn): void {
    conn.users--;
    if (conn.users > 0) return;
    conn.removed = true;
    conn.wanted = false;
    this.cancelRetry(conn);
    this.callOffAttempt(conn, 'host removed');
    conn.client?.end();
    conn.client = null;
    this.spares.dropSpare(conn);
    this.conns.delete(conn.key);
    if (conn.parent) this.release(conn.parent);
  }

  /**
   * The connection, opened if needed. One backoff for everyone: while a reconnect is scheduled,
   * a caller (a poll, a forward, a refresh, a command, a host behind this hop) is told at once
   * that the host is unreachable and when the next attempt is; only `explicit` (the user's
   * Retry) skips the wait. A frozen connection is not replaced either, except by Retry.
   */
  ensure(conn: Conn, explicit = false): Promise<Client> {
    if (conn.client && conn.state === 'connected') return Promise.resolve(conn.client);
    if (conn.client && conn.state === 'unresponsive') {
      if (!explicit)
        return Promise.reject(new SshLinkError('unreachable', `${connLabel(conn)}: not answering (${conn.error ?? 'unresponsive'}); nothing was started`));
      this.abandon(conn, 'given up for a new connection (Retry)');
    }
    conn.wanted = true;
    if (conn.inflight) return conn.inflight;
    if (!explicit && conn.retryTimer && conn.nextRetryAt !== null && conn.nextRetryAt > this.clock.now()) {
      // due soon: wait for that attempt (it is not moved); later: say so now
      if (conn.nextRetryAt - this.clock.now() <= JOIN_SCHEDULED_ATTEMPT_MS)
        return new Promise((resolve, reject) => conn.attemptWaiters.push({ resolve, reject }));
      const label = connLabel(conn);
      const error = conn.error?.startsWith(`${label}: `) ? conn.error.slice(label.length + 2) : conn.error;
      const why = error ? `not connected (attempt ${conn.attempt} failed: ${error})` : 'not connected';
      return Promise.reject(new SshLinkError('unreachable', `${label}: ${why}; next attempt at ${isoAt(conn.nextRetryAt).slice(11, 19)} UTC`));
    }
    this.cancelRetry(conn);
    // attemptConnect clears inflight itself, before it announces the outcome, so a retry
    // scheduled from that announcement never finds the finished attempt still in flight
    const attempt = this.attemptConnect(conn, explicit);
    conn.inflight = attempt;
    for (const waiter of conn.attemptWaiters.splice(0)) attempt.then(waiter.resolve, waiter.reject);
    return attempt;
  }

  /** The scheduled attempt is called off (disconnect, removal, close): its waiters hear why. */
  private callOffAttempt(conn: Conn, why: string): void {
    for (const waiter of conn.attemptWaiters.splice(0)) waiter.reject(new SshLinkError('unreachable', `${connLabel(conn)}: ${why}`));
  }

  /** Drop a frozen connection now; the caller opens the new one. */
  private abandon(conn: Conn, why: string): void {
    const client = conn.client;
    if (!client) return;
    this.logger.warn(`ssh ${connLabel(conn)}: unresponsive connection ${why}`);
    conn.error = `unresponsive connection ${why}`;
    // forgotten first, so its close (a moment later) is not taken for a drop to reconnect from
    conn.client = null;
    this.spares.dropSpare(conn);
    client.destroy();
  }

  /** Liveness: the connected link has been silent this long. Commands running on it end now. */
  markUnresponsive(conn: Conn, silentMs: number): void {
    if (conn.state !== 'connected' || !conn.client) return;
    const why = `no answer for ${Math.round(silentMs / 1000)} s`;
    this.logger.warn(`ssh ${connLabel(conn)}: unresponsive (${why}); the keepalive closes it if it stays silent`);
    this.setState(conn, 'unresponsive', why);
    for (const told of [...conn.frozenWatchers]) told();
  }

  /** Liveness: the unresponsive link answered again. */
  markResponsive(conn: Conn): void {
    if (conn.state !== 'unresponsive' || !conn.client) return;
    this.logger.info(`ssh ${connLabel(conn)}: answering again`);
    this.setState(conn, 'connected', null);
    this.spares.openSpare(conn);
  }

  private async attemptConnect(conn: Conn, explicit: boolean): Promise<Client> {
    conn.attempt++;
    conn.nextRetryAt = null;
    this.setState(conn, 'connecting', conn.error);
    try {
      const { client, transport } = await this.deps.handshake(conn, explicit);
      if (conn.removed || this.isClosed()) {
        client.end();
        throw new Error(`${connLabel(conn)}: host removed while connecting`);
      }
      conn.inflight = null;
      conn.handshaking = null;
      conn.client = client;
      conn.attempt = 0;
      conn.error = null;
      this.spares.dropSpare(conn);
      this.setState(conn, 'connected', null);
      this.logger.info(`ssh ${connLabel(conn)}: connected`);
      const stopWatching = this.deps.liveness.watch(conn, client, transport);
      client.once('close', () => {
        stopWatching();
        this.onDrop(conn, client);
      });
      this.spares.openSpare(conn);
      if (conn.parent) {
        // a connected host behind a hop keeps the hop busy
        const parent = conn.parent;
        this.touch(parent, +1);
        client.once('close', () => this.touch(parent, -1));
      }
      this.touch(conn, 0);
      return client;
    } catch (err) {
      conn.inflight = null;
      const message = (err as Error).message;
      conn.error = message;
      if (err instanceof PermanentError || err instanceof HostKeyError || conn.removed || this.isClosed()) {
        conn.wanted = false;
        this.setState(conn, 'failed', message);
        this.logger.warn(`ssh ${connLabel(conn)}: ${message}`);
      } else {
        this.scheduleRetry(conn);
        this.logger.warn(`ssh ${connLabel(conn)}: attempt ${conn.attempt} failed: ${message}`);
        // every caller that waited on this attempt (a poll, a command, a forward) started nothing
        throw new SshLinkError('unreachable', message, { cause: err });
      }
      throw err instanceof PermanentError ? new Error(message) : err;
    }
  }

  private onDrop(conn: Conn, client: Client): void {
    if (conn.client !== client) return;
    conn.client = null;
    this.spares.dropSpare(conn);
    if (conn.removed || this.isClosed()) return;
    if (!conn.wanted) {
      this.setState(conn, 'idle', null);
      return;
    }
    conn.error = conn.error ?? 'connection closed';
    this.logger.warn(`ssh ${connLabel(conn)}: connection lost (${conn.error}); reconnecting`);
    // first retry right away; backoff applies from the second failure on
    this.scheduleRetry(conn, 0);
  }

  private scheduleRetry(conn: Conn, delayOverride?: number): void {
    this.cancelRetry(conn);
    const exp = this.backoff.initialMs * this.backoff.factor ** Math.max(0, conn.attempt - 1);
    const capped = Math.min(this.backoff.maxMs, exp);
    // "equal jitter": half fixed, half random, so a fleet that failed together spreads out
    const delay = delayOverride ?? Math.round(capped / 2 + (this.random() * capped) / 2);
    conn.nextRetryAt = this.clock.now() + delay;
    this.setState(conn, 'connecting', conn.error);
    conn.retryTimer = this.timers.setTimeout(() => {
      conn.retryTimer = null;
      if (!conn.wanted || conn.removed || this.isClosed()) return this.callOffAttempt(conn, 'not connected');
      this.ensure(conn).catch(() => {
        // already recorded in the state and the log
      });
    }, delay);
  }

  private cancelRetry(conn: Conn): void {
    if (conn.retryTimer) this.timers.clearTimeout(conn.retryTimer);
    conn.retryTimer = null;
    conn.nextRetryAt = null;
  }

  touch(conn: Conn, delta: number): void {
    conn.active = Math.max(0, conn.active + delta);
    if (conn.idleTimer) this.timers.clearTimeout(conn.idleTimer);
    conn.idleTimer = null;
    if (!this.idleCloseMs || conn.active > 0 || !conn.client) return;
    conn.idleTimer = this.timers.setTimeout(() => {
      conn.idleTimer = null;
      if (conn.active > 0 || !conn.client || this.isClosed()) return;
      this.logger.info(`ssh ${connLabel(conn)}: closing after ${this.idleCloseMs} ms idle`);
      const client = conn.client;
      conn.client = null;
      // the spare goes with the connection: ending it ends the waiting wrapper on the host
      this.spares.dropSpare(conn);
      conn.wanted = false;
      conn.attempt = 0;
      client.end();
      this.setState(conn, 'idle', null);
    }, this.idleCloseMs);
  }

  private label(conn: Conn): string {
    return conn.hostId ? `${conn.hostId} (${conn.key})` : conn.key;
  }

  private setState(conn: Conn, state: ConnState, error: string | null): void {
    if (conn.state !== state) conn.since = this.clock.now();
    conn.state = state;
    conn.error = error;
    this.emit(conn);
  }

  private snapshot(conn: Conn, hostId: HostId): ConnectionState {
    const target = this.hosts.get(hostId)?.target;
    // what its ssh_config asks for that the console cannot do, on every hop, in one line
    const notes = target ? [...new Set([...(target.jumps ?? []).flatMap((j) => j.notes ?? []), ...(target.notes ?? [])])] : [];
    return {
      hostId,
      state: conn.state,
      attempt: conn.attempt,
      nextRetryAt: conn.nextRetryAt === null ? null : isoAt(conn.nextRetryAt),
      error: conn.error,
      since: isoAt(conn.since),
      ...(notes.length ? { note: notes.join('; ') } : {}),
    };
  }

  private emit(conn: Conn): void {
    // one row per host id on this connection (two ids may name the same user@host:port);
    // bastions that are not hosts themselves have no row in the UI
    for (const [id, entry] of this.hosts) {
      if (entry.conn !== conn) continue;
      const snap = this.snapshot(conn, id);
      for (const l of this.listeners) {
        try {
          l(snap);
        } catch (err) {
          this.logger.error('connection state listener failed', err);
        }
      }
    }
  }
}
