// The one gate every call passes, whichever transport carried it: the call name must be in
// the contract, the payload must match its schema, and whatever the handler throws comes back
// as a Result with a code, never as an exception across the boundary.
import { isCallName, parseRequest, type CallHandlers, type CallName } from '../../../common/contract';
import type { Logger } from '../../../common/logger';
import { OpsFailure, type Result } from '../../../common/result';

export async function dispatchCall(handlers: CallHandlers, name: unknown, payload: unknown, logger?: Pick<Logger, 'warn' | 'error'>): Promise<Result<unknown>> {
  if (!isCallName(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 60)) : typeof name;
    logger?.warn(`refused unknown call ${shown}`);
    return { ok: false, error: { code: 'unknown-call', message: `unknown call ${shown}` } };
  }
  const request = parseRequest(name, payload);
  if (!request.ok) {
    logger?.warn(request.error.message);
    return request;
  }
  try {
    const handler = handlers[name] as (req: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(request.value) };
  } catch (error) {
    if (error instanceof OpsFailure) return { ok: false, error: { code: error.code, message: error.message } };
    logger?.error(`call ${name as CallName} failed`, error);
    return { ok: false, error: { code: 'internal', message: `${name}: ${(error as Error)?.message ?? 'internal error'}` } };
  }
}
