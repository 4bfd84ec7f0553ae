// The contract's runbook calls, served from the library. app.ts spreads these into its handlers.
import type { CallHandlers } from '../../../common/contract';
import type { RunbookLibrary } from './RunbookLibrary';

export function runbookHandlers(library: RunbookLibrary): Pick<CallHandlers, 'listRunbooks' | 'getRunbook' | 'searchRunbooks'> {
  return {
    // each waits for a load still under way (bootstrap does not hold start-up for it)
    listRunbooks: async () => {
      await library.ready();
      return { runbooks: library.list(), problems: [...library.problems] };
    },
    getRunbook: async (request) => {
      await library.ready();
      return library.get(request.id);
    },
    searchRunbooks: async (request) => {
      await library.ready();
      return library.search(request.query, request.limit ?? 20);
    },
  };
}
