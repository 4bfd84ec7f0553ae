// The renderer's WebSocket client against a real `ws` server on loopback, speaking the
// browser shell's protocol. The server here is the test's own peer, not a stand-in for main:
// it lets each case send exactly the frames (out of order, malformed, a dropped socket) that
// the client must survive.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'ws';
import type { EventPayload } from '../../../common/contract';
import { createWebSocketApi } from './webSocketApi';
import type { BackendStatus, SocketLike, WebSocketApi } from './webSocketApi';

type Frame = { t: string; id: number; name: string; payload: unknown };

interface Peer {
  server: WebSocketServer;
  url: string;
  frames: Frame[];
  sockets: WebSocket[];
  connections: number;
  onCall: (frame: Frame, socket: WebSocket) => void;
}

const peers: Peer[] = [];
const apis: WebSocketApi[] = [];

async function startPeer(port = 0): Promise<Peer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const peer: Peer = {
    server,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws?token=t`,
    frames: [],
    sockets: [],
    connections: 0,
    onCall: () => {},
  };
  server.on('connection', (socket) => {
    peer.connections += 1;
    peer.sockets.push(socket);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      peer.frames.push(frame);
      peer.onCall(frame, socket);
    });
  });
  peers.push(peer);
  return peer;
}

function client(url: string, extra: Partial<Parameters<typeof createWebSocketApi>[0]> = {}) {
  const warnings: string[] = [];
  const statuses: BackendStatus[] = [];
  const api = createWebSocketApi({
    url,
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
    logger: { warn: (message) => warnings.push(message) },
    onStatus: (s) => statuses.push(s),
    initialBackoffMs: 20,
    maxBackoffMs: 80,
    ...extra,
  });
  apis.push(api);
  return { api, warnings, statuses };
}

const send = (socket: WebSocket, frame: unknown) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const fleet = {
  demo: true,
  configPath: null,
  user: 'oncall',
  hosts: [{ id: 'web-1', label: 'web 1', address: '10.0.0.2', port: 22, user: 'root', demo: true }],
  deployments: [{ id: 'prod', name: 'Production', hosts: ['web-1'], healthVia: 'web-1', healthUrl: 'http://127.0.0.1:8000' }],
};

const breakerUpdate = {
  deploymentId: 'prod',
  endpoint: 'circuitBreakers',
  status: 'ok',
  error: null,
  polledAt: '2026-11-26T12:00:00Z',
  lastGoodAt: '2026-11-26T12:00:00Z',
  intervalMs: 5000,
  nextPollAt: null,
  latencyMs: 3,
  meta: {},
  items: { coingecko_api: { ok: true, value: { state: 'OPEN' } } },
};

afterEach(async () => {
  for (const api of apis.splice(0)) api.close();
  for (const peer of peers.splice(0)) {
    for (const s of peer.sockets) s.terminate();
    await new Promise<void>((resolve) => peer.server.close(() => resolve()));
  }
});

describe('webSocketApi', () => {
  it('sends calls in the protocol and routes out-of-order results to the right caller by id', async () => {
    const peer = await startPeer();
    const held: Array<{ frame: Frame; socket: WebSocket }> = [];
    peer.onCall = (frame, socket) => {
      held.push({ frame, socket });
      if (held.length === 2) {
        // answer the second call first
        const [a, b] = held;
        send(b!.socket, { t: 'result', id: b!.frame.id, result: { ok: true, value: { scheduled: true } } });
        send(a!.socket, { t: 'result', id: a!.frame.id, result: { ok: true, value: fleet } });
      }
    };
    const { api } = client(peer.url);
    const [fleetResult, pollResult] = await Promise.all([api.getFleet({}), api.pollNow({ deploymentId: 'prod' as never })]);
    expect(fleetResult).toEqual({ ok: true, value: fleet });
    expect(pollResult).toEqual({ ok: true, value: { scheduled: true } });
    expect(peer.frames.map((f) => [f.t, f.name, f.payload])).toEqual([
      ['call', 'getFleet', {}],
      ['call', 'pollNow', { deploymentId: 'prod' }],
    ]);
    expect(new Set(peer.frames.map((f) => f.id)).size).toBe(2);
  });

  it('passes error results through and turns an answer that breaks the contract into a named internal error', async () => {
    const peer = await startPeer();
    peer.onCall = (frame, socket) => {
      if (frame.name === 'cancelRun')
        send(socket, { t: 'result', id: frame.id, result: { ok: false, error: { code: 'not-found', message: 'no run run-0123456789abcdef' } } });
      else send(socket, { t: 'result', id: frame.id, result: { ok: true, value: { ...fleet, hosts: 'not a list' } } });
    };
    const { api } = client(peer.url);
    expect(await api.cancelRun({ runId: 'run-0123456789abcdef' as never })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'no run run-0123456789abcdef' },
    });
    const bad = await api.getFleet({});
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('internal');
      expect(bad.error.message).toContain('getFleet');
      expect(bad.error.message).toContain('hosts');
    }
  });

  it('delivers valid events to every listener until unsubscribed, and drops invalid ones with a warning', async () => {
    const peer = await startPeer();
    const { api, warnings } = client(peer.url);
    const seen: Array<EventPayload<'onHealth'>> = [];
    const seenToo: unknown[] = [];
    const off = api.on('onHealth', (p) => seen.push(p));
    api.on('onHealth', (p) => seenToo.push(p));
    await until(() => peer.sockets.length === 1 && api.status().state === 'connected', 'connection');
    const socket = peer.sockets[0]!;
    send(socket, { t: 'event', name: 'onHealth', payload: { updates: [breakerUpdate] } });
    send(socket, { t: 'event', name: 'onHealth', payload: { updates: [{ ...breakerUpdate, status: 'on fire' }] } });
    send(socket, { t: 'event', name: 'onNoSuchEvent', payload: {} });
    send(socket, 'not json {');
    send(socket, { t: 'result', id: 999, result: { ok: true, value: {} } });
    await until(() => warnings.length >= 4, 'warnings');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.updates[0]!.items.coingecko_api).toEqual({ ok: true, value: { state: 'OPEN' } });
    expect(seenToo).toHaveLength(1);
    expect(warnings.join('\n')).toMatch(/invalid onHealth event at updates\.0\.status/);
    expect(warnings.join('\n')).toMatch(/unknown name "onNoSuchEvent"/);
    expect(warnings.join('\n')).toMatch(/not JSON/);
    expect(warnings.join('\n')).toMatch(/unknown call id 999/);

    off();
    send(socket, { t: 'event', name: 'onHealth', payload: { updates: [] } });
    await until(() => seenToo.length === 2, 'second event');
    expect(seen).toHaveLength(1);
  });

  it('fails pending calls as unavailable when the socket drops, reports disconnected, and reconnects with backoff', async () => {
    const peer = await startPeer();
    const { api, statuses } = client(peer.url);
    const seen: unknown[] = [];
    api.on('onConnection', (p) => seen.push(p));
    await until(() => api.status().state === 'connected', 'first connection');
    const pending = api.listAudit({ limit: 5 });
    await until(() => peer.frames.length === 1, 'call to arrive');
    peer.sockets[0]!.terminate();
    expect(await pending).toEqual({ ok: false, error: { code: 'unavailable', message: 'disconnected from console backend' } });
    expect(statuses.some((s) => s.state === 'disconnected')).toBe(true);

    await until(() => peer.connections === 2 && api.status().state === 'connected', 'reconnect');
    // the new socket carries calls and events as before
    peer.onCall = (frame, socket) =>
      send(socket, { t: 'result', id: frame.id, result: { ok: true, value: { records: [], chainOk: true, chainError: null, anchors: null } } });
    expect(await api.listAudit({ limit: 5 })).toEqual({ ok: true, value: { records: [], chainOk: true, chainError: null, anchors: null } });
    send(peer.sockets[1]!, { t: 'event', name: 'onConnection', payload: { updates: [] } });
    await until(() => seen.length === 1, 'event after reconnect');
  });

  it('keeps retrying while the backend is down, fails calls at once meanwhile, and recovers when it returns', async () => {
    const first = await startPeer();
    const port = Number(new URL(first.url).port);
    const { api, statuses } = client(first.url);
    await until(() => api.status().state === 'connected', 'first connection');
    for (const s of first.sockets) s.terminate();
    await new Promise<void>((resolve) => first.server.close(() => resolve()));
    peers.splice(peers.indexOf(first), 1);

    await until(() => statuses.filter((s) => s.state === 'disconnected').length >= 3, 'several failed attempts');
    const attempts = statuses.filter((s): s is Extract<BackendStatus, { state: 'disconnected' }> => s.state === 'disconnected').map((s) => s.attempt);
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    if (api.status().state === 'disconnected') {
      const started = Date.now();
      const result = await api.getSnapshot({});
      expect(result.ok).toBe(false);
      // a queued call would wait for the backend, which comes back only after this check
      expect(Date.now() - started).toBeLessThan(3000);
    }

    const second = await startPeer(port);
    second.onCall = (frame, socket) => send(socket, { t: 'result', id: frame.id, result: { ok: true, value: fleet } });
    await until(() => api.status().state === 'connected', 'reconnect to the restarted backend', 5000);
    expect(await api.getFleet({})).toEqual({ ok: true, value: fleet });
  });

  it('queues a call made while the socket is still opening and sends it on open', async () => {
    const peer = await startPeer();
    peer.onCall = (frame, socket) => send(socket, { t: 'result', id: frame.id, result: { ok: true, value: fleet } });
    const { api } = client(peer.url);
    expect(api.status().state).toBe('connecting');
    expect(await api.getFleet({})).toEqual({ ok: true, value: fleet });
  });

  it('gives up on a call the backend never answers, with a message that says so', async () => {
    const peer = await startPeer();
    const { api } = client(peer.url, { callTimeoutMs: 100 });
    const result = await api.getSnapshot({});
    expect(result).toEqual({ ok: false, error: { code: 'unavailable', message: 'getSnapshot: no answer from console backend in 100 ms' } });
    expect(peer.frames).toHaveLength(1);
  });
});
