// Picks the transport. In Electron the preload exposes `window.opsdeck` (one method per call
// plus `on`); in the browser shell the page was opened as http://127.0.0.1:PORT/#token=T and
// talks to ws://same-host/ws?token=T. The rest of the renderer only sees OpsApi.
import { CALL_NAMES, calls, events } from '../../../common/contract';
import type { Logger } from '../../../common/logger';
import type { ErrorCode, Result } from '../../../common/result';
import type { EventName, OpsApi } from '../../../common/contract';
import type { EarlyConnection } from './earlyConnection';
import { takeToken, webSocketUrl } from './sessionToken';
import { createWebSocketApi } from './webSocketApi';
import type { BackendStatus, SocketLike } from './webSocketApi';

export { takeToken, webSocketUrl, type LocationLike } from './sessionToken';

/**
 * Wrap the preload's object (frozen by contextBridge, so a Proxy could not replace its
 * methods) with the checks the WebSocket client makes: answers must match the contract's
 * response schema, events its event schema, and a rejected IPC call becomes a Result.
 */
export function validatingApi(bridge: OpsApi, logger: Pick<Logger, 'warn'> = console): OpsApi {
  // eslint-disable-next-line no-restricted-syntax -- keyed by the contract's own call names, never by outside data
  const api: Record<string, unknown> = {};
  for (const name of CALL_NAMES) {
    api[name] = async (request: unknown): Promise<Result<unknown>> => {
      let result: unknown;
      try {
        result = await (bridge[name] as (r: unknown) => Promise<unknown>)(request);
      } catch (error) {
        return { ok: false, error: { code: 'unavailable', message: `${name}: ${error instanceof Error ? error.message : String(error)}` } };
      }
      const r = result as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } } | null;
      if (r?.ok === true) {
        const parsed = calls[name].response.safeParse(r.value);
        if (parsed.success) return { ok: true, value: parsed.data };
        const issue = parsed.error.issues[0];
        return {
          ok: false,
          error: {
            code: 'internal',
            message: `${name}: answer does not match the contract at ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`,
          },
        };
      }
      if (r?.ok === false && typeof r.error?.code === 'string' && typeof r.error.message === 'string') {
        return { ok: false, error: { code: r.error.code as ErrorCode, message: r.error.message } };
      }
      return { ok: false, error: { code: 'internal', message: `${name}: malformed answer from the preload` } };
    };
  }
  api.on = (name: EventName, listener: (payload: unknown) => void) =>
    bridge.on(name, (payload: unknown) => {
      const parsed = events[name]?.safeParse(payload);
      if (!parsed?.success) {
        logger.warn(`opsdeck: dropped an invalid ${String(name)} event`);
        return;
      }
      listener(parsed.data);
    });
  return api as unknown as OpsApi;
}

export type Transport = { kind: 'electron'; api: OpsApi } | { kind: 'websocket'; api: OpsApi; close: () => void } | { kind: 'none'; reason: string };

/**
 * `early`: the socket the page opened before its code had loaded (boot.ts), used for the first
 * connection; reconnects open their own.
 */
export function openOpsApi(win: Window & { opsdeck?: OpsApi }, onStatus: (status: BackendStatus) => void, early: EarlyConnection | null = null): Transport {
  if (win.opsdeck) {
    onStatus({ state: 'connected' });
    return { kind: 'electron', api: validatingApi(win.opsdeck) };
  }
  let token = early?.token ?? null;
  if (!token) {
    let storage: Storage | null = null;
    try {
      storage = win.sessionStorage;
    } catch {
      storage = null;
    }
    token = takeToken(win.location, win.history, storage);
  }
  if (!token) {
    return { kind: 'none', reason: 'no session token: open the URL the console printed (it ends in #token=…)' };
  }
  let adopt = early?.socket ?? null;
  const api = createWebSocketApi({
    url: webSocketUrl(win.location, token),
    createSocket: (url) => {
      const socket = adopt ?? (new (win as unknown as typeof globalThis).WebSocket(url) as unknown as SocketLike);
      adopt = null;
      return socket;
    },
    onStatus,
  });
  return { kind: 'websocket', api, close: api.close };
}
