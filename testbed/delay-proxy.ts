// A userspace WAN link for tests and benches: a TCP proxy that holds each direction's bytes
// for a fixed one-way delay (12.5 ms each way = 25 ms round trip). The kernel here has no
// netem, and a proxy is enough for SSH and HTTP (see ../docs/testbed.md).
//
// Faithful where it matters for an SSH client: per-direction delay with byte order kept,
// TCP_NODELAY on both legs (else delayed ACKs add ~40 ms per exchange), the upstream connect
// itself takes one one-way delay (a server that speaks first is heard a full round trip after
// connect), half-close and resets are passed on after the delay, and a cut link goes silent
// without losing bytes, as TCP would retransmit them once the link is back.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface DelayProxyOptions {
  /** where connections are forwarded */
  target: { host: string; port: number };
  /** one-way delay per direction, in ms (the round trip is twice this) */
  delayMs: number;
  /** default 127.0.0.1 */
  listenHost?: string;
  /** default 0: a free port */
  listenPort?: number;
  /** bytes held per direction before the sender is paused (default 8 MiB) */
  maxBufferedBytes?: number;
}

export interface DelayProxyStats {
  /** connections currently open */
  readonly open: number;
  /** connections accepted since start */
  readonly accepted: number;
  /** bytes delivered client->target and target->client */
  readonly bytesUp: number;
  readonly bytesDown: number;
}

export interface DelayProxy {
  readonly host: string;
  readonly port: number;
  readonly stats: DelayProxyStats;
  /** the one-way delay for bytes sent from now on */
  setDelay(delayMs: number): void;
  /** the link goes silent: nothing is delivered (new connections included) until heal() */
  cut(): void;
  /** the link is back: held bytes are delivered in order */
  heal(): void;
  /** resets every open connection (both ends see ECONNRESET); keeps listening */
  dropConnections(): void;
  /** stops listening and resets every open connection */
  stop(): Promise<void>;
}

type Item = { at: number; chunk: Buffer } | { at: number; end: true } | { at: number; reset: true };

function assertDelay(delayMs: number): void {
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 60_000) {
    throw new Error(`delayMs must be a number from 0 to 60000, got ${delayMs}`);
  }
}

/** One direction of one connection: a queue of chunks, each released at its due time. */
class DelayLine {
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  delivered = 0;

  constructor(
    private readonly from: Socket,
    private to: Socket | null,
    private readonly link: Link,
    private readonly maxBufferedBytes: number,
  ) {
    to?.on('drain', () => this.maybeResume());
  }

  /** the far end is connected: start delivering */
  attach(to: Socket): void {
    this.to = to;
    to.on('drain', () => this.maybeResume());
    this.schedule();
  }

  push(item: Item): void {
    if (this.finished) return;
    this.queue.push(item);
    if ('chunk' in item) {
      this.queuedBytes += item.chunk.length;
      if (this.queuedBytes > this.maxBufferedBytes) this.from.pause();
    }
    this.schedule();
  }

  schedule(): void {
    if (this.timer || !this.to || this.link.isCut || this.queue.length === 0) return;
    const head = this.queue[0]!;
    // Never early: round the wait up to the timer's millisecond granularity.
    const wait = Math.max(0, Math.ceil(head.at - performance.now()));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    const to = this.to;
    if (!to || this.link.isCut) return;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const item = this.queue.shift()!;
      if ('chunk' in item) {
        this.queuedBytes -= item.chunk.length;
        this.delivered += item.chunk.length;
        if (!to.destroyed) to.write(item.chunk);
      } else if ('end' in item) {
        this.finished = true;
        if (!to.destroyed) to.end();
      } else {
        this.finished = true;
        if (!to.destroyed) to.resetAndDestroy();
      }
    }
    this.maybeResume();
    this.schedule();
  }

  private maybeResume(): void {
    const pending = this.queuedBytes + (this.to?.writableLength ?? 0);
    if (this.from.isPaused() && pending < this.maxBufferedBytes / 2) this.from.resume();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.finished = true;
    this.queue.length = 0;
  }
}

interface Link {
  readonly isCut: boolean;
  delayMs: number;
}

interface Connection {
  readonly client: Socket;
  upstream: Socket | null;
  readonly up: DelayLine;
  down: DelayLine | null;
}

/** Starts the proxy; resolves once it listens. */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  assertDelay(options.delayMs);
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const link = { isCut: false, delayMs: options.delayMs };
  const connections = new Set<Connection>();
  const pendingDials = new Set<() => void>();
  let accepted = 0;
  let closedUp = 0;
  let closedDown = 0;
  const due = () => performance.now() + link.delayMs;

  const handle = (client: Socket) => {
    accepted += 1;
    client.setNoDelay(true);
    const conn: Connection = { client, upstream: null, up: new DelayLine(client, null, link, maxBuffered), down: null };
    connections.add(conn);

    const maybeFinished = () => {
      if (!client.destroyed || (conn.upstream && !conn.upstream.destroyed)) return;
      if (!connections.delete(conn)) return;
      conn.up.stop();
      conn.down?.stop();
      closedUp += conn.up.delivered;
      closedDown += conn.down?.delivered ?? 0;
    };

    client.on('data', (chunk: Buffer) => conn.up.push({ at: due(), chunk }));
    client.on('end', () => conn.up.push({ at: due(), end: true }));
    client.on('error', () => conn.up.push({ at: due(), reset: true }));
    client.on('close', maybeFinished);

    const dial = () => {
      if (client.destroyed) return;
      if (link.isCut) {
        pendingDials.add(dial);
        return;
      }
      const upstream = connect({ host: options.target.host, port: options.target.port, noDelay: true, allowHalfOpen: true });
      const down = new DelayLine(upstream, client, link, maxBuffered);
      conn.upstream = upstream;
      conn.down = down;
      upstream.on('connect', () => conn.up.attach(upstream));
      upstream.on('data', (chunk: Buffer) => down.push({ at: due(), chunk }));
      upstream.on('end', () => down.push({ at: due(), end: true }));
      upstream.on('error', () => {
        down.push({ at: due(), reset: true });
        conn.up.stop();
      });
      upstream.on('close', maybeFinished);
    };
    // The SYN travels one way before the target sees the connection.
    setTimeout(dial, Math.ceil(link.delayMs));
  };

  const server: Server = createServer({ noDelay: true, allowHalfOpen: true }, handle);
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort ?? 0, options.listenHost ?? '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolvePromise();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('delay proxy: no TCP address');

  const resetAll = () => {
    pendingDials.clear();
    for (const conn of connections) {
      conn.up.stop();
      conn.down?.stop();
      conn.client.resetAndDestroy();
      conn.upstream?.resetAndDestroy();
    }
  };

  return {
    host: address.address,
    port: address.port,
    get stats(): DelayProxyStats {
      let bytesUp = closedUp;
      let bytesDown = closedDown;
      for (const conn of connections) {
        bytesUp += conn.up.delivered;
        bytesDown += conn.down?.delivered ?? 0;
      }
      return { open: connections.size, accepted, bytesUp, bytesDown };
    },
    setDelay(delayMs: number) {
      assertDelay(delayMs);
      link.delayMs = delayMs;
    },
    cut() {
      link.isCut = true;
    },
    heal() {
      link.isCut = false;
      for (const dial of [...pendingDials]) {
        pendingDials.delete(dial);
        dial();
      }
      for (const conn of connections) {
        conn.up.schedule();
        conn.down?.schedule();
      }
    },
    dropConnections: resetAll,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        resetAll();
        server.close(() => resolvePromise());
      }),
  };
}
