import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { describeIssue, ENDPOINT_PATHS, ENDPOINTS, type Endpoint } from '../common/health';
import { AutotraderModel } from './autotraderModel';
import { systemClock, type Clock } from './clock';
import { DEFAULT_SLOW_MS, FAULT_KINDS, FaultBoard, FaultRequest, OVERSIZED_BYTES, resolveEndpoint, withOneBadItem, type Fault } from './faults';
import { SCENARIO_DESCRIPTIONS, SCENARIOS, UNITS, type ScenarioName } from './scenarios';
import { silentLogger, type Logger } from '../common/logger';
import { SimStateDir } from './simStateDir';
import { ExtraItemsRequest, withExtraItems, type ExtraItem } from './extraItems';

export interface SimServerOptions {
  /** Default 127.0.0.1. The control API binds wherever the server binds. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  clock?: Clock;
  /** Initial scenario when no --state-dir scenario is persisted. */
  scenario?: ScenarioName;
  /** Cycle through the area scenarios, this many seconds each. */
  cycleSeconds?: number | null;
  /** The unauthenticated /_sim/ control API; default on. */
  control?: boolean;
  stateDir?: string | null;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** see AutotraderModelOptions.initialUptimeSeconds */
  initialUptimeSeconds?: number;
}

export interface SimServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly model: AutotraderModel;
  readonly faults: FaultBoard;
  close(): Promise<void>;
}

const CONTROL_BODY_LIMIT = 64 * 1024;
const RESET_PATH = /^\/api\/health\/circuit-breakers\/([^/]+)\/reset$/;
const BREAKER_FLIP_PATH = /^\/_sim\/breaker\/([^/]+)$/;
const PATH_TO_ENDPOINT = new Map<string, Endpoint>(ENDPOINTS.map((e) => [ENDPOINT_PATHS[e], e]));

const ScenarioRequest = z.strictObject({ name: z.enum(SCENARIOS, { message: `name must be one of ${SCENARIOS.join(', ')}` }) });
const BreakerRequest = z.strictObject({
  state: z.enum(['CLOSED', 'OPEN', 'HALF_OPEN'], { message: 'state must be CLOSED, OPEN or HALF_OPEN' }),
  failure_count: z.number().int().nonnegative().max(1_000_000).optional(),
  last_failure: z.string().max(2000).optional(),
});
const RestartRequest = z.strictObject({ unit: z.enum(UNITS, { message: `unit must be one of ${UNITS.join(', ')}` }) });
const CycleRequest = z.strictObject({ seconds: z.number().positive().max(86_400).nullable() });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The autotrader health API simulator: every endpoint of docs/health-api.md, scenarios and
 * faults switchable at run time through /_sim/. node:http only, so it bundles into one file
 * that runs inside the test hosts with nothing but a node binary.
 */
export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const control = options.control ?? true;
  const stateDir = options.stateDir ? new SimStateDir(options.stateDir, logger) : null;
  const persisted = stateDir?.readScenario() ?? null;
  const model = new AutotraderModel({
    clock,
    scenario: persisted ?? options.scenario ?? 'normal',
    ...(options.initialUptimeSeconds === undefined ? {} : { initialUptimeSeconds: options.initialUptimeSeconds }),
    onScenarioChange: (name, since) => {
      logger.info('scenario', { name });
      stateDir?.writeScenario(name, since);
    },
  });
  if (persisted) logger.info('scenario restored from state dir', { name: persisted });
  else stateDir?.writeScenario(model.scenario, model.scenarioSince);
  if (options.cycleSeconds) model.startCycle(options.cycleSeconds);
  const faults = new FaultBoard();
  let extras: readonly ExtraItem[] = [];
  const bodyOf = (endpoint: Endpoint): Record<string, unknown> => withExtraItems(endpoint, model.body(endpoint), extras, new Date(clock.now()).toISOString());

  const syncMarkers = (): void => {
    if (!stateDir) return;
    for (const unit of stateDir.restartedUnits()) {
      logger.info('unit restart marker', { unit });
      model.restartUnit(unit);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const path = url.pathname;
    syncMarkers();
    if (path === '/_sim' || path.startsWith('/_sim/')) {
      if (!control) throw new HttpError(404, `no such endpoint: ${path}`);
      return handleControl(req, res, path, url);
    }
    const reset = RESET_PATH.exec(path);
    if (reset) {
      requireMethod(req, res, ['POST']);
      const name = decodePathPart(reset[1] ?? '');
      if (!model.isBreakerName(name)) throw new HttpError(404, `no circuit breaker named ${JSON.stringify(name)}; known: ${model.breakerNames().join(', ')}`);
      const breaker = model.resetBreaker(name);
      logger.info('breaker reset', { name });
      return sendJson(res, 200, { name, reset: true, breaker });
    }
    const endpoint = PATH_TO_ENDPOINT.get(path.length > 1 ? path.replace(/\/$/, '') : path);
    if (!endpoint) throw new HttpError(404, `no such endpoint: ${path}`);
    requireMethod(req, res, ['GET', 'HEAD']);
    const fault = faults.for(endpoint);
    if (fault) return serveWithFault(req, res, endpoint, fault);
    return sendJson(res, 200, bodyOf(endpoint));
  };

  const serveWithFault = async (req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, fault: Fault): Promise<void> => {
    switch (fault.kind) {
      case 'slow':
        await sleepUnlessClosed(fault.ms, res);
        if (res.destroyed) return;
        return sendJson(res, 200, model.body(endpoint));
      case 'http-500':
        return sendJson(res, 500, { error: 'simulated internal server error (fault http-500)' });
      case 'reset':
        // an RST, not a FIN: the client sees ECONNRESET mid-request
        req.socket.resetAndDestroy();
        return;
      case 'malformed-json': {
        const text = JSON.stringify(model.body(endpoint));
        return sendText(res, 200, text.slice(0, Math.floor(text.length * 0.4)), 'application/json; charset=utf-8');
      }
      case 'oversized':
        return sendOversized(res, model.body(endpoint));
      case 'bad-item':
        return sendJson(res, 200, withOneBadItem(endpoint, model.body(endpoint)));
      case 'hang':
        // never answer; the socket is destroyed when the client gives up or the server closes
        return;
    }
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> => {
    if (path === '/_sim/state') {
      requireMethod(req, res, ['GET', 'HEAD']);
      return sendJson(res, 200, state());
    }
    if (path === '/_sim/scenario') {
      requireMethod(req, res, ['POST']);
      const { name } = parseWith(ScenarioRequest, await readJson(req));
      model.setScenario(name);
      return sendJson(res, 200, state());
    }
    if (path === '/_sim/cycle') {
      requireMethod(req, res, ['POST']);
      const { seconds } = parseWith(CycleRequest, await readJson(req));
      if (seconds === null) model.setScenario(model.scenario);
      else model.startCycle(seconds);
      return sendJson(res, 200, state());
    }
    if (path === '/_sim/fault') {
      requireMethod(req, res, ['POST', 'DELETE']);
      if (req.method === 'DELETE') {
        const only = url.searchParams.get('endpoint');
        const endpoint = only === null ? undefined : resolveEndpointOr400(only);
        faults.clear(endpoint);
        logger.info('faults cleared', { endpoint: endpoint ?? 'all' });
        return sendJson(res, 200, state());
      }
      const request = parseWith(FaultRequest, await readJson(req));
      const endpoint = request.endpoint === undefined ? null : resolveEndpointOr400(request.endpoint);
      faults.set({ kind: request.kind, endpoint, ms: request.ms ?? DEFAULT_SLOW_MS });
      logger.info('fault set', { kind: request.kind, endpoint: endpoint ?? 'all' });
      return sendJson(res, 200, state());
    }
    if (path === '/_sim/items') {
      requireMethod(req, res, ['POST']);
      extras = parseWith(ExtraItemsRequest, await readJson(req)).items;
      logger.info('extra items set', { count: extras.length });
      return sendJson(res, 200, { items: extras.length });
    }
    if (path === '/_sim/restart') {
      requireMethod(req, res, ['POST']);
      const { unit } = parseWith(RestartRequest, await readJson(req));
      model.restartUnit(unit);
      return sendJson(res, 200, state());
    }
    const flip = BREAKER_FLIP_PATH.exec(path);
    if (flip) {
      requireMethod(req, res, ['POST']);
      const name = decodePathPart(flip[1] ?? '');
      if (!model.isBreakerName(name)) throw new HttpError(404, `no circuit breaker named ${JSON.stringify(name)}; known: ${model.breakerNames().join(', ')}`);
      const request = parseWith(BreakerRequest, await readJson(req));
      const opts: { failureCount?: number; lastFailure?: string } = {};
      if (request.failure_count !== undefined) opts.failureCount = request.failure_count;
      if (request.last_failure !== undefined) opts.lastFailure = request.last_failure;
      const breaker = model.forceBreaker(name, request.state, opts);
      logger.info('breaker flipped', { name, state: request.state });
      return sendJson(res, 200, { name, breaker });
    }
    throw new HttpError(
      404,
      `no such control endpoint: ${path} (known: GET /_sim/state, POST /_sim/scenario, POST /_sim/cycle, POST|DELETE /_sim/fault, POST /_sim/restart, POST /_sim/items, POST /_sim/breaker/{name})`,
    );
  };

  const state = (): Record<string, unknown> => ({
    scenario: model.scenario,
    scenario_since: new Date(model.scenarioSince).toISOString(),
    scenarios: SCENARIOS.map((name) => ({ name, description: SCENARIO_DESCRIPTIONS[name] })),
    cycle: model.cycle ? { seconds: model.cycle.seconds, started_at: new Date(model.cycle.startedAt).toISOString() } : null,
    faults: faults.list().map((f) => ({ kind: f.kind, endpoint: f.endpoint, ms: f.kind === 'slow' ? f.ms : undefined })),
    fault_kinds: FAULT_KINDS,
    breakers: model.body('circuitBreakers').breakers,
    state_dir: stateDir?.dir ?? null,
    now: new Date(clock.now()).toISOString(),
  });

  const server: Server = createServer({ noDelay: true, keepAlive: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      logger.warn('request failed', { url: req.url, error: String(error) });
      sendJson(res, 500, { error: `internal error: ${String(error)}` });
    });
  });
  // Keep-alive across polls: pollers reuse one connection (often an SSH forward channel).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    model,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // hung and kept-alive connections would hold close() open forever
        server.closeAllConnections();
      }),
  };
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `bad percent-encoding in path: ${JSON.stringify(part.slice(0, 100))}`);
  }
}

function resolveEndpointOr400(name: string): Endpoint {
  const endpoint = resolveEndpoint(name);
  if (!endpoint) throw new HttpError(400, `endpoint ${JSON.stringify(name)} is not one of ${ENDPOINTS.join(', ')} (or their /api/health paths)`);
  return endpoint;
}

function requireMethod(req: IncomingMessage, res: ServerResponse, allowed: string[]): void {
  if (allowed.includes(req.method ?? '')) return;
  res.setHeader('Allow', allowed.join(', '));
  throw new HttpError(405, `method ${req.method} not allowed here; use ${allowed.join(' or ')}`);
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `bad request body: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > CONTROL_BODY_LIMIT) throw new HttpError(413, `request body over ${CONTROL_BODY_LIMIT} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not JSON: ${(error as Error).message}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function sendText(res: ServerResponse, status: number, text: string, type: string): void {
  const bytes = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length, 'Cache-Control': 'no-store' });
  res.end(bytes);
}

/**
 * Valid JSON over the cap, sent chunked with no Content-Length, so a client has to count the
 * bytes as they arrive rather than trust a header.
 */
function sendOversized(res: ServerResponse, body: Record<string, unknown>): void {
  const text = JSON.stringify({ ...body, padding: 'x'.repeat(OVERSIZED_BYTES) });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  const chunk = 64 * 1024;
  let offset = 0;
  const pump = (): void => {
    while (offset < text.length) {
      const ok = res.write(text.slice(offset, offset + chunk));
      offset += chunk;
      if (!ok) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => res.off('drain', pump));
  pump();
}

function sleepUnlessClosed(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
    res.on('close', done);
  });
}
