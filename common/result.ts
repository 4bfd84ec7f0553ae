// Every call across the main/renderer boundary answers with a Result: an error thrown in an
// IPC handler reaches the page as a bare string, so failures travel as data instead.

export type ErrorCode = 'bad-request' | 'unknown-call' | 'not-found' | 'forbidden' | 'conflict' | 'expired' | 'unavailable' | 'internal';

export interface OpsError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: OpsError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

/** An error with a contract code, thrown inside core services and turned into a Result at the edge. */
export class OpsFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OpsFailure';
  }
}
