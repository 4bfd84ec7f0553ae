// Builders for EndpointState values in selector tests: plain data in the contract's shape.
import type { EndpointState } from '../../../../common/contract';
import type { Endpoint } from '../../../../common/health';
import { recordFrom } from '../../../../common/emptyRecord';

export const NOW = Date.parse('2026-11-26T12:00:00Z');
export const iso = (offsetSeconds: number): string => new Date(NOW + offsetSeconds * 1000).toISOString();

export function endpointState(endpoint: Endpoint, items: Record<string, unknown>, overrides: Partial<EndpointState> = {}): EndpointState {
  return {
    deploymentId: 'prod' as EndpointState['deploymentId'],
    endpoint,
    status: 'ok',
    error: null,
    polledAt: iso(-1),
    lastGoodAt: iso(-1),
    intervalMs: 5000,
    nextPollAt: iso(4),
    latencyMs: 4,
    meta: {},
    items: recordFrom(
      Object.entries(items).map(([name, value]) => [
        name,
        typeof value === 'string' ? { ok: false as const, why: value } : { ok: true as const, value: value as Record<string, unknown> },
      ]),
    ),
    ...overrides,
  };
}
