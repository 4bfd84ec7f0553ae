// The alert a run is started from, as a preview carries it, for tests that care about a few of
// its fields: ibkr's broker alert on prod, fired. Parsed, so an override the contract refuses
// fails the test that made it.
import { RunAlert } from './contract';

export function runAlert(over: Partial<RunAlert> = {}): RunAlert {
  return RunAlert.parse({
    id: 'a-1',
    key: 'prod/broker-offline/ibkr',
    firedAt: '2026-11-26T13:58:00.000Z',
    ruleId: 'broker-offline',
    title: 'broker not online',
    item: 'ibkr',
    deploymentId: 'prod',
    endpoint: 'brokers',
    ...over,
  });
}
