// OpsApi over the browser shell's WebSocket (main/web/). The protocol, one JSON object per
// message:
//   client -> server {"t":"call","id":N,"name":"<call>","payload":{...}}
//   server -> client {"t":"result","id":N,"result":Result} | {"t":"event","name":"<event>","payload":{...}}
// The server is trusted more than the page, but not blindly: results are checked against the
// contract's response schemas and events against its event schemas, and anything that does
// not fit is dropped with a warning instead of reaching the store.
import { calls, events, isCallName, isEventName } from '../../../common/contract';
import type { Logger } from '../../../common/logger';
import type { CallName, EventName, OpsApi } from '../../../common/contract';
import type { Result } from '../../../common/result';

/** The part of the WebSocket API this client uses; the browser's and the `ws` package's both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type BackendStatus =
  { state: 'connecting'; attempt: number } | { state: 'connected' } | { state: 'disconnected'; attempt: number; retryAt: number; reason: string };

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface WebSocketApiOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  timers?: Timers;
  logger?: Pick<Logger, 'warn'>;
  /** first reconnect delay; doubles up to maxBackoffMs, with jitter */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** a call without an answer after this long fails as unavailable */
  callTimeoutMs?: number;
  random?: () => number;
  onStatus?: (status: BackendStatus) => void;
}

export interface WebSocketApi extends OpsApi {
  /** stop reconnecting and close the socket; pending calls fail as unavailable */
  close(): void;
  status(): BackendStatus;
}

const OPEN = 1;
const CONNECTING = 0;
const MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

interface Pending {
  name: CallName;
  message: string;
  resolve: (result: Result<unknown>) => void;
  timer: unknown;
  sent: boolean;
}

const unavailable = (message: string): Result<never> => ({ ok: false, error: { code: 'unavailable', message } });

export function createWebSocketApi(options: WebSocketApiOptions): WebSocketApi {
  const timers = options.timers ?? defaultTimers;
  const logger = options.logger ?? console;
  const random = options.random ?? Math.random;
  const initialBackoff = options.initialBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const callTimeout = options.callTimeoutMs ?? 60_000;

  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let attempt = 0;
  let retryTimer: unknown = null;
  let closed = false;
  let current: BackendStatus = { state: 'connecting', attempt: 0 };

  const setStatus = (status: BackendStatus): void => {
    current = status;
    options.onStatus?.(status);
  };

  const settle = (id: number, result: Result<unknown>): void => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    timers.clearTimeout(call.timer);
    call.resolve(result);
  };

  const failAll = (message: string): void => {
    for (const id of [...pending.keys()]) settle(id, unavailable(message));
  };

  const connect = (): void => {
    if (closed) return;
    setStatus({ state: 'connecting', attempt });
    let ws: SocketLike;
    try {
      ws = options.createSocket(options.url);
    } catch (error) {
      scheduleReconnect(`cannot open WebSocket: ${String(error)}`);
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      setStatus({ state: 'connected' });
      for (const call of pending.values()) {
        if (!call.sent) {
          ws.send(call.message);
          call.sent = true;
        }
      }
    };
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      handleMessage(event.data);
    };
    ws.onerror = () => {
      // The close event that follows carries the outcome; nothing to do here.
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      const code = typeof event === 'object' && event !== null && 'code' in event ? String((event as { code: unknown }).code) : '?';
      failAll('disconnected from console backend');
      scheduleReconnect(`socket closed (code ${code})`);
    };
  };

  const scheduleReconnect = (reason: string): void => {
    if (closed) return;
    attempt += 1;
    const base = Math.min(maxBackoff, initialBackoff * 2 ** Math.min(attempt - 1, 16));
    // Full jitter on half the delay: many tabs reconnecting to one restarted backend spread out.
    const delay = Math.round(base / 2 + (random() * base) / 2);
    setStatus({ state: 'disconnected', attempt, retryAt: timers.now() + delay, reason });
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  const handleMessage = (data: unknown): void => {
    if (typeof data !== 'string') {
      logger.warn('opsdeck: dropped a non-text WebSocket message');
      return;
    }
    if (data.length > MAX_MESSAGE_CHARS) {
      logger.warn(`opsdeck: dropped a ${data.length}-character WebSocket message (cap ${MAX_MESSAGE_CHARS})`);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      logger.warn('opsdeck: dropped a WebSocket message that is not JSON');
      return;
    }
    if (typeof message !== 'object' || message === null) {
      logger.warn('opsdeck: dropped a WebSocket message that is not an object');
      return;
    }
    const m = message as Record<string, unknown>;
    if (m.t === 'result') {
      handleResult(m.id, m.result);
    } else if (m.t === 'event') {
      handleEvent(m.name, m.payload);
    } else {
      logger.warn(`opsdeck: dropped a WebSocket message of unknown type ${JSON.stringify(m.t)}`);
    }
  };

  const handleResult = (id: unknown, result: unknown): void => {
    if (typeof id !== 'number' || !pending.has(id)) {
      logger.warn(`opsdeck: dropped a result for unknown call id ${JSON.stringify(id)}`);
      return;
    }
    const call = pending.get(id)!;
    if (typeof result !== 'object' || result === null) {
      settle(id, { ok: false, error: { code: 'internal', message: `${call.name}: backend sent a malformed result` } });
      return;
    }
    const r = result as Record<string, unknown>;
    if (r.ok === true) {
      const parsed = calls[call.name].response.safeParse(r.value);
      if (parsed.success) {
        settle(id, { ok: true, value: parsed.data });
      } else {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? issue.path.join('.') : 'value';
        settle(id, {
          ok: false,
          error: { code: 'internal', message: `${call.name}: backend answer does not match the contract at ${where}: ${issue?.message ?? 'invalid'}` },
        });
      }
      return;
    }
    const error = r.error as Record<string, unknown> | undefined;
    if (r.ok === false && error && typeof error.code === 'string' && typeof error.message === 'string') {
      settle(id, { ok: false, error: { code: error.code as never, message: error.message } });
      return;
    }
    settle(id, { ok: false, error: { code: 'internal', message: `${call.name}: backend sent a malformed result` } });
  };

  const handleEvent = (name: unknown, payload: unknown): void => {
    if (!isEventName(name)) {
      logger.warn(`opsdeck: dropped an event with unknown name ${JSON.stringify(name)}`);
      return;
    }
    const parsed = events[name].safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      logger.warn(`opsdeck: dropped an invalid ${name} event at ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`);
      return;
    }
    for (const listener of listeners.get(name) ?? []) {
      try {
        listener(parsed.data);
      } catch (error) {
        logger.warn(`opsdeck: a ${name} listener threw`, error);
      }
    }
  };

  const call = (name: CallName, payload: unknown): Promise<Result<unknown>> => {
    if (!isCallName(name)) return Promise.resolve({ ok: false, error: { code: 'unknown-call', message: `unknown call ${String(name)}` } });
    if (closed) return Promise.resolve(unavailable('console backend connection was closed'));
    // Between retries there is no socket: fail at once so a button never hangs. While a socket
    // is opening (start-up, a reconnect attempt) the call waits for it.
    if (!socket || (socket.readyState !== OPEN && socket.readyState !== CONNECTING)) {
      return Promise.resolve(unavailable('disconnected from console backend'));
    }
    const id = nextId++;
    const message = JSON.stringify({ t: 'call', id, name, payload: payload ?? {} });
    return new Promise((resolve) => {
      const timer = timers.setTimeout(
        () =>
          settle(
            id,
            unavailable(`${name}: no answer from console backend in ${callTimeout >= 1000 ? `${Math.round(callTimeout / 1000)} s` : `${callTimeout} ms`}`),
          ),
        callTimeout,
      );
      const entry: Pending = { name, message, resolve, timer, sent: false };
      pending.set(id, entry);
      if (socket && socket.readyState === OPEN) {
        socket.send(message);
        entry.sent = true;
      }
    });
  };

  // eslint-disable-next-line no-restricted-syntax -- keyed by the contract's own call names, never by outside data
  const api: Record<string, unknown> = {};
  for (const name of Object.keys(calls) as CallName[]) {
    api[name] = (request: unknown) => call(name, request);
  }
  api.on = (name: EventName, listener: (payload: unknown) => void) => {
    let set = listeners.get(name);
    if (!set) {
      set = new Set();
      listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  api.close = () => {
    closed = true;
    if (retryTimer !== null) timers.clearTimeout(retryTimer);
    const ws = socket;
    socket = null;
    failAll('console backend connection was closed');
    ws?.close(1000, 'client closed');
  };
  api.status = () => current;

  connect();
  return api as unknown as WebSocketApi;
}
