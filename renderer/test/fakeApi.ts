// A stand-in for main in component tests: each call answers what the test gives it (else a
// "not-found" failure naming the call), and events are emitted by the test. The real main,
// over the real WebSocket, is what the browser-shell e2e specs drive; here the question is
// only what the page shows and sends.
import { vi } from 'vitest';
import type { CallName, EventName, EventPayload, OpsApi } from '../../common/contract';

type Answers = { [N in CallName]?: (request: Parameters<OpsApi[N]>[0]) => Awaited<ReturnType<OpsApi[N]>> };

export interface FakeApi {
  api: OpsApi;
  /** the requests each call received, in order */
  calls: (name: CallName) => unknown[];
  emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void;
}

export function fakeApi(answers: Answers): FakeApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const seen = new Map<string, unknown[]>();
  // eslint-disable-next-line no-restricted-syntax -- the proxy's target is never read: every name goes through get()
  const api = new Proxy({} as Record<string, unknown>, {
    get(_target, name: string) {
      if (name === 'on') {
        return (event: string, listener: (payload: unknown) => void) => {
          const set = listeners.get(event) ?? new Set();
          set.add(listener);
          listeners.set(event, set);
          return () => set.delete(listener);
        };
      }
      if (name === 'then') return undefined;
      return vi.fn(async (request: unknown) => {
        seen.set(name, [...(seen.get(name) ?? []), request]);
        const answer = (answers as Record<string, ((r: unknown) => unknown) | undefined>)[name];
        return answer ? answer(request) : { ok: false, error: { code: 'not-found', message: `${name} has no answer in this test` } };
      });
    },
  }) as unknown as OpsApi;
  return {
    api,
    calls: (name) => seen.get(name) ?? [],
    emit: (name, payload) => listeners.get(name)?.forEach((l) => l(payload)),
  };
}
