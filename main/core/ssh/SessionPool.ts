// The session pool: one ssh2 connection per host, kept alive, for everything the console runs
// on a host. A facade over its parts, each one job: the connection registry and backoff
// (ConnectionRegistry), the handshake gate (HandshakeGate), the connector that opens one
// connection (Connector) over its transport (transports), the host-key check (HostKeyCheck),
// keys and auth (KeyRing), spare sessions (SpareSessions), the session slots under the server's
// MaxSessions (SessionSlots) and the channel runner (ChannelRunner). Everything with a side effect outside this process (sockets, files, time)
// comes in through the constructor. Liveness notices a frozen link within seconds.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type ClientChannel } from 'ssh2';
import type { ConnectionState, HostId } from '../../../common/contract';
import { systemClock, systemTimers } from '../clock';
import { ChannelRunner } from './ChannelRunner';
import { ConnectionRegistry } from './ConnectionRegistry';
import { Connector } from './Connector';
import { HandshakeGate } from './HandshakeGate';
import { HostKeyCheck } from './HostKeyCheck';
import { KeyRing } from './KeyRing';
import { Liveness } from './Liveness';
import { SessionSlots } from './SessionSlots';
import { SpareSessions } from './SpareSessions';
import type { ExecOptions, ExecResult, HostTarget, SessionPoolDeps, SshLogger } from './types';

export type { ExecOptions, ExecResult, HostKeyPolicy, HostKeyPrompt, HostKeyQuestion, HostTarget, JumpHop, SessionPoolDeps, SshLogger } from './types';
export { connKey } from './Conn';
export { SshLinkError, outcomeUnknown, sshLinkErrorKind, type SshLinkErrorKind } from './SshLinkError';

// ssh2 is CommonJS: Node's ESM loader sees only its default export in the built bundle
const { Client: SshClient } = ssh2;

export class SessionPool {
  private readonly registry: ConnectionRegistry;
  private readonly gate: HandshakeGate;
  private readonly hostKeys: HostKeyCheck;
  private readonly runner: ChannelRunner;
  private closed = false;

  constructor(deps: SessionPoolDeps = {}) {
    const clock = deps.clock ?? systemClock;
    const timers = deps.timers ?? systemTimers;
    const logger: SshLogger = deps.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
    const isClosed = () => this.closed;
    this.gate = new HandshakeGate({ logger, maxConcurrentHandshakes: deps.maxConcurrentHandshakes, handshakeLagLimitMs: deps.handshakeLagLimitMs });
    this.hostKeys = new HostKeyCheck({ logger, confirmHostKey: deps.confirmHostKey, hostKeyQuestion: deps.hostKeyQuestion });
    const keyRing = new KeyRing({
      logger,
      passphrase: deps.passphrase,
      passphraseAccepted: deps.passphraseAccepted,
      keyboardInteractive: deps.keyboardInteractive,
      readFile: deps.readFile,
    });
    const slots = new SessionSlots({ timers, logger });
    const spares = new SpareSessions({
      clock,
      timers,
      logger,
      spareSessions: deps.spareSessions,
      busySpareWindowMs: deps.busySpareWindowMs,
      sparePrelude: deps.sparePrelude,
      isClosed,
      slots,
    });
    const connector = new Connector({
      timers,
      createClient: deps.createClient ?? (() => new SshClient()),
      connectSocket: deps.connectSocket ?? ((host: string, port: number): Duplex => netConnect({ host, port, noDelay: true })),
      gate: this.gate,
      hostKeys: this.hostKeys,
      keyRing,
      ensure: (conn, explicit) => this.registry.ensure(conn, explicit),
      isClosed,
    });
    const liveness = new Liveness({
      clock,
      timers,
      probeMs: deps.liveness?.probeMs,
      unresponsiveAfterMs: deps.liveness?.unresponsiveAfterMs,
      onUnresponsive: (conn, silentMs) => this.registry.markUnresponsive(conn, silentMs),
      onResponsive: (conn) => this.registry.markResponsive(conn),
    });
    this.registry = new ConnectionRegistry({
      clock,
      timers,
      logger,
      backoff: deps.backoff,
      random: deps.random,
      idleCloseMs: deps.idleCloseMs,
      spares,
      handshake: (conn, explicit) => connector.handshake(conn, explicit),
      liveness,
      isClosed,
    });
    this.runner = new ChannelRunner(this.registry, spares, slots, timers);
  }

  // ---- hosts ---------------------------------------------------------------------------

  /** Replace the set of hosts. Hosts whose connection settings changed are reconnected. */
  setHosts(targets: HostTarget[]): void {
    this.registry.setHosts(targets);
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    return this.registry.onState(listener);
  }

  states(): ConnectionState[] {
    return this.registry.states();
  }

  /** Resolves once the host is connected; rejects with the reason. Keeps it connected afterwards. */
  async connect(id: HostId): Promise<void> {
    await this.registry.connect(id);
  }

  /** Drop a host's connection now (e.g. idle); the next exec or connect reopens it. */
  async disconnect(id: HostId): Promise<void> {
    await this.registry.disconnect(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    const ends = this.registry.close();
    // attempts waiting for a handshake slot: let them run into the closed check and fail
    this.gate.close();
    await ends;
  }

  /** Accept this key for host:port until the pool closes, without writing known_hosts. */
  acceptHostKeyOnce(address: string, port: number, key: Buffer): void {
    this.hostKeys.acceptOnce(address, port, key);
  }

  /** Try every failed host again now (after the user answered a host-key or passphrase question). */
  retryFailed(): void {
    this.registry.retryFailed();
  }

  /**
   * The user asked to connect this host now (Retry / Connect): a failed host tries again, a
   * host waiting out its backoff skips the wait. False if it is already connected.
   */
  retry(id: HostId): boolean {
    return this.registry.retry(id);
  }

  /** Each hop a host's connection goes through (bastions first) and the key files it offers. */
  hopsOf(id: HostId): { address: string; port: number; keyPaths: string[] }[] {
    return this.registry.hopsOf(id);
  }

  /** The handshake cap now and the lowest it went during the current burst of handshakes. */
  handshakeLoad(): { cap: number; lowestCap: number; running: number; queued: number } {
    return this.gate.load();
  }

  // ---- work ----------------------------------------------------------------------------

  exec(id: HostId, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.runner.exec(id, command, opts);
  }

  /** A direct-tcpip channel from the host to dstHost:dstPort (as `ssh -L`). */
  forwardOut(id: HostId, dstHost: string, dstPort: number): Promise<Duplex> {
    return this.runner.forwardOut(id, dstHost, dstPort);
  }

  /** An interactive shell with a pty over the host's pooled connection (the terminal). */
  shell(id: HostId, pty: { cols: number; rows: number; term: string }): Promise<ClientChannel> {
    return this.runner.shell(id, pty);
  }
}
