import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CallHandlers } from '../../common/contract';
import { EventHub } from '../core/bridge/EventHub';
import { WebShellServer } from './WebShellServer';

// The bridge is the unit under test; these handlers only echo what reached them, so the test
// can tell whether a call got through the gate and with what payload. The fleet and snapshot
// the server sends first on every socket are fixed values, not recorded.
const received: { name: string; payload: unknown }[] = [];
const FLEET = { demo: false, configPath: null, user: 'op', hosts: [], deployments: [] };
const SNAPSHOT = { connections: [], health: [] };
let stateFails = false;
const handlers = new Proxy({} as CallHandlers, {
  get: (_target, name: string) => async (payload: unknown) => {
    if (name === 'getFleet' || name === 'getSnapshot') {
      if (stateFails) throw new Error('state store unreadable');
      return name === 'getFleet' ? FLEET : SNAPSHOT;
    }
    received.push({ name, payload });
    if (name === 'pollNow') return { scheduled: true };
    if (name === 'listAudit') throw new Error('disk on fire');
    return { echoed: payload };
  },
});

let server: WebShellServer;
let hub: EventHub;
let root: string;

beforeEach(async () => {
  received.length = 0;
  stateFails = false;
  root = await mkdtemp(join(tmpdir(), 'opsdeck-web-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Opsdeck</title>');
  await writeFile(join(root, 'app.js'), 'console.log(1)');
  hub = new EventHub();
  server = new WebShellServer({ handlers, hub, staticRoot: root });
  await server.listen();
});

afterEach(async () => {
  await server.close();
});

/** A socket that has had its first message (the state the server sends unasked), and that message. */
function openWithFirst(options: { token?: string; origin?: string } = {}): Promise<{ ws: WebSocket; first: unknown }> {
  const token = options.token ?? server.token;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`, {
    headers: { origin: options.origin ?? `http://127.0.0.1:${server.port}` },
  });
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve({ ws, first: JSON.parse(String(data)) }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const open = async (options: { token?: string; origin?: string } = {}): Promise<WebSocket> => (await openWithFirst(options)).ws;

function call(
  ws: WebSocket,
  frame: unknown,
): Promise<{ t: string; id: number; result: { ok: boolean; error?: { code: string; message: string }; value?: unknown } }> {
  return new Promise((resolve) => {
    ws.on('message', function onMessage(data) {
      const message = JSON.parse(String(data));
      if (message.t === 'result') {
        ws.off('message', onMessage);
        resolve(message);
      }
    });
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('browser shell bridge', () => {
  it('prints a loopback URL carrying the token in the fragment', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=[A-Za-z0-9_-]{32}$`));
  });

  it('refuses a socket without the token, with a wrong token, or from another origin', async () => {
    await expect(open({ token: '' })).rejects.toThrow('HTTP 401');
    await expect(open({ token: 'x'.repeat(32) })).rejects.toThrow('HTTP 401');
    await expect(open({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(open({ origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow('HTTP 403');
    expect(received).toEqual([]);
  });

  it('sends the fleet and its current state first on every socket, unasked', async () => {
    for (let i = 0; i < 2; i++) {
      const { ws, first } = await openWithFirst();
      expect(first).toEqual({ t: 'event', name: 'onSnapshot', payload: { fleet: FLEET, snapshot: SNAPSHOT } });
      ws.close();
    }
  });

  it('closes a socket it has no state for, with the reason, rather than leave the page empty', async () => {
    stateFails = true;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(server.token)}`, {
      headers: { origin: `http://127.0.0.1:${server.port}` },
    });
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    expect(closed).toEqual({ code: 1011, reason: 'no state to send: getFleet: state store unreadable' });
  });

  it('routes a valid call to its handler and answers with a Result under the same id', async () => {
    const ws = await open();
    const reply = await call(ws, { t: 'call', id: 7, name: 'pollNow', payload: { deploymentId: 'prod' } });
    expect(reply).toEqual({ t: 'result', id: 7, result: { ok: true, value: { scheduled: true } } });
    expect(received).toEqual([{ name: 'pollNow', payload: { deploymentId: 'prod' } }]);
    ws.close();
  });

  it('rejects a bad payload with a message naming the field, and never calls the handler', async () => {
    const ws = await open();
    const reply = await call(ws, { t: 'call', id: 1, name: 'pollNow', payload: { deploymentId: 'Prod; rm -rf /' } });
    expect(reply.result.ok).toBe(false);
    expect(reply.result.error?.code).toBe('bad-request');
    expect(reply.result.error?.message).toMatch(/^pollNow: deploymentId: deployment id must be/);
    const extra = await call(ws, {
      t: 'call',
      id: 2,
      name: 'previewAction',
      payload: { actionId: 'service.restart', params: {}, hostIds: ['a'], shell: 'rm -rf /' },
    });
    expect(extra.result.error?.message).toMatch(/previewAction: .*shell|Unrecognized key/);
    expect(received).toEqual([]);
    ws.close();
  });

  it('answers an unknown call by name, and a throwing handler as an internal error', async () => {
    const ws = await open();
    const unknown = await call(ws, { t: 'call', id: 3, name: 'runShell', payload: {} });
    expect(unknown.result).toEqual({ ok: false, error: { code: 'unknown-call', message: 'unknown call "runShell"' } });
    const proto = await call(ws, { t: 'call', id: 4, name: '__proto__', payload: {} });
    expect(proto.result.error?.code).toBe('unknown-call');
    const thrown = await call(ws, { t: 'call', id: 5, name: 'listAudit', payload: { limit: 5 } });
    expect(thrown.result).toEqual({ ok: false, error: { code: 'internal', message: 'listAudit: disk on fire' } });
    ws.close();
  });

  it('drops frames that are not calls without dying', async () => {
    const ws = await open();
    ws.send('not json');
    ws.send(JSON.stringify({ t: 'call', id: 'x', name: 'pollNow' }));
    const reply = await call(ws, { t: 'call', id: 9, name: 'pollNow', payload: { deploymentId: 'prod' } });
    expect(reply.id).toBe(9);
    ws.close();
  });

  it('pushes events to every connected view', async () => {
    const a = await open();
    const b = await open();
    const got = (ws: WebSocket) => new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    const both = Promise.all([got(a), got(b)]);
    hub.emit('onConnection', { updates: [] });
    expect(await both).toEqual([
      { t: 'event', name: 'onConnection', payload: { updates: [] } },
      { t: 'event', name: 'onConnection', payload: { updates: [] } },
    ]);
    a.close();
    b.close();
  });

  it('serves the renderer with a CSP and never a file outside its folder', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('<title>Opsdeck</title>');
    expect((await fetch(`${base}/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    const escape = await fetch(`${base}/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await escape.text()).not.toContain('root:');
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });

  it('sends the same policy the page carries in its meta tag', async () => {
    const { readFile } = await import('node:fs/promises');
    const { CONTENT_SECURITY_POLICY } = await import('../../common/csp');
    const html = await readFile(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
  });

  it('never follows a symlink out of its folder, and still serves one that stays inside', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'opsdeck-web-outside-'));
    await writeFile(join(outside, 'secret.js'), 'the private key');
    await symlink(join(outside, 'secret.js'), join(root, 'leak.js'));
    await symlink(outside, join(root, 'assets'));
    await mkdir(join(root, 'real'));
    await writeFile(join(root, 'real', 'chunk.js'), 'console.log(2)');
    await symlink(join(root, 'real', 'chunk.js'), join(root, 'alias.js'));
    const base = `http://127.0.0.1:${server.port}`;
    for (const path of ['/leak.js', '/assets/secret.js']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(403);
      expect(await res.text()).not.toContain('private key');
    }
    const inside = await fetch(`${base}/alias.js`);
    expect(inside.status).toBe(200);
    expect(await inside.text()).toBe('console.log(2)');
  });

  /** a raw request with the Host header we choose (fetch will not send a forged one) */
  function get(host: string, path = '/'): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers only requests that name it as 127.0.0.1 or localhost on its port', async () => {
    expect((await get(`127.0.0.1:${server.port}`)).status).toBe(200);
    expect((await get(`localhost:${server.port}`)).status).toBe(200);
    for (const host of [
      'attacker.example',
      `attacker.example:${server.port}`,
      '127.0.0.1',
      `127.0.0.1:${server.port + 1}`,
      `localhost.attacker.example:${server.port}`,
    ]) {
      const res = await get(host, '/app.js');
      expect(res.status, host).toBe(421);
      expect(res.body).not.toContain('console.log');
    }
  });

  it('refuses a socket whose Host header is not its own, even with the token and origin right', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(server.token)}`, {
      headers: { origin: `http://127.0.0.1:${server.port}`, host: `rebind.attacker.example:${server.port}` },
    });
    const status = await new Promise<number>((resolve) => {
      ws.once('open', () => resolve(101));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
    expect(status).toBe(421);
  });
});
