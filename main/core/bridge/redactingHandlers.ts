import type { CallHandlers } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import { emptyRecord } from '../../../common/emptyRecord';

/**
 * Whatever a handler throws reaches the renderer as a message: an unexpected error can quote a
 * command's output or a file's contents, so its text passes the redactor on the way out.
 */
export function redactingHandlers(handlers: CallHandlers, redact: (text: string) => string): CallHandlers {
  const wrapped = emptyRecord<(request: never) => Promise<unknown>>();
  for (const [name, handler] of Object.entries(handlers) as [string, (request: never) => Promise<unknown>][]) {
    wrapped[name] = async (request) => {
      try {
        return await handler(request);
      } catch (error) {
        if (error instanceof OpsFailure) throw new OpsFailure(error.code, redact(error.message));
        throw new Error(redact(error instanceof Error ? error.message : String(error)));
      }
    };
  }
  return wrapped as unknown as CallHandlers;
}
