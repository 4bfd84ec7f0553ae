import { describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import { parseRequest } from '../../../common/contract';
import { HistoryStore } from '../health/history/HistoryStore';
import { DEFAULT_ALERTS_SETTINGS } from './alertRules';
import { AlertEngine } from './AlertEngine';
import { historyAndAlertHandlers } from './alertHandlers';

const T0 = Date.parse('2026-11-26T12:00:00Z');

function setup() {
  const clock = { now: () => T0 };
  const history = new HistoryStore();
  const alerts = new AlertEngine({
    settings: { ...DEFAULT_ALERTS_SETTINGS, pendingSeconds: 0, rules: { 'rate-limit-usage': { fire: 0.9 } } },
    clock,
    onChange: () => {},
    onNotify: () => {},
  });
  const handlers = historyAndAlertHandlers({ history, alerts, user: 'alice', hasDeployment: (id) => id === 'prod' });
  const state: EndpointState = {
    deploymentId: 'prod' as DeploymentId,
    endpoint: 'rateLimits',
    status: 'ok',
    error: null,
    polledAt: new Date(T0).toISOString(),
    lastGoodAt: new Date(T0).toISOString(),
    intervalMs: 5000,
    nextPollAt: null,
    latencyMs: 2,
    meta: {},
    items: { coingecko: { ok: true, value: { used: 48, limit: 50, remaining: 2, window_seconds: 60, reset_at: '2026-11-26T12:01:00Z', recent_429: 0 } } },
  };
  history.record(state);
  alerts.evaluate(state);
  return { handlers };
}

describe('history and alert calls', () => {
  it('getHistory returns the points and the configured fire line for the charts', async () => {
    const { handlers } = setup();
    const answer = await handlers.getHistory({ deploymentId: 'prod' as DeploymentId, metrics: ['rateLimits.usage'] });
    expect(answer).toEqual({ series: [{ metric: 'rateLimits.usage', item: 'coingecko', points: [[T0, 0.96]] }], thresholds: { 'rateLimits.usage': 0.9 } });
    await expect(handlers.getHistory({ deploymentId: 'nope' as DeploymentId, metrics: ['sla.success_rate'] })).rejects.toThrow('no deployment "nope"');
  });

  it('acknowledge records the user; a hostile request is refused by the contract with the field named', async () => {
    const { handlers } = setup();
    const [alert] = (await handlers.listAlerts({})).alerts;
    expect(alert).toMatchObject({ state: 'firing', reason: 'rate limit usage 96 % > 90 %' });
    expect(await handlers.acknowledgeAlert({ id: alert!.id })).toMatchObject({ acknowledgedBy: 'alice' });
    expect(parseRequest('acknowledgeAlert', { id: 'a-1; rm -rf /' })).toMatchObject({
      ok: false,
      error: { message: 'acknowledgeAlert: id: not an alert id (a-<number>)' },
    });
    expect(parseRequest('snoozeAlert', { id: 'a-1', minutes: 1e9 })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: expect.stringMatching(/^snoozeAlert: minutes: /) },
    });
    expect(parseRequest('getHistory', { deploymentId: 'prod', metrics: ['cpu'] })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^getHistory: metrics\.0: /) },
    });
  });
});
