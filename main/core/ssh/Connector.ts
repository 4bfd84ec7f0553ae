// The connector: opens one authenticated ssh2 connection for a hop. The bastion first (through
// the registry), then keys and known_hosts, then a handshake slot, the transport, the host-key
// check and auth; a failure comes back with a message that says which step and why, as a
// PermanentError when retrying cannot fix it.
import type { Duplex } from 'node:stream';
import type { Client, ConnectConfig } from 'ssh2';
import type { Timers } from '../clock';
import { PermanentError, connLabel, type Conn } from './Conn';
import type { HandshakeGate } from './HandshakeGate';
import { loadHopKnownHosts, type HostKeyCheck } from './HostKeyCheck';
import type { KeyRing } from './KeyRing';
import { openTransport, proxyCommandExit } from './transports';

const DEFAULT_KEEPALIVE_MS = 15_000;
const DEFAULT_KEEPALIVE_COUNT = 3;
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

export interface ConnectorDeps {
  timers: Timers;
  createClient: () => Client;
  connectSocket: (host: string, port: number) => Duplex;
  gate: HandshakeGate;
  hostKeys: HostKeyCheck;
  keyRing: KeyRing;
  /** the bastion's connection, opened or reused (the registry's ensure) */
  ensure: (conn: Conn, explicit: boolean) => Promise<Client>;
  isClosed: () => boolean;
}

export class Connector {
  constructor(private readonly deps: ConnectorDeps) {}

  /** The connected client and the transport it runs over (liveness listens to it). */
  async handshake(conn: Conn, explicit = false): Promise<{ client: Client; transport: Duplex }> {
    const hop = conn.hop;
    const label = connLabel(conn);
    if (hop.unresolved) throw new PermanentError(`${label}: ${hop.unresolved}`);
    // the bastion first, outside the slot, so a chain never waits on a slot it holds itself
    const parentClient = conn.parent
      ? await this.deps.ensure(conn.parent, explicit).catch((err: Error) => {
          const message = `${label}: jump host ${conn.parent!.key}: ${err.message}`;
          // a bastion refused for good (host key, auth) fails the hosts behind it for good too
          throw conn.parent!.state === 'failed' ? new PermanentError(message) : new Error(message);
        })
      : null;
    const auth = await this.deps.keyRing.authConfig(conn);
    const known = await loadHopKnownHosts(hop);
    const release = await this.deps.gate.slot();
    try {
      const closed = this.deps.isClosed();
      if (closed || conn.removed) throw new PermanentError(`${label}: ${closed ? 'the session pool is closed' : 'host removed'}`);
      const sock = await openTransport(hop, parentClient, label, this.deps.connectSocket);
      const client = this.deps.createClient();
      conn.handshaking = client;
      client.once('close', () => {
        if (conn.handshaking === client) conn.handshaking = null;
      });
      let refusal: Error | null = null;
      const config: ConnectConfig = {
        sock: sock as ConnectConfig['sock'],
        host: hop.address,
        port: hop.port,
        username: hop.user,
        readyTimeout: hop.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        keepaliveInterval: hop.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
        keepaliveCountMax: hop.keepaliveCountMax ?? DEFAULT_KEEPALIVE_COUNT,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          this.deps.hostKeys.check(hop, conn.hostId, label, known, key).then(
            () => verify(true),
            (err: Error) => {
              refusal = err;
              verify(false);
            },
          );
        },
      };
      const preferred = this.deps.hostKeys.preferredAlgorithms(known, hop);
      if (preferred) config.algorithms = { serverHostKey: preferred as never };
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error & { level?: string }) => {
          cleanup();
          // destroy() can emit one more error ("Connection lost before handshake"): swallow it
          client.on('error', () => {});
          client.destroy();
          sock.destroy();
          if (refusal) return reject(refusal);
          const proxyExit = proxyCommandExit(sock);
          if (proxyExit && err.level !== 'client-authentication' && err.level !== 'client-timeout') {
            // the command's own words beat ssh2's "connection lost"; wait briefly for its exit
            const timeout = new Promise<null>((r) => this.deps.timers.setTimeout(() => r(null), 1000));
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
          resolve();
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
      return { client, transport: sock };
    } finally {
      release();
    }
  }
}
