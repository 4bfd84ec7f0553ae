// An undici dispatcher whose sockets are SSH direct-tcpip channels of the session pool, so the
// health poller reaches an API that listens only on the host's loopback. undici keeps the
// channel alive across polls (one channel, many requests: about 0.7 ms a GET on loopback vs
// 1.8 ms for a new channel each time); when the SSH connection drops, the channel closes,
// undici asks for a new socket on the next request, and forwardOut waits for a reconnect due
// within 2 s or fails at once (the host waits out its backoff: a poll never moves it).
import { Client as UndiciClient } from 'undici';
import type { HostId } from '../../../common/contract';
import type { SessionPool } from './SessionPool';

export interface ForwardDispatcherOptions {
  /** keep an idle channel this long between polls (undici's default 4 s is shorter than most poll intervals) */
  keepAliveTimeoutMs?: number;
  /** per-request limits; the poller may also pass its own */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** requests in flight at once on the channel (HTTP/1.1 pipelining); 1 unless asked */
  pipelining?: number;
}

export function createForwardDispatcher(
  pool: Pick<SessionPool, 'forwardOut'>,
  hostId: HostId,
  dstHost: string,
  dstPort: number,
  opts: ForwardDispatcherOptions = {},
): UndiciClient {
  if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) throw new Error(`forward for ${hostId}: bad port ${JSON.stringify(dstPort)}`);
  if (!/^[A-Za-z0-9.:_-]+$/.test(dstHost)) throw new Error(`forward for ${hostId}: bad destination host ${JSON.stringify(dstHost)}`);
  const host = dstHost.includes(':') ? `[${dstHost}]` : dstHost;
  return new UndiciClient(`http://${host}:${dstPort}`, {
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 60_000,
    keepAliveMaxTimeout: Math.max(opts.keepAliveTimeoutMs ?? 60_000, 600_000),
    headersTimeout: opts.headersTimeoutMs ?? 10_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 10_000,
    pipelining: opts.pipelining ?? 1,
    connect: (_options, callback) => {
      pool.forwardOut(hostId, dstHost, dstPort).then(
        (channel) => callback(null, channel as never),
        (err: Error) => callback(err, null),
      );
    },
  });
}
