// One alert record as the engine emits it, for tests that need an alert and care about a few of
// its fields: a firing critical breaker alert on prod, every other field filled as the contract
// requires. The result is parsed, so an override the contract refuses fails the test that made it.
import { AlertRecord } from './thresholds';

export function alertRecord(over: Partial<AlertRecord> = {}): AlertRecord {
  return AlertRecord.parse({
    id: 'a-1',
    key: 'prod/breaker/coingecko_api',
    deploymentId: 'prod',
    ruleId: 'breaker-state',
    section: 'circuit-breakers',
    endpoint: 'circuitBreakers',
    item: 'coingecko_api',
    title: 'coingecko_api breaker OPEN',
    severity: 'critical',
    state: 'firing',
    reason: 'state OPEN',
    value: null,
    pendingSince: '2026-11-26T13:59:00.000Z',
    firedAt: '2026-11-26T14:00:00.000Z',
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    snoozedUntil: null,
    notified: 1,
    ...over,
  });
}
