// The browser shell: the built renderer over HTTP and the same contract over a WebSocket, on
// loopback only. A random token is required on every socket and the Origin must be this
// server's own, so another page in the user's browser cannot drive the console. Every request,
// page or socket, must name this server in its Host header (127.0.0.1 or localhost on its
// port): a page on a name that rebinds to 127.0.0.1 (DNS rebinding) is refused. Files are
// served by their real path, so a symlink cannot lead out of the renderer's folder.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallHandlers } from '../../common/contract';
import { webShellContentSecurityPolicy } from '../../common/csp';
import type { Logger } from '../../common/logger';
import { dispatchCall } from '../core/bridge/dispatchCall';
import type { EventHub } from '../core/bridge/EventHub';
import { lookupTable } from '../../common/emptyRecord';
import { StaticFiles } from './staticFiles';

const CONTENT_TYPES: Record<string, string> = lookupTable({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
});

const MAX_MESSAGE_BYTES = 1024 * 1024;
/** a view that cannot keep up is cut off (it reconnects and re-reads a snapshot) rather than buffering without bound */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface WebShellOptions {
  readonly handlers: CallHandlers;
  readonly hub: EventHub;
  readonly staticRoot: string;
  readonly host?: string;
  readonly port?: number;
  readonly token?: string;
  readonly logger?: Pick<Logger, 'warn' | 'error'>;
}

export class WebShellServer {
  readonly token: string;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly staticRoot: string;
  /** compressed and cached by the browser (staticFiles.ts) */
  private readonly files = new StaticFiles();
  private unsubscribe: (() => void) | null = null;
  private boundPort = 0;
  /** the renderer folder's real path, symlinks resolved (once, on the first request) */
  private realRoot: string | null = null;

  constructor(private readonly options: WebShellOptions) {
    this.token = options.token ?? randomBytes(24).toString('base64url');
    this.staticRoot = resolve(options.staticRoot);
    this.http = createServer((req, res) => {
      if (!this.hostAllowed(req)) {
        options.logger?.warn(`browser shell refused a request for host ${JSON.stringify(req.headers.host ?? '')}`);
        res.writeHead(421, { 'Content-Type': 'text/plain' }).end(`this server answers only as 127.0.0.1:${this.boundPort} or localhost:${this.boundPort}`);
        return;
      }
      void this.serveStatic(req, res);
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.http.on('upgrade', (req, socket, head) => {
      const refusal = this.checkUpgrade(req);
      if (refusal) {
        options.logger?.warn(`browser shell refused a socket: ${refusal}`);
        socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** The URL to open, token included (in the fragment, so it never reaches a server log). */
  get url(): string {
    return `http://127.0.0.1:${this.boundPort}/#token=${this.token}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolvePromise, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolvePromise());
    });
    this.boundPort = (this.http.address() as AddressInfo).port;
    this.unsubscribe = this.options.hub.subscribe((name, payload) => {
      const frame = JSON.stringify({ t: 'event', name, payload });
      for (const ws of this.sockets) this.send(ws, frame);
    });
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.http.closeAllConnections?.();
    await new Promise<void>((resolvePromise) => this.http.close(() => resolvePromise()));
  }

  /** The Host header names this server: 127.0.0.1 or localhost on its own port, nothing else. */
  private hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return host === `127.0.0.1:${this.boundPort}` || host === `localhost:${this.boundPort}`;
  }

  /** Returns an HTTP status line when the upgrade must be refused. */
  private checkUpgrade(req: IncomingMessage): string | null {
    if (!this.hostAllowed(req)) return '421 Misdirected Request';
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') return '404 Not Found';
    const origin = req.headers.origin;
    const allowed = [`http://127.0.0.1:${this.boundPort}`, `http://localhost:${this.boundPort}`];
    if (!origin || !allowed.includes(origin)) return '403 Forbidden';
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(this.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return '401 Unauthorized';
    return null;
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'text frames only');
        return;
      }
      void this.onMessage(ws, data.toString());
    });
    void this.sendSnapshot(ws);
  }

  /**
   * The first message on every socket, unasked: the fleet and its current state (onSnapshot).
   * The page opens its socket before its own code has run, so the state is waiting for it when
   * it renders; asking would cost a round trip after the code has run, while the page's thread
   * is busy with its first render. Events that go out meanwhile are older than this state or
   * the same, so the page applies them first and loses nothing.
   */
  private async sendSnapshot(ws: WebSocket): Promise<void> {
    const [fleet, snapshot] = await Promise.all([
      dispatchCall(this.options.handlers, 'getFleet', {}, this.options.logger),
      dispatchCall(this.options.handlers, 'getSnapshot', {}, this.options.logger),
    ]);
    if (!fleet.ok || !snapshot.ok) {
      // the page shows the close as its disconnected reason and reconnects (with backoff)
      const failed = fleet.ok ? snapshot : fleet;
      if (!failed.ok) ws.close(1011, `no state to send: ${failed.error.message}`.slice(0, 120));
      return;
    }
    this.send(ws, JSON.stringify({ t: 'event', name: 'onSnapshot', payload: { fleet: fleet.value, snapshot: snapshot.value } }));
  }

  private async onMessage(ws: WebSocket, text: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.options.logger?.warn('browser shell: a frame that is not JSON was dropped');
      return;
    }
    const frame = message as { t?: unknown; id?: unknown; name?: unknown; payload?: unknown };
    if (frame?.t !== 'call' || typeof frame.id !== 'number' || !Number.isSafeInteger(frame.id)) {
      this.options.logger?.warn('browser shell: a frame that is not a call was dropped');
      return;
    }
    const result = await dispatchCall(this.options.handlers, frame.name, frame.payload, this.options.logger);
    this.send(ws, JSON.stringify({ t: 'result', id: frame.id, result }));
  }

  private send(ws: WebSocket, frame: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(frame);
  }

  private async serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Content-Security-Policy', webShellContentSecurityPolicy(this.boundPort));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    if (pathname.includes('\0')) {
      res.writeHead(400).end('bad path');
      return;
    }
    const root = (this.realRoot ??= await realpath(this.staticRoot).catch(() => this.staticRoot));
    const inside = (path: string) => path === root || path.startsWith(root + sep);
    let file = normalize(join(this.staticRoot, pathname));
    if (file !== this.staticRoot && !file.startsWith(this.staticRoot + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    // the path as the file system resolves it, symlinks followed: it must still be inside
    let real = await realpath(file).catch(() => null);
    if (real !== null && !inside(real)) {
      this.options.logger?.warn(`browser shell refused ${JSON.stringify(pathname)}: it leads out of the renderer's folder`);
      res.writeHead(403).end('forbidden');
      return;
    }
    let info = real === null ? null : await stat(real).catch(() => null);
    if (!info || info.isDirectory() || !extname(file)) {
      // the app's own routes fall back to the single page
      file = join(this.staticRoot, 'index.html');
      real = await realpath(file).catch(() => null);
      info = real !== null && inside(real) ? await stat(real).catch(() => null) : null;
    }
    if (!info || !info.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('the renderer is not built: run `npm run build`');
      return;
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    // served from its real path: what was checked above is what is read
    await this.files.send(req, res, real!, info, type, inside);
  }
}
