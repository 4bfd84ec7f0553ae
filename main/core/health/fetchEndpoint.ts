// One GET of one health endpoint, with every way a hostile or broken API can fail turned into
// a named error kind: the panel shows the kind and message, the poller backs off.
import type { Dispatcher } from 'undici';
import type { HealthErrorKind } from '../../../common/contract';
import { systemTimers, type Timers } from '../clock';
import { lookupTable } from '../../../common/emptyRecord';

export class HealthFetchError extends Error {
  constructor(
    readonly kind: HealthErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'HealthFetchError';
  }
}

export interface FetchOptions {
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  readonly path: string;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** the whole request's deadline is kept on these (the poller passes its own) */
  readonly timers?: Timers;
}

const CODE_KINDS: Record<string, HealthErrorKind> = lookupTable({
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_SOCKET: 'reset',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_CLOSED: 'reset',
  ECONNREFUSED: 'connect',
  EHOSTUNREACH: 'connect',
  ENETUNREACH: 'connect',
  ENOTFOUND: 'connect',
  EAI_AGAIN: 'connect',
});

function classify(error: unknown, timedOut: boolean): HealthFetchError {
  if (error instanceof HealthFetchError) return error;
  if (timedOut) return new HealthFetchError('timeout', 'no complete answer within the timeout');
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code ?? err?.cause?.code ?? '';
  const kind = CODE_KINDS[code] ?? 'connect';
  const message = err?.cause?.message ?? err?.message ?? String(error);
  return new HealthFetchError(kind, code ? `${code}: ${message}` : message);
}

/** The body as JSON, or a 'bad-json' HealthFetchError. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HealthFetchError('bad-json', `not JSON: ${(error as Error).message.slice(0, 120)}`);
  }
}

/**
 * GET origin+path and return the body's text (the poller compares it with the last one before
 * it parses it: see parseJsonBody). Throws HealthFetchError.
 *
 * Written against undici's handler API rather than request(): a poll's body is a few hundred
 * bytes, and request()'s body stream, async iterator and AbortSignal listeners were a visible
 * part of the CPU of 80 polls a second (docs/benchmarks.md, poll-processing).
 */
export function fetchEndpoint(options: FetchOptions): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    let controller: Dispatcher.DispatchController | null = null;
    let status = 0;
    let size = 0;
    const chunks: Buffer[] = [];
    const timers = options.timers ?? systemTimers;
    const settle = (error: unknown, text = ''): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(timer);
      if (error === null) resolve(text);
      else reject(classify(error, timedOut));
    };
    /** give up on this request: the answer is an error, and the connection cannot be reused */
    const abort = (error: HealthFetchError): void => {
      settle(error);
      if (controller && !controller.aborted) controller.abort(error);
    };
    const timer = timers.setTimeout(() => {
      timedOut = true;
      abort(new HealthFetchError('timeout', 'no complete answer within the timeout'));
    }, options.timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctl) {
        controller = ctl;
        // timed out while it waited for the connection: do not send it now
        if (settled) ctl.abort(new HealthFetchError('timeout', 'no complete answer within the timeout'));
      },
      onResponseStart(_ctl, statusCode, headers) {
        // 1xx (103 Early Hints, 100 Continue) come through here too: the final answer follows
        if (statusCode < 200) return;
        status = statusCode;
        if (statusCode < 200 || statusCode >= 300) {
          // the rest of the body is read and dropped by undici, so the connection stays usable
          settle(new HealthFetchError('http', `HTTP ${statusCode}`));
          return;
        }
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
          abort(new HealthFetchError('too-large', `body of ${declared} bytes is over the ${options.maxBodyBytes}-byte cap`));
        }
      },
      onResponseData(_ctl, chunk) {
        if (settled) return;
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          abort(new HealthFetchError('too-large', `body over the ${options.maxBodyBytes}-byte cap`));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (status < 200 || status >= 300) return;
        // a health answer is almost always one chunk: decode it where it is, without a copy
        settle(null, (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8'));
      },
      onResponseError(_ctl, error) {
        settle(error);
      },
    };
    try {
      options.dispatcher.dispatch(
        {
          origin: options.origin,
          path: options.path,
          method: 'GET',
          headers: { accept: 'application/json' },
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        },
        handler,
      );
    } catch (error) {
      settle(error);
    }
  });
}
