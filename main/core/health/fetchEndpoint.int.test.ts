// fetchEndpoint against a real HTTP server, for what the simulator's faults do not send: an
// informational 1xx before the answer, and the connection kept (not torn down) after an HTTP
// error, which undici's handler API leaves to us.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchEndpoint, HealthFetchError } from './fetchEndpoint';

let server: Server;
let origin: string;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hints') {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    } else if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here '.repeat(100));
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2000' });
      res.end('"' + 'x'.repeat(1998) + '"');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"n":1}');
    }
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('fetchEndpoint', () => {
  it('an informational 103 before the answer is not taken for the answer', async () => {
    const dispatcher = new Client(origin);
    try {
      await expect(fetchEndpoint({ dispatcher, origin, path: '/hints', timeoutMs: 5_000, maxBodyBytes: 1024 })).resolves.toBe('{"status":"ok"}');
    } finally {
      await dispatcher.close();
    }
  });

  it('an HTTP error is named and the connection serves the next poll; a body over the cap is refused before it is read', async () => {
    const dispatcher = new Client(origin, { keepAliveTimeout: 10_000 });
    const before = connections;
    try {
      const missing = fetchEndpoint({ dispatcher, origin, path: '/missing', timeoutMs: 5_000, maxBodyBytes: 1024 });
      await expect(missing).rejects.toBeInstanceOf(HealthFetchError);
      await expect(missing).rejects.toMatchObject({ kind: 'http', message: 'HTTP 404' });
      await expect(fetchEndpoint({ dispatcher, origin, path: '/ok', timeoutMs: 5_000, maxBodyBytes: 1024 })).resolves.toBe('{"n":1}');
      expect(connections - before).toBe(1);
      await expect(fetchEndpoint({ dispatcher, origin, path: '/big', timeoutMs: 5_000, maxBodyBytes: 1024 })).rejects.toMatchObject({
        kind: 'too-large',
        message: 'body of 2000 bytes is over the 1024-byte cap',
      });
      // and the client is still usable afterwards (on a new connection)
      await expect(fetchEndpoint({ dispatcher, origin, path: '/ok', timeoutMs: 5_000, maxBodyBytes: 1024 })).resolves.toBe('{"n":1}');
    } finally {
      await dispatcher.close();
    }
  });
});
