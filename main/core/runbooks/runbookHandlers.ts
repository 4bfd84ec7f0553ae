// The contract's runbook calls, served from the library. app.ts spreads these into its handlers.
import type { CallHandlers } from '../../../common/contract';
import type { RunbookLibrary } from './RunbookLibrary';

export function runbookHandlers(library: RunbookLibrary): Pick<CallHandlers, 'listRunbooks' | 'getRunbook' | 'searchRunbooks'> {
  return {
    listRunbooks: async () => ({ runbooks: library.list(), problems: [...library.problems] }),
    getRunbook: async (request) => library.get(request.id),
    searchRunbooks: async (request) => library.search(request.query, request.limit ?? 20),
  };
}
