import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startDelayProxy, type DelayProxy } from './delay-proxy';

// Real TCP on loopback: an echo server, a server that speaks first, and the proxy in between.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server: Server = createServer({ noDelay: true, allowHalfOpen: true }, onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  cleanups.push(() => sockets.forEach((s) => s.destroy()));
  return address.port;
}

const echo = (socket: Socket) => {
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('end', () => socket.end());
  socket.on('error', () => {});
};

async function proxyTo(port: number, delayMs: number, maxBufferedBytes?: number): Promise<DelayProxy> {
  const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port }, delayMs, maxBufferedBytes });
  cleanups.push(() => proxy.stop());
  return proxy;
}

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  cleanups.push(() => {
    socket.destroy();
  });
  return socket;
}

/** Next `n` bytes from the socket. */
function read(socket: Socket, n: number, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const timer = setTimeout(() => done(new Error(`read ${have}/${n} bytes before timeout`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      have += chunk.length;
      if (have >= n) done();
    };
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      if (error) reject(error);
      else {
        const all = Buffer.concat(parts);
        if (all.length > n) socket.unshift(all.subarray(n));
        resolve(all.subarray(0, n));
      }
    };
    socket.on('data', onData);
  });
}

async function medianRoundTrip(socket: Socket, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    socket.write(Buffer.from([i]));
    await read(socket, 1);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('delay proxy', () => {
  it('adds the configured round trip (12.5 ms each way = 25 ms) and nothing near it without the proxy', async () => {
    const port = await listen(echo);
    const direct = await medianRoundTrip(await dial(port), 20);
    const proxy = await proxyTo(port, 12.5);
    const delayed = await medianRoundTrip(await dial(proxy.port), 20);
    expect(direct).toBeLessThan(5);
    expect(delayed).toBeGreaterThanOrEqual(25);
    // late only by timer granularity and load; a Nagle/delayed-ACK stall would add about 40 ms
    expect(delayed).toBeLessThan(25 + 15);
  });

  it('a server that speaks first is heard one full round trip after connect, like a real SYN/SYN-ACK path', async () => {
    const port = await listen((socket) => socket.end('SSH-2.0-fake\r\n'));
    const proxy = await proxyTo(port, 20);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      const socket = await dial(proxy.port);
      expect((await read(socket, 14)).toString()).toBe('SSH-2.0-fake\r\n');
      times.push(performance.now() - started);
    }
    // Never early; late only by timer granularity (a Nagle stall would add about 40 ms).
    expect(Math.min(...times)).toBeGreaterThanOrEqual(40);
    expect(times.sort((a, b) => a - b)[3]).toBeLessThan(40 + 15);
  });

  it('delivers 4 MiB each way intact and in order, pausing the sender when its buffer is full', async () => {
    const port = await listen(echo);
    const proxy = await proxyTo(port, 5, 64 * 1024);
    const socket = await dial(proxy.port);
    const payload = randomBytes(4 * 1024 * 1024);
    const received = read(socket, payload.length, 30_000);
    socket.write(payload);
    expect(sha(await received)).toBe(sha(payload));
    expect(proxy.stats.bytesUp).toBe(payload.length);
    expect(proxy.stats.bytesDown).toBe(payload.length);
  });

  it('passes a half-close on: the target can still answer after the client stops sending', async () => {
    const port = await listen((socket) => {
      const parts: Buffer[] = [];
      socket.on('data', (c) => parts.push(c));
      socket.on('end', () => socket.end(`got ${Buffer.concat(parts).length} bytes`));
    });
    const proxy = await proxyTo(port, 5);
    const socket = await dial(proxy.port);
    socket.end('hello');
    const answer = await new Promise<string>((resolve) => {
      const parts: Buffer[] = [];
      socket.on('data', (c) => parts.push(c));
      socket.on('end', () => resolve(Buffer.concat(parts).toString()));
    });
    expect(answer).toBe('got 5 bytes');
  });

  it('a cut link goes silent without losing bytes; heal delivers them in order', async () => {
    const port = await listen(echo);
    const proxy = await proxyTo(port, 2);
    const socket = await dial(proxy.port);
    socket.write('one');
    expect((await read(socket, 3)).toString()).toBe('one');
    proxy.cut();
    socket.write('two');
    socket.write('three');
    await expect(read(socket, 1, 300)).rejects.toThrow(/before timeout/);
    proxy.heal();
    expect((await read(socket, 8)).toString()).toBe('twothree');
  });

  it('dropConnections resets open connections but keeps listening; stop closes the port', async () => {
    const port = await listen(echo);
    const proxy = await proxyTo(port, 1);
    const socket = await dial(proxy.port);
    socket.write('x');
    await read(socket, 1);
    const closed = new Promise<string | undefined>((resolve) => {
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
      socket.once('close', () => resolve('closed'));
    });
    proxy.dropConnections();
    expect(await closed).toBe('ECONNRESET');
    const again = await dial(proxy.port);
    again.write('y');
    expect((await read(again, 1)).toString()).toBe('y');
    await proxy.stop();
    await expect(dial(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a refused target reaches the client as a reset after the delay', async () => {
    const deadPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const refused = await proxyTo(deadPort, 10);
    const socket = await dial(refused.port);
    const started = performance.now();
    const code = await new Promise<string | undefined>((resolve) => {
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
      socket.once('close', () => resolve('closed without error'));
    });
    expect(code).toBe('ECONNRESET');
    // one way for the SYN, one way back for the reset
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });

  it('rejects a nonsense delay with a message naming it', async () => {
    await expect(startDelayProxy({ target: { host: '127.0.0.1', port: 1 }, delayMs: -1 })).rejects.toThrow(/delayMs must be a number from 0 to 60000, got -1/);
  });
});
