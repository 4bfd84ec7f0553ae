// The transports a handshake runs over: a TCP socket to the first hop, a ProxyCommand's stdio,
// or (ProxyJump) a direct-tcpip channel through the bastion's own pooled connection.
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { JumpHop } from './types';

/**
 * The byte stream to run the SSH handshake over: through the bastion when there is one, else
 * the hop's ProxyCommand, else a direct socket.
 */
export async function openTransport(
  hop: JumpHop,
  parentClient: Client | null,
  label: string,
  connectSocket: (host: string, port: number) => Duplex,
): Promise<Duplex> {
  if (parentClient) return openForward(parentClient, hop.address, hop.port, label);
  if (hop.proxyCommand) return proxyCommandSocket(hop.proxyCommand, label);
  return connectSocket(hop.address, hop.port);
}

/** Why the ProxyCommand behind this stream failed (null: it exited 0), if it is one. */
export function proxyCommandExit(sock: Duplex): Promise<string | null> | undefined {
  return proxyExits.get(sock);
}

/** How each ProxyCommand ended: its exit status and stderr explain a handshake that failed. */
const proxyExits = new WeakMap<Duplex, Promise<string | null>>();

/** A ProxyCommand's stdio as the SSH transport; its stderr is kept for the error message. */
export function proxyCommandSocket(command: string, label: string): Duplex {
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
      child.on('exit', (code, signal) =>
        resolve(code === 0 ? null : `${label}: ProxyCommand exited with ${code ?? signal}${stderr.trim() ? `: ${stderr.trim()}` : ''}`),
      );
    }),
  );
  sock.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return sock;
}

/** RFC 4254 5.1's reason codes, in words: what a server that gives no description meant. */
const OPEN_FAILURE_REASON: ReadonlyMap<unknown, string> = new Map([
  [1, 'the server does not allow forwarding there (administratively prohibited)'],
  [2, 'nothing accepted the connection there (connect failed)'],
  [3, 'the server does not know direct-tcpip channels'],
  [4, 'the server is short of resources'],
]);

/** ssh2's message, with the reason code in words when the server sent an empty description. */
export function forwardFailure(err: Error & { reason?: unknown }): string {
  const empty = /Channel open failure:\s*$/.test(err.message);
  if (!empty) return err.message;
  return `${err.message.replace(/:\s*$/, '')}: ${OPEN_FAILURE_REASON.get(err.reason) ?? 'the server gave no reason'}`;
}

export function openForward(client: Client, dstHost: string, dstPort: number, label: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.forwardOut('127.0.0.1', 0, dstHost, dstPort, (err, channel) =>
        err ? reject(new Error(`${label}: cannot open a forward to ${dstHost}:${dstPort}: ${forwardFailure(err)}`)) : resolve(channel),
      );
    } catch (err) {
      reject(new Error(`${label}: cannot open a forward to ${dstHost}:${dstPort}: ${(err as Error).message}`));
    }
  });
}
