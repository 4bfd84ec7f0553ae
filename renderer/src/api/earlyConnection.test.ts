// The socket the page opens before its code has loaded, against a real `ws` server on loopback
// that does what the browser shell does: it sends the fleet and its state first, unasked, then
// an event. The client's handlers are set only after both have arrived, as when the app's code
// is still being evaluated; nothing may be lost, reordered, or asked for twice.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'ws';
import { holdingSocket } from './earlyConnection';
import { openOpsApi } from './openOpsApi';
import { createWebSocketApi } from './webSocketApi';
import type { BackendStatus, SocketLike, WebSocketApi } from './webSocketApi';

const FLEET = { demo: true, configPath: null, user: 'op', hosts: [], deployments: [] };
const SNAPSHOT = { connections: [], health: [] };

let server: WebSocketServer | null = null;
let api: WebSocketApi | null = null;

afterEach(async () => {
  api?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function browserShellPeer(): Promise<{ url: string; connections: () => number; calls: string[]; dropAll: () => void }> {
  const s = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server = s;
  await new Promise<void>((resolve) => s.once('listening', () => resolve()));
  let connections = 0;
  const calls: string[] = [];
  s.on('connection', (socket) => {
    connections++;
    socket.send(JSON.stringify({ t: 'event', name: 'onSnapshot', payload: { fleet: FLEET, snapshot: SNAPSHOT } }));
    socket.send(JSON.stringify({ t: 'event', name: 'onConnection', payload: { updates: [] } }));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: number; name: string };
      calls.push(frame.name);
      socket.send(JSON.stringify({ t: 'result', id: frame.id, result: { ok: true, value: { scheduled: true } } }));
    });
  });
  return {
    url: `ws://127.0.0.1:${(s.address() as AddressInfo).port}/ws?token=t`,
    connections: () => connections,
    calls,
    dropAll: () => s.clients.forEach((c) => c.terminate()),
  };
}

describe('the early socket', () => {
  it('keeps what came before the app was ready and hands it over in order, on the same socket', async () => {
    const peer = await browserShellPeer();
    const raw = new WebSocket(peer.url);
    const held = holdingSocket(raw as unknown as SocketLike);
    // both messages are in before the app's client exists (the page's code is still loading)
    await new Promise<void>((resolve) => {
      let n = 0;
      raw.on('message', () => ++n === 2 && resolve());
    });

    const seen: string[] = [];
    const statuses: BackendStatus['state'][] = [];
    let handed = false;
    api = createWebSocketApi({
      url: peer.url,
      createSocket: () => {
        if (handed) throw new Error('the early socket is used once; a reconnect opens its own');
        handed = true;
        return held;
      },
      onStatus: (s) => statuses.push(s.state),
    });
    // the app binds its listeners in the same task as it creates the client
    api.on('onSnapshot', (p) => seen.push(`snapshot demo=${p.fleet.demo}`));
    api.on('onConnection', () => seen.push('connection'));
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(seen).toEqual(['snapshot demo=true', 'connection']);
    expect(statuses).toEqual(['connecting', 'connected']);
    expect(await api.pollNow({ deploymentId: 'prod' as never })).toEqual({ ok: true, value: { scheduled: true } });
    expect(peer.calls).toEqual(['pollNow']);
    expect(peer.connections()).toBe(1);
  });

  it('delivers at once, not held, once the client is wired', async () => {
    const peer = await browserShellPeer();
    const raw = new WebSocket(peer.url);
    const held = holdingSocket(raw as unknown as SocketLike);
    const seen: string[] = [];
    api = createWebSocketApi({ url: peer.url, createSocket: () => held });
    api.on('onSnapshot', () => seen.push('snapshot'));
    api.on('onConnection', () => seen.push('connection'));
    await new Promise<void>((resolve) => raw.on('message', () => seen.length === 2 && resolve()));
    expect(seen).toEqual(['snapshot', 'connection']);
  });

  it('is the first connection only: a reconnect opens its own socket and gets the state again, unasked', async () => {
    const peer = await browserShellPeer();
    const host = new URL(peer.url).host;
    const win = {
      location: { hash: '', host, protocol: 'http:', pathname: '/', search: '' },
      history: { replaceState: () => {} },
      sessionStorage: null,
      WebSocket,
    } as unknown as Window;
    const early = { token: 't', socket: holdingSocket(new WebSocket(peer.url) as unknown as SocketLike) };
    const transport = openOpsApi(win, () => {}, early);
    if (transport.kind !== 'websocket') throw new Error(`expected the browser shell's transport, got ${transport.kind}`);
    api = transport.api as WebSocketApi;
    let snapshots = 0;
    api.on('onSnapshot', () => snapshots++);
    await expect.poll(() => snapshots).toBe(1);
    expect(peer.connections()).toBe(1);

    peer.dropAll();
    await expect.poll(() => snapshots, { timeout: 5000 }).toBe(2);
    expect(peer.connections()).toBe(2);
    expect(peer.calls).toEqual([]);
  });
});
