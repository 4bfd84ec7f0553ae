// One GET of one health endpoint, with every way a hostile or broken API can fail turned into
// a named error kind: the panel shows the kind and message, the poller backs off.
import type { Dispatcher } from 'undici';
import type { HealthErrorKind } from '../../../common/contract';

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
}

const CODE_KINDS: Record<string, HealthErrorKind> = {
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
};

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
 */
export async function fetchEndpoint(options: FetchOptions): Promise<string> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    const response = await options.dispatcher.request({
      origin: options.origin,
      path: options.path,
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: controller.signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const { statusCode, headers, body } = response;
    if (statusCode < 200 || statusCode >= 300) {
      body.resume();
      throw new HealthFetchError('http', `HTTP ${statusCode}`);
    }
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBodyBytes) {
      body.destroy();
      throw new HealthFetchError('too-large', `body of ${declared} bytes is over the ${options.maxBodyBytes}-byte cap`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > options.maxBodyBytes) {
        body.destroy();
        throw new HealthFetchError('too-large', `body over the ${options.maxBodyBytes}-byte cap`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw classify(error, timedOut);
  } finally {
    clearTimeout(timer);
  }
}
