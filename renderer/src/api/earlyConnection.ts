// The socket to the browser shell, opened by the page's boot module (boot.ts) before the rest of
// its code has been evaluated, and held until the app's client (webSocketApi.ts) takes it. The
// server sends the fleet and its state first on every socket, unasked (onSnapshot), so the data
// is usually waiting when the app starts: what arrives before the client's handlers are set is
// kept and handed to them in order. It imports only sessionToken.ts (which imports nothing) and
// types: it runs before zod and React.
import { takeToken, webSocketUrl } from './sessionToken';
import type { SocketLike } from './webSocketApi';

export interface EarlyConnection {
  readonly token: string;
  /** null: the browser refused to open it; the client tries again and reports why it cannot */
  readonly socket: SocketLike | null;
}

type Handler = ((event: never) => void) | null;
type EventKind = 'onopen' | 'onmessage' | 'onerror' | 'onclose';
const KINDS: readonly EventKind[] = ['onopen', 'onmessage', 'onerror', 'onclose'];

/**
 * The socket's events are kept until the client sets its handlers, then delivered in the order
 * they came, on a microtask: the client sets its four handlers in one go and the app binds its
 * listeners in the same task, so nothing kept reaches a half-wired app. After that, at once.
 */
export function holdingSocket(socket: SocketLike, schedule: (fn: () => void) => void = queueMicrotask): SocketLike {
  const held: { kind: EventKind; event: unknown }[] = [];
  const handlers: Record<EventKind, Handler> = { onopen: null, onmessage: null, onerror: null, onclose: null };
  let flushing = false;
  const deliver = (kind: EventKind, event: unknown): void => (handlers[kind] as ((e: unknown) => void) | null)?.(event);
  const flush = (): void => {
    while (held.length > 0) {
      const { kind, event } = held.shift()!;
      deliver(kind, event);
    }
    flushing = false;
  };
  for (const kind of KINDS) {
    socket[kind] = (event: unknown) => {
      // User Timing marks for DevTools: when the page's thread saw the socket open and its
      // first message, which may be well before the app's client takes them
      if (kind === 'onopen') performance.mark('opsdeck:socket-open');
      else if (kind === 'onmessage' && performance.getEntriesByName('opsdeck:first-message').length === 0) performance.mark('opsdeck:first-message');
      if (held.length === 0 && !flushing && handlers[kind]) deliver(kind, event);
      else held.push({ kind, event });
    };
  }
  const wrapper = {
    get readyState() {
      return socket.readyState;
    },
    send: (data: string) => socket.send(data),
    close: (code?: number, reason?: string) => socket.close(code, reason),
  } as SocketLike;
  for (const kind of KINDS) {
    Object.defineProperty(wrapper, kind, {
      get: () => handlers[kind],
      set: (fn: Handler) => {
        handlers[kind] = fn;
        if (held.length > 0 && !flushing) {
          flushing = true;
          schedule(flush);
        }
      },
    });
  }
  return wrapper;
}

/** The browser shell's socket, opened now; null in Electron (its preload is the transport) or without a token. */
export function openEarlyConnection(win: Window & { opsdeck?: unknown }): EarlyConnection | null {
  if (win.opsdeck) return null;
  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  const token = takeToken(win.location, win.history, storage);
  if (!token) return null;
  try {
    return { token, socket: holdingSocket(new (win as unknown as typeof globalThis).WebSocket(webSocketUrl(win.location, token)) as unknown as SocketLike) };
  } catch {
    return { token, socket: null };
  }
}
