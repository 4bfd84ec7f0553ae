// One pooled connection's record (a host or a ProxyJump hop), shared by the parts of the pool
// that each look after one side of it: the registry (state, backoff, idle close), the spare
// sessions (the spare fields) and the channel runner (active channels). Also the key that
// identifies a connection and the check of a hop's settings.
import type { Client, ClientChannel } from 'ssh2';
import type { ConnectionState, HostId } from '../../../common/contract';
import type { JumpHop } from './types';

export type ConnState = ConnectionState['state'];

export interface Conn {
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
  /** callers waiting for the scheduled attempt (due soon): settled by it, or rejected if it is called off */
  attemptWaiters: { resolve: (client: Client) => void; reject: (err: Error) => void }[];
  /** told when the connected link stops answering (liveness): the commands running on it */
  frozenWatchers: Set<() => void>;
}

export interface Spare {
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
export class PermanentError extends Error {}

export const connKey = (hop: Pick<JumpHop, 'user' | 'address' | 'port'>, parent: Conn | null): string =>
  `${parent ? parent.key + ' > ' : ''}${hop.user}@${hop.address.includes(':') ? `[${hop.address}]` : hop.address}:${hop.port}`;

/** How a connection is named in the log and in errors: its host id (if any) and its key. */
export function connLabel(conn: Conn): string {
  return conn.hostId ? `${conn.hostId} (${conn.key})` : conn.key;
}

export function validateHop(hop: JumpHop, what: string): void {
  if (typeof hop.address !== 'string' || !hop.address || /[\s/]/.test(hop.address)) throw new Error(`${what}: bad address ${JSON.stringify(hop.address)}`);
  if (!Number.isInteger(hop.port) || hop.port < 1 || hop.port > 65535) throw new Error(`${what}: bad port ${JSON.stringify(hop.port)}`);
  if (typeof hop.user !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(hop.user)) throw new Error(`${what}: bad user ${JSON.stringify(hop.user)}`);
  if (!hop.knownHostsPath) throw new Error(`${what}: knownHostsPath is required (host keys are always checked)`);
}
