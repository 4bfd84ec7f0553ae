// One ssh2 connection per host, kept alive: host key checked against known_hosts, key or agent
// auth, keepalive, reconnect with exponential backoff and jitter, a cap on concurrent
// handshakes, jump hosts through the bastion's own pooled connection. Everything with a side
// effect outside this process (sockets, files, time) comes in through the constructor.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ssh2, { type AuthMethod, type Client, type KeyboardInteractiveAuthMethod, type ClientChannel, type ConnectConfig, type ParsedKey } from 'ssh2';
import type { ConnectionState, HostId } from '../../../common/contract';
import { isoAt, systemClock, systemTimers, type Clock, type Timers } from '../clock';
import type { ExecOptions, ExecResult } from '../hostExec';
import { spareCommand, spareInput, wrapCommand } from './execWrapper';
import { HostKeyError, appendKnownHost, assertHostKey, fingerprintSha256, keyTypeOf, knownKeyTypes, loadKnownHosts, verifyHostKey } from './knownHosts';

// ssh2 is CommonJS: Node's ESM loader sees only its default export in the built bundle
const { Client: SshClient, utils: sshUtils } = ssh2;

/** How an unknown host key is treated (OpenSSH's StrictHostKeyChecking). A changed key is always refused. */
export type HostKeyPolicy = 'yes' | 'accept-new' | 'ask';

/** One hop before the target (ProxyJump). Same fields as a host, without an id. */
export interface JumpHop {
  address: string;
  port: number;
  user: string;
  privateKey?: string | Buffer;
  privateKeyPath?: string;
  /** more key files to offer after the first, in order (ssh_config's later IdentityFiles) */
  extraPrivateKeyPaths?: string[];
  passphrase?: string;
  agent?: string;
  knownHostsPath: string;
  hostKeyPolicy?: HostKeyPolicy;
  /**
   * ssh_config's ProxyCommand, tokens already expanded: run locally with /bin/sh, its stdin and
   * stdout are the connection. It comes from the user's own config, as with OpenSSH.
   */
  proxyCommand?: string;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  connectTimeoutMs?: number;
}

export interface HostTarget extends JumpHop {
  id: HostId;
  /** ProxyJump chain, outermost bastion first; each hop's connection is shared by every host behind it */
  jumps?: JumpHop[];
}

export interface SshLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface HostKeyPrompt {
  hostId: HostId | null;
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

export interface HostKeyQuestion extends HostKeyPrompt {
  kind: 'unknown' | 'changed';
  /** the presented key blob, for pinning it if the user says so */
  key: Buffer;
  knownHostsPath: string;
  /** for a changed key: the pinned lines it does not match */
  expected: { line: number; keyType: string; fingerprint: string }[];
}

export interface SessionPoolDeps {
  clock?: Clock;
  timers?: Timers;
  logger?: SshLogger;
  /** a fresh ssh2 Client per attempt */
  createClient?: () => Client;
  /** the TCP socket to the first hop (TCP_NODELAY on: otherwise every exec waits on delayed ACKs) */
  connectSocket?: (host: string, port: number) => Duplex;
  /** handshakes in flight at once (default 16); the most the adaptive cap grows back to */
  maxConcurrentHandshakes?: number;
  /**
   * While handshakes run, the event loop's lag is sampled; a stall longer than this halves the
   * handshake cap (down to 2) and a quiet stretch raises it again by one, up to the maximum.
   * 0 keeps the cap fixed. Default 100 ms, the delay a person starts to notice.
   */
  handshakeLagLimitMs?: number;
  /** close a connection nothing has used for this long (0: never); the next use reopens it */
  idleCloseMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** in [0, 1); the jitter source */
  random?: () => number;
  /** asked once per encrypted key file; the answer is kept in memory only */
  passphrase?: (keyPath: string, hostId: HostId | null) => Promise<string | null>;
  /** told when a passphrase from `passphrase` opened its key (so an opted-in store keeps only good ones) */
  passphraseAccepted?: (keyPath: string, passphrase: string) => void;
  /**
   * keyboard-interactive prompts from a host that demands them (e.g. a one-time code after
   * the key); resolve with one answer per prompt, or null to give up. Never logged.
   */
  keyboardInteractive?: (request: { hostId: HostId | null; name: string; instructions: string; prompts: { prompt: string; echo: boolean }[] }) => Promise<string[] | null>;
  /** asked when a host key is unknown and the policy is 'ask'; true pins it (TOFU) */
  confirmHostKey?: (prompt: HostKeyPrompt) => Promise<boolean>;
  /**
   * Told (without waiting) about a key the user must decide on: unknown under 'ask' (when
   * confirmHostKey is not given) or changed. The attempt is refused at once, so a person
   * reading a fingerprint never holds a handshake slot or runs into the handshake timeout;
   * after their answer, acceptHostKeyOnce / known_hosts and retryFailed() bring the host up.
   */
  hostKeyQuestion?: (question: HostKeyQuestion) => void;
  readFile?: (path: string) => Promise<Buffer>;
  /**
   * keep one spare session started on every connected host (default true), so a warm exec
   * costs one round trip instead of two; see execWrapper.ts and docs/ssh.md
   */
  spareSessions?: boolean;
  /**
   * A host given a second command within this many ms of the one before keeps two spares
   * instead of one, until this long passes without a command: back-to-back commands then find a
   * spare already started. 0 keeps one spare always. Default 5000.
   */
  busySpareWindowMs?: number;
}

const DEFAULT_KEEPALIVE_MS = 15_000;
const DEFAULT_KEEPALIVE_COUNT = 3;
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
const CANCEL_GRACE_MS = 2_000;
const DEFAULT_MAX_HANDSHAKES = 16;
const DEFAULT_LAG_LIMIT_MS = 100;
/** the lag sampler's period, and how many samples make one window for raising the cap */
const LAG_SAMPLE_MS = 20;
const LAG_WINDOW_SAMPLES = 10;
const MIN_ADAPTIVE_HANDSHAKES = 2;
/** first wait before another spare after one failed (MaxSessions reached, sessions still closing) */
const SPARE_RETRY_MS = 1_000;
const SPARE_RETRY_MAX_MS = 60_000;
const DEFAULT_BUSY_SPARE_WINDOW_MS = 5_000;
/** a spare that has not printed its ready line by then is running something else: never used */
const SPARE_READY_TIMEOUT_MS = 3_000;
/** output a spare may print before its ready line (a chatty login shell) before it is given up */
const SPARE_PREAMBLE_MAX_BYTES = 64 * 1024;

type ConnState = ConnectionState['state'];

interface Conn {
  readonly key: string;
  readonly hop: JumpHop;
  readonly parent: Conn | null;
  readonly hostId: HostId | null;
  client: Client | null;
  state: ConnState;
  attempt: number;
  error: string | null;
  since: number;
  nextRetryAt: number | null;
  retryTimer: unknown;
  inflight: Promise<Client> | null;
  /** keep it connected: set by connect(), cleared by close/removal or a permanent failure */
  wanted: boolean;
  removed: boolean;
  /** children (hosts behind this hop) */
  users: number;
  /** open channels plus connected hosts behind this hop: while > 0 it is not idle */
  active: number;
  idleTimer: unknown;
  /** the ssh2 client of a handshake in progress, so close() can cut it short */
  handshaking: Client | null;
  /** sessions started ahead of need (execWrapper's spare), oldest first: the next execs' slots */
  spares: Spare[];
  /** when the last exec took a spare (clock ms); a second one soon after makes the host busy */
  lastExecAt: number | null;
  /** two spares are kept while busy; busyTimer ends it once busySpareWindowMs pass without a command */
  busy: boolean;
  busyTimer: unknown;
  /** the last spare could not start or died unused: no new one until a session here ends or spareTimer fires */
  spareBlocked: boolean;
  spareTimer: unknown;
  /** the wait before spareTimer tries again; doubles while spares keep failing */
  spareDelayMs: number;
  /** a spare ran but never said it was ready (a ForceCommand, a shell ignoring the request): no more spares on this connection */
  sparesRefused: boolean;
}

interface Spare {
  readonly client: Client;
  readonly endLine: string;
  /** the channel once sshd started the waiting wrapper; null if it could not */
  readonly ready: Promise<ClientChannel | null>;
  /** handed to a command, or being given up: its end is no longer the spare's business */
  taken: boolean;
  /** the waiting wrapper exited or its channel closed: it can run nothing */
  gone: boolean;
  closed: Promise<void>;
}

/** A failure that retrying cannot fix (host key, authentication, key file): no automatic retry. */
class PermanentError extends Error {}

export const connKey = (hop: Pick<JumpHop, 'user' | 'address' | 'port'>, parent: Conn | null): string =>
  `${parent ? parent.key + ' > ' : ''}${hop.user}@${hop.address.includes(':') ? `[${hop.address}]` : hop.address}:${hop.port}`;

export class SessionPool {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly logger: SshLogger;
  private readonly createClient: () => Client;
  private readonly connectSocket: (host: string, port: number) => Duplex;
  private readonly maxHandshakes: number;
  private readonly backoff: { initialMs: number; maxMs: number; factor: number };
  private readonly random: () => number;
  private readonly deps: SessionPoolDeps;
  private readonly conns = new Map<string, Conn>();
  private readonly hosts = new Map<HostId, { target: HostTarget; conn: Conn }>();
  private readonly listeners = new Set<(s: ConnectionState) => void>();
  private readonly passphrases = new Map<string, string>();
  /** decrypted keys, in memory only, for the life of the pool (as an agent would hold them) */
  private readonly parsedKeys = new Map<string, ParsedKey>();
  private handshakes = 0;
  /** the cap now: maxHandshakes, lowered while the event loop stalls (handshakeLagLimitMs) */
  private handshakeCap: number;
  private readonly lagLimitMs: number;
  private lagTimer: unknown = null;
  /** the lowest the cap went since the last time no handshake ran (for the bench and the log) */
  private lowestCap: number;
  private readonly idleCloseMs: number;
  private readonly handshakeQueue: (() => void)[] = [];
  private closed = false;
  private readonly spares: boolean;
  private readonly busySpareWindowMs: number;
  /** host keys the user accepted for this session only ("Accept once"): never written */
  private readonly acceptedOnce = new Set<string>();

  constructor(deps: SessionPoolDeps = {}) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.timers = deps.timers ?? systemTimers;
    this.logger = deps.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
    this.createClient = deps.createClient ?? (() => new SshClient());
    this.connectSocket = deps.connectSocket ?? ((host, port) => netConnect({ host, port, noDelay: true }));
    this.maxHandshakes = Math.max(1, deps.maxConcurrentHandshakes ?? DEFAULT_MAX_HANDSHAKES);
    this.handshakeCap = this.maxHandshakes;
    this.lowestCap = this.maxHandshakes;
    this.lagLimitMs = Math.max(0, deps.handshakeLagLimitMs ?? DEFAULT_LAG_LIMIT_MS);
    this.backoff = { initialMs: deps.backoff?.initialMs ?? 500, maxMs: deps.backoff?.maxMs ?? 30_000, factor: deps.backoff?.factor ?? 2 };
    this.random = deps.random ?? Math.random;
    this.idleCloseMs = Math.max(0, deps.idleCloseMs ?? 0);
    this.spares = deps.spareSessions ?? true;
    this.busySpareWindowMs = Math.max(0, deps.busySpareWindowMs ?? DEFAULT_BUSY_SPARE_WINDOW_MS);
  }

  // ---- hosts ---------------------------------------------------------------------------

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
    conn.client?.end();
    conn.client = null;
    this.dropSpare(conn);
    conn.attempt = 0;
    this.setState(conn, 'idle', null);
  }

  async close(): Promise<void> {
    this.closed = true;
    const ends: Promise<void>[] = [];
    for (const conn of this.conns.values()) {
      if (conn.idleTimer) this.timers.clearTimeout(conn.idleTimer);
      this.dropSpare(conn);
      conn.handshaking?.destroy();
      conn.wanted = false;
      this.cancelRetry(conn);
      const client = conn.client;
      conn.client = null;
      if (client) ends.push(new Promise<void>((r) => {
        client.once('close', () => r());
        client.end();
        // a client stuck on a dead socket never emits close: do not hang shutdown on it
        this.timers.setTimeout(() => {
          client.destroy();
          r();
        }, 1000);
      }));
    }
    this.conns.clear();
    this.hosts.clear();
    // attempts waiting for a handshake slot: let them run into the closed check and fail
    for (const next of this.handshakeQueue.splice(0)) {
      this.handshakes++;
      next();
    }
    this.stopLagWatch();
    await Promise.all(ends);
  }

  /** Accept this key for host:port until the pool closes, without writing known_hosts. */
  acceptHostKeyOnce(address: string, port: number, key: Buffer): void {
    this.acceptedOnce.add(`${address}\0${port}\0${key.toString('base64')}`);
  }

  /** Try every failed host again now (after the user answered a host-key or passphrase question). */
  retryFailed(): void {
    for (const [id, entry] of this.hosts) {
      if (entry.conn.state === 'failed') this.connect(id).catch(() => {
        // recorded in the state and the log
      });
    }
  }

  /**
   * The user asked to connect this host now (Retry / Connect): a failed host tries again, a
   * host waiting out its backoff skips the wait. False if it is already connected.
   */
  retry(id: HostId): boolean {
    const entry = this.hosts.get(id);
    if (!entry) throw new Error(`unknown host ${JSON.stringify(id)}`);
    if (entry.conn.state === 'connected' && entry.conn.client) return false;
    this.connect(id).catch(() => {
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

  // ---- work ----------------------------------------------------------------------------

  async exec(id: HostId, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (typeof command !== 'string' || !command.trim()) throw new Error(`${id}: empty command`);
    if (command.includes('\0')) throw new Error(`${id}: a command cannot contain a NUL byte`);
    if (opts.signal?.aborted) return { exitCode: null, signal: null, timedOut: false, cancelled: true };
    const client = await this.clientFor(id);
    const conn = this.hosts.get(id)!.conn;
    this.touch(conn, +1);
    // ssh2 can parse the open confirmation, the output and the exit status from one TCP read:
    // the exit event then fires before the await below hands the channel over (a microtask
    // later). Record it in the callback itself or a fast command loses its exit code.
    let earlyExit: { code: number | null; signal: string | null } | null = null;
    const onEarlyExit = (code: number | null, signalName?: string) => {
      earlyExit = { code: typeof code === 'number' ? code : null, signal: signalName ?? null };
    };
    const spare = await this.takeSpare(conn, client);
    const channel = spare
      ? spare.channel
      : await new Promise<ClientChannel>((resolve, reject) => {
          try {
            client.exec(wrapCommand(command), (err, ch) => {
              if (err) return reject(new Error(`${id}: cannot start command: ${err.message}`));
              ch.once('exit', onEarlyExit);
              resolve(ch);
            });
          } catch (err) {
            reject(new Error(`${id}: cannot start command: ${(err as Error).message}`));
          }
        }).catch((err: Error) => {
          this.touch(conn, -1);
          throw err;
        });
    if (spare) {
      channel.once('exit', onEarlyExit);
      channel.write(spareInput(command, spare.endLine));
    }
    return new Promise<ExecResult>((resolve, reject) => {
      const out = new StringDecoder('utf8');
      const errDec = new StringDecoder('utf8');
      const result: ExecResult = { exitCode: null, signal: null, timedOut: false, cancelled: false };
      let exited = false;
      let killTimer: unknown = null;
      let timeoutTimer: unknown = null;
      const emitOut = (text: string) => text && opts.onStdout?.(text);
      const emitErr = (text: string) => text && opts.onStderr?.(text);
      channel.on('data', (chunk: Buffer) => emitOut(out.write(chunk)));
      channel.stderr.on('data', (chunk: Buffer) => emitErr(errDec.write(chunk)));
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
      if (opts.timeoutMs && opts.timeoutMs > 0) timeoutTimer = this.timers.setTimeout(() => stop('timedOut'), opts.timeoutMs);
      const onClientClose = () => finish();
      client.once('close', onClientClose);
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        this.touch(conn, -1);
        this.sessionEnded(conn);
        client.removeListener('close', onClientClose);
        opts.signal?.removeEventListener('abort', onAbort);
        if (killTimer) this.timers.clearTimeout(killTimer);
        if (timeoutTimer) this.timers.clearTimeout(timeoutTimer);
        emitOut(out.end());
        emitErr(errDec.end());
        if (!exited && !result.cancelled && !result.timedOut) {
          reject(new Error(`${id}: connection lost before the command finished`));
          return;
        }
        resolve(result);
      };
      channel.once('close', finish);
    });
  }

  /** A direct-tcpip channel from the host to dstHost:dstPort (as `ssh -L`). */
  async forwardOut(id: HostId, dstHost: string, dstPort: number): Promise<Duplex> {
    const client = await this.clientFor(id);
    const conn = this.hosts.get(id)!.conn;
    const channel = await openForward(client, dstHost, dstPort, id);
    this.touch(conn, +1);
    channel.once('close', () => this.touch(conn, -1));
    return channel;
  }

  // ---- connections ---------------------------------------------------------------------

  private async clientFor(id: HostId): Promise<Client> {
    if (this.closed) throw new Error('the session pool is closed');
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
    conn.client?.end();
    conn.client = null;
    this.dropSpare(conn);
    this.conns.delete(conn.key);
    if (conn.parent) this.release(conn.parent);
  }

  private ensure(conn: Conn): Promise<Client> {
    if (conn.client && conn.state === 'connected') return Promise.resolve(conn.client);
    conn.wanted = true;
    if (conn.inflight) return conn.inflight;
    // an explicit connect, or a host behind this hop that needs it now, skips the backoff wait
    this.cancelRetry(conn);
    // attemptConnect clears inflight itself, before it announces the outcome, so a retry
    // scheduled from that announcement never finds the finished attempt still in flight
    const attempt = this.attemptConnect(conn);
    conn.inflight = attempt;
    return attempt;
  }

  private async attemptConnect(conn: Conn): Promise<Client> {
    conn.attempt++;
    conn.nextRetryAt = null;
    this.setState(conn, 'connecting', conn.error);
    try {
      const client = await this.handshake(conn);
      if (conn.removed || this.closed) {
        client.end();
        throw new Error(`${this.label(conn)}: host removed while connecting`);
      }
      conn.inflight = null;
      conn.handshaking = null;
      conn.client = client;
      conn.attempt = 0;
      conn.error = null;
      this.dropSpare(conn);
      this.setState(conn, 'connected', null);
      this.logger.info(`ssh ${this.label(conn)}: connected`);
      client.once('close', () => this.onDrop(conn, client));
      this.openSpare(conn);
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
      if (err instanceof PermanentError || err instanceof HostKeyError || conn.removed || this.closed) {
        conn.wanted = false;
        this.setState(conn, 'failed', message);
        this.logger.warn(`ssh ${this.label(conn)}: ${message}`);
      } else {
        this.scheduleRetry(conn);
        this.logger.warn(`ssh ${this.label(conn)}: attempt ${conn.attempt} failed: ${message}`);
      }
      throw err instanceof PermanentError ? new Error(message) : err;
    }
  }

  private onDrop(conn: Conn, client: Client): void {
    if (conn.client !== client) return;
    conn.client = null;
    this.dropSpare(conn);
    if (conn.removed || this.closed) return;
    if (!conn.wanted) {
      this.setState(conn, 'idle', null);
      return;
    }
    conn.error = conn.error ?? 'connection closed';
    this.logger.warn(`ssh ${this.label(conn)}: connection lost (${conn.error}); reconnecting`);
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
      if (!conn.wanted || conn.removed || this.closed) return;
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

  /** The handshake cap now and the lowest it went during the current burst of handshakes. */
  handshakeLoad(): { cap: number; lowestCap: number; running: number; queued: number } {
    return { cap: this.handshakeCap, lowestCap: this.lowestCap, running: this.handshakes, queued: this.handshakeQueue.length };
  }

  private async handshakeSlot(): Promise<() => void> {
    this.startLagWatch();
    // a waiter is woken with its slot already counted (pumpHandshakes)
    if (this.handshakes >= this.handshakeCap) await new Promise<void>((r) => this.handshakeQueue.push(r));
    else this.handshakes++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handshakes--;
      this.pumpHandshakes();
    };
  }

  private pumpHandshakes(): void {
    while (this.handshakes < this.handshakeCap && this.handshakeQueue.length) {
      this.handshakes++;
      this.handshakeQueue.shift()!();
    }
  }

  /**
   * The cap adapts to the event loop: handshakes keep flowing, but when their CPU work (key
   * exchange, signatures, socket writes) or anything else stalls the loop past the limit, fewer
   * run at once (halved), and the cap creeps back (+1 per quiet window) once the loop keeps up.
   * Sampled with a timer's drift only while handshakes run or wait, so an idle pool costs nothing.
   * Always on the real clock and timers, not the injected ones: it measures this process's real
   * event loop, which a test's manual clock knows nothing about.
   */
  private startLagWatch(): void {
    if (!this.lagLimitMs || this.lagTimer || this.closed) return;
    this.lowestCap = this.handshakeCap;
    const now = () => performance.now();
    let expected = now() + LAG_SAMPLE_MS;
    let samples = 0;
    let worst = 0;
    const tick = () => {
      const at = now();
      const lag = Math.max(0, at - expected);
      expected = at + LAG_SAMPLE_MS;
      worst = Math.max(worst, lag);
      samples++;
      if (lag > this.lagLimitMs && this.handshakeCap > MIN_ADAPTIVE_HANDSHAKES) {
        this.handshakeCap = Math.max(MIN_ADAPTIVE_HANDSHAKES, Math.floor(this.handshakeCap / 2));
        this.lowestCap = Math.min(this.lowestCap, this.handshakeCap);
        this.logger.info(`ssh: the event loop stalled ${Math.round(lag)} ms; at most ${this.handshakeCap} handshakes at once for now`);
        samples = 0;
        worst = 0;
      } else if (samples >= LAG_WINDOW_SAMPLES) {
        if (worst <= this.lagLimitMs / 2 && this.handshakeCap < this.maxHandshakes) {
          this.handshakeCap++;
          this.pumpHandshakes();
        }
        samples = 0;
        worst = 0;
      }
      if (this.handshakes === 0 && this.handshakeQueue.length === 0) {
        this.stopLagWatch();
        return;
      }
      this.lagTimer = systemTimers.setTimeout(tick, LAG_SAMPLE_MS);
    };
    this.lagTimer = systemTimers.setTimeout(tick, LAG_SAMPLE_MS);
  }

  private stopLagWatch(): void {
    if (this.lagTimer) systemTimers.clearTimeout(this.lagTimer);
    this.lagTimer = null;
    // the next burst starts at the full cap: a stall an hour ago says little about now
    this.handshakeCap = this.maxHandshakes;
  }

  private async handshake(conn: Conn): Promise<Client> {
    const hop = conn.hop;
    const label = this.label(conn);
    // the bastion first, outside the slot, so a chain never waits on a slot it holds itself
    const parentClient = conn.parent ? await this.ensure(conn.parent).catch((err: Error) => {
      const message = `${label}: jump host ${conn.parent!.key}: ${err.message}`;
      // a bastion refused for good (host key, auth) fails the hosts behind it for good too
      throw conn.parent!.state === 'failed' ? new PermanentError(message) : new Error(message);
    }) : null;
    const auth = await this.authConfig(conn);
    const known = await loadKnownHosts(hop.knownHostsPath);
    const release = await this.handshakeSlot();
    try {
      if (this.closed || conn.removed) throw new PermanentError(`${label}: ${this.closed ? 'the session pool is closed' : 'host removed'}`);
      const sock = parentClient
        ? await openForward(parentClient, hop.address, hop.port, label)
        : hop.proxyCommand
          ? proxyCommandSocket(hop.proxyCommand, label)
          : this.connectSocket(hop.address, hop.port);
      const client = this.createClient();
      conn.handshaking = client;
      client.once('close', () => {
        if (conn.handshaking === client) conn.handshaking = null;
      });
      let refusal: Error | null = null;
      const preferred = knownKeyTypes(known, hop.address, hop.port);
      const config: ConnectConfig = {
        sock: sock as ConnectConfig['sock'],
        host: hop.address,
        port: hop.port,
        username: hop.user,
        readyTimeout: hop.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        keepaliveInterval: hop.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
        keepaliveCountMax: hop.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          this.checkHostKey(conn, known, key).then(
            () => verify(true),
            (err: Error) => {
              refusal = err;
              verify(false);
            },
          );
        },
      };
      if (preferred.length) {
        // offer the pinned key types first, as OpenSSH does, so a host with several keys
        // presents the one we know rather than tripping the changed-key refusal
        const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
        const pinned = preferred.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
        config.algorithms = { serverHostKey: [...new Set([...pinned, ...all])] as never };
      }
      return await new Promise<Client>((resolve, reject) => {
        const onError = (err: Error & { level?: string }) => {
          cleanup();
          // destroy() can emit one more error ("Connection lost before handshake"): swallow it
          client.on('error', () => {});
          client.destroy();
          sock.destroy();
          if (refusal) return reject(refusal);
          const proxyExit = proxyExits.get(sock);
          if (proxyExit && err.level !== 'client-authentication' && err.level !== 'client-timeout') {
            // the command's own words beat ssh2's "connection lost"; wait briefly for its exit
            const timeout = new Promise<null>((r) => this.timers.setTimeout(() => r(null), 1000));
            void Promise.race([proxyExit, timeout]).then((why) => reject(why ? new Error(why) : new Error(`${label}: ${err.message}`)));
            return;
          }
          if (err.level === 'client-authentication') {
            return reject(new PermanentError(`${label}: authentication refused by the server (tried ${auth.describe}): ${err.message}`));
          }
          if (err.level === 'client-timeout') return reject(new Error(`${label}: timed out after ${config.readyTimeout} ms waiting for the SSH handshake`));
          reject(new Error(`${label}: ${err.message}`));
        };
        const onClose = () => onError(new Error('connection closed during the handshake'));
        const onReady = () => {
          cleanup();
          // one 'close' listener per running command
          client.setMaxListeners(0);
          // after the handshake, errors (keepalive timeout, reset) end in 'close' and a reconnect
          client.on('error', (err) => {
            conn.error = err.message;
          });
          resolve(client);
        };
        const cleanup = () => {
          client.removeListener('error', onError);
          client.removeListener('ready', onReady);
          client.removeListener('close', onClose);
        };
        client.on('error', onError);
        client.once('ready', onReady);
        client.once('close', onClose);
        client.connect({ ...config, authHandler: auth.authHandler });
      });
    } finally {
      release();
    }
  }

  private async checkHostKey(conn: Conn, known: Awaited<ReturnType<typeof loadKnownHosts>>, key: Buffer): Promise<void> {
    const hop = conn.hop;
    const verdict = verifyHostKey(known, hop.address, hop.port, key);
    if (verdict.status === 'match') return;
    if (verdict.status !== 'revoked' && this.acceptedOnce.has(`${hop.address}\0${hop.port}\0${key.toString('base64')}`)) return;
    const ask = this.deps.hostKeyQuestion;
    const policy = hop.hostKeyPolicy ?? 'yes';
    if (ask && (verdict.status === 'changed' || (verdict.status === 'unknown' && policy === 'ask' && !this.deps.confirmHostKey))) {
      ask({
        kind: verdict.status,
        hostId: conn.hostId,
        address: hop.address,
        port: hop.port,
        keyType: keyTypeOf(key),
        fingerprint: verdict.fingerprint,
        key,
        knownHostsPath: hop.knownHostsPath,
        expected: verdict.status === 'changed' ? verdict.expected.map((e) => ({ line: e.line, keyType: e.keyType, fingerprint: fingerprintSha256(e.key) })) : [],
      });
    }
    if (verdict.status === 'unknown') {
      const keyType = keyTypeOf(key);
      const accepted =
        policy === 'accept-new' ||
        (policy === 'ask' && !!this.deps.confirmHostKey && (await this.deps.confirmHostKey({ hostId: conn.hostId, address: hop.address, port: hop.port, keyType, fingerprint: fingerprintSha256(key) })));
      if (accepted) {
        await appendKnownHost(hop.knownHostsPath, hop.address, hop.port, key);
        this.logger.warn(`ssh ${this.label(conn)}: pinned new host key ${keyType} ${verdict.fingerprint} in ${hop.knownHostsPath}`);
        return;
      }
    }
    assertHostKey(verdict, hop.address, hop.port, key, hop.knownHostsPath);
  }

  /**
   * The auth methods to offer, in order: the agent, then the key file. Keys go to ssh2 already
   * parsed (through authHandler): decrypting an OpenSSH key runs bcrypt-pbkdf in JS for seconds,
   * so it happens once per pool, not on every reconnect.
   */
  private async authConfig(conn: Conn): Promise<{ authHandler: AuthMethod[]; describe: string }> {
    const hop = conn.hop;
    const label = this.label(conn);
    const tried: string[] = [];
    const methods: AuthMethod[] = [];
    if (hop.agent) {
      methods.push({ type: 'agent', username: hop.user, agent: hop.agent } as AuthMethod);
      tried.push(`the agent at ${hop.agent}`);
    }
    const keys: { where: string; path: string | null; inline?: string | Buffer; passphrase?: string; optional?: boolean }[] = [];
    if (hop.privateKey !== undefined || hop.privateKeyPath) {
      keys.push({ where: hop.privateKeyPath ?? 'the configured key', path: hop.privateKeyPath ?? null, ...(hop.privateKey !== undefined ? { inline: hop.privateKey } : {}), ...(hop.passphrase !== undefined ? { passphrase: hop.passphrase } : {}) });
    }
    // later keys are offered if usable; one that cannot be read or decrypted is skipped, not fatal
    for (const path of hop.extraPrivateKeyPaths ?? []) keys.push({ where: path, path, optional: true });
    for (const k of keys) {
      try {
        await this.addKey(k, conn, label, methods);
        tried.push(`key ${k.where}`);
      } catch (err) {
        if (!k.optional) throw err;
        this.logger.warn(`ssh ${label}: skipping key ${k.where}: ${(err as Error).message}`);
      }
    }
    if (!methods.length) throw new PermanentError(`${label}: no key file or agent configured`);
    const ask = this.deps.keyboardInteractive;
    if (ask) {
      const kbd: KeyboardInteractiveAuthMethod = {
        type: 'keyboard-interactive',
        username: hop.user,
        prompt: (name, instructions, _lang, prompts, finish) => {
          ask({ hostId: conn.hostId, name, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: !!p.echo })) }).then(
            (answers) => finish(answers ?? []),
            () => finish([]),
          );
        },
      };
      methods.push(kbd);
      tried.push('keyboard-interactive');
    }
    return { authHandler: methods, describe: tried.join(' and ') };
  }

  private async addKey(k: { where: string; path: string | null; inline?: string | Buffer; passphrase?: string }, conn: Conn, label: string, methods: AuthMethod[]): Promise<void> {
    const hop = conn.hop;
    {
      const where = k.where;
      let data: Buffer;
      try {
        data = k.inline !== undefined ? Buffer.from(k.inline) : await (this.deps.readFile ?? readFile)(k.path!);
      } catch (err) {
        throw new PermanentError(`${label}: cannot read key file ${where}: ${(err as Error).message}`);
      }
      const cacheKey = `${where}\0${data.toString('base64')}`;
      let key = this.parsedKeys.get(cacheKey);
      if (!key) {
        let passphrase = k.passphrase ?? (k.path ? this.passphrases.get(k.path) : undefined);
        let parsed = sshUtils.parseKey(data, passphrase);
        let asked = false;
        if (parsed instanceof Error && /no passphrase given|encrypted/i.test(parsed.message) && passphrase === undefined) {
          const answer = this.deps.passphrase ? await this.deps.passphrase(where, conn.hostId) : null;
          asked = true;
          if (answer === null || answer === undefined) throw new PermanentError(`${label}: key ${where} is encrypted and no passphrase was given`);
          passphrase = answer;
          parsed = sshUtils.parseKey(data, passphrase);
        }
        if (parsed instanceof Error) {
          const bad = /bad decrypt|integrity check|passphrase/i.test(parsed.message) && passphrase !== undefined;
          // a kept passphrase that no longer opens the file (its passphrase was changed): forget
          // it, so the next attempt asks instead of failing on it for the rest of the session
          if (bad && k.path) this.passphrases.delete(k.path);
          throw new PermanentError(bad ? `${label}: wrong passphrase for key ${where}` : `${label}: cannot use key ${where}: ${parsed.message}`);
        }
        const first = Array.isArray(parsed) ? parsed[0] : parsed;
        if (!first || !first.isPrivateKey()) throw new PermanentError(`${label}: ${where} holds no private key`);
        if (passphrase !== undefined && k.path) this.passphrases.set(k.path, passphrase);
        if (asked && passphrase !== undefined) this.deps.passphraseAccepted?.(where, passphrase);
        key = first as ParsedKey;
        this.parsedKeys.set(cacheKey, first as ParsedKey);
      }
      methods.push({ type: 'publickey', username: hop.user, key } as AuthMethod);
    }
  }

  // ---- state ---------------------------------------------------------------------------

  private touch(conn: Conn, delta: number): void {
    conn.active = Math.max(0, conn.active + delta);
    if (conn.idleTimer) this.timers.clearTimeout(conn.idleTimer);
    conn.idleTimer = null;
    if (!this.idleCloseMs || conn.active > 0 || !conn.client) return;
    conn.idleTimer = this.timers.setTimeout(() => {
      conn.idleTimer = null;
      if (conn.active > 0 || !conn.client || this.closed) return;
      this.logger.info(`ssh ${this.label(conn)}: closing after ${this.idleCloseMs} ms idle`);
      const client = conn.client;
      conn.client = null;
      // the spare goes with the connection: ending it ends the waiting wrapper on the host
      this.dropSpare(conn);
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
    return {
      hostId,
      state: conn.state,
      attempt: conn.attempt,
      nextRetryAt: conn.nextRetryAt === null ? null : isoAt(conn.nextRetryAt),
      error: conn.error,
      since: isoAt(conn.since),
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

  /** An interactive shell with a pty over the host's pooled connection (issue 7's terminal). */
  async shell(id: HostId, pty: { cols: number; rows: number; term: string }): Promise<ClientChannel> {
    const client = await this.clientFor(id);
    const conn = this.hosts.get(id)!.conn;
    const open = () =>
      new Promise<ClientChannel>((resolve, reject) => {
        try {
          client.shell({ term: pty.term, cols: pty.cols, rows: pty.rows }, (err, channel) =>
            err ? reject(new Error(`${id}: cannot open a shell: ${err.message}`)) : resolve(channel),
          );
        } catch (err) {
          reject(new Error(`${id}: cannot open a shell: ${(err as Error).message}`));
        }
      });
    let channel: ClientChannel;
    try {
      channel = await open();
    } catch (err) {
      // at the server's MaxSessions our spares hold the slot the terminal needs: give them up
      const mine = conn.spares.filter((s) => s.client === client);
      if (!mine.length) throw err;
      conn.spares = conn.spares.filter((s) => !mine.includes(s));
      conn.spareBlocked = true;
      await Promise.all(mine.map((s) => this.retireSpare(s)));
      // sshd frees the session slot a moment after the channel's close reaches us
      for (let attempt = 1; ; attempt++) {
        try {
          channel = await open();
          break;
        } catch (again) {
          if (attempt >= 3) throw again;
          await new Promise<void>((r) => this.timers.setTimeout(() => r(), 100 * attempt));
        }
      }
    }
    channel.once('close', () => this.sessionEnded(conn));
    return channel;
  }

  // ---- spare sessions ------------------------------------------------------------------
  //
  // One wrapper per connected host waits on the server for its command (execWrapper's spare):
  // the next exec writes its command to it, one round trip instead of two (channel open, then
  // the exec request; ssh2 offers no public way to open a session channel without a request).
  // Taking a spare starts the next one at once, so N commands at the same time hold N + 1
  // sessions; at the server's MaxSessions the extra one is refused, no command is (a command
  // always takes a spare, ready or still opening, before it opens a channel of its own), and no
  // new spare is tried until a session ends. A terminal that finds no slot gets the spares'.
  //
  // A spare takes two round trips and the host's fork of the login shell to start, a command on
  // it one round trip: commands back to back would wait for the next spare. So a host that gets
  // a second command within busySpareWindowMs of the one before keeps two, and goes back to one
  // after that long without a command. Spares never keep a connection from going idle; closing
  // the connection ends them.

  /** How many spares this connection should hold now. */
  private spareTarget(conn: Conn): number {
    return conn.busy ? 2 : 1;
  }

  /** Start spares until the connection holds its target (none while blocked). */
  private openSpare(conn: Conn): void {
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
    if (!this.spares || this.closed || conn.removed || conn.hostId === null || !client || conn.state !== 'connected' || conn.spareBlocked || conn.sparesRefused) return;
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
      client.exec(spareCommand(endLine), (err, ch) => {
        if (err) return failed(err.message);
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
        void readyLine(ch, endLine, this.timers).then((ready) => {
          if (ready) return resolveReady(ch);
          if (!spare.gone) {
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
      failed((err as Error).message);
    }
  }

  /** A spare that could not start or died unused; tried again once a session here ends. */
  private spareLost(conn: Conn, spare: Spare, why: string): void {
    if (!conn.spares.includes(spare)) return;
    conn.spares = conn.spares.filter((s) => s !== spare);
    if (conn.client !== spare.client) return;
    conn.spareBlocked = true;
    this.logger.info(`ssh ${this.label(conn)}: no spare session (${why}); next try in ${conn.spareDelayMs} ms or when a session ends`);
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

  /** The spare's channel, ready for its command; null when there is none to use. */
  private async takeSpare(conn: Conn, client: Client): Promise<{ channel: ClientChannel; endLine: string } | null> {
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
    return { channel, endLine: spare.endLine };
  }

  private async retireSpare(spare: Spare): Promise<void> {
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
  private dropSpare(conn: Conn): void {
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
  private sessionEnded(conn: Conn): void {
    conn.spareBlocked = false;
    this.openSpare(conn);
  }
}

/** How each ProxyCommand ended: its exit status and stderr explain a handshake that failed. */
const proxyExits = new WeakMap<Duplex, Promise<string | null>>();

/** A ProxyCommand's stdio as the SSH transport; its stderr is kept for the error message. */
function proxyCommandSocket(command: string, label: string): Duplex {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-2000);
  });
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  proxyExits.set(
    sock,
    new Promise((resolve) => {
      child.on('error', (err) => resolve(`${label}: ProxyCommand failed to start: ${err.message}`));
      child.on('exit', (code, signal) => resolve(code === 0 ? null : `${label}: ProxyCommand exited with ${code ?? signal}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    }),
  );
  sock.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return sock;
}

function openForward(client: Client, dstHost: string, dstPort: number, label: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.forwardOut('127.0.0.1', 0, dstHost, dstPort, (err, channel) =>
        err ? reject(new Error(`${label}: cannot open a forward to ${dstHost}:${dstPort}: ${err.message}`)) : resolve(channel),
      );
    } catch (err) {
      reject(new Error(`${label}: cannot open a forward to ${dstHost}:${dstPort}: ${(err as Error).message}`));
    }
  });
}

function validateHop(hop: JumpHop, what: string): void {
  if (typeof hop.address !== 'string' || !hop.address || /[\s/]/.test(hop.address)) throw new Error(`${what}: bad address ${JSON.stringify(hop.address)}`);
  if (!Number.isInteger(hop.port) || hop.port < 1 || hop.port > 65535) throw new Error(`${what}: bad port ${JSON.stringify(hop.port)}`);
  if (typeof hop.user !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(hop.user)) throw new Error(`${what}: bad user ${JSON.stringify(hop.user)}`);
  if (!hop.knownHostsPath) throw new Error(`${what}: knownHostsPath is required (host keys are always checked)`);
}

/**
 * Resolves true once the spare has printed its ready line (execWrapper's spareCommand), with its
 * stdout paused and anything printed before that line (a login shell's chatter) put back for
 * the command's output, as a plain exec would show it; false if the channel closes, prints too
 * much, or stays silent past SPARE_READY_TIMEOUT_MS.
 */
function readyLine(channel: ClientChannel, line: string, timers: Timers): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const want = Buffer.from(`${line}\n`);
    let seen = Buffer.alloc(0);
    const done = (ready: boolean): void => {
      channel.off('data', onData);
      channel.off('close', onClose);
      timers.clearTimeout(timer);
      channel.pause();
      resolve(ready);
    };
    const onData = (chunk: Buffer): void => {
      seen = Buffer.concat([seen, chunk]);
      let at = seen.indexOf(want);
      while (at > 0 && seen[at - 1] !== 0x0a) at = seen.indexOf(want, at + 1);
      if (at < 0) {
        if (seen.length > SPARE_PREAMBLE_MAX_BYTES) done(false);
        return;
      }
      const rest = Buffer.concat([seen.subarray(0, at), seen.subarray(at + want.length)]);
      done(true);
      if (rest.length) channel.unshift(rest);
    };
    const onClose = (): void => done(false);
    const timer = timers.setTimeout(() => done(false), SPARE_READY_TIMEOUT_MS);
    channel.on('data', onData);
    channel.once('close', onClose);
  });
}
