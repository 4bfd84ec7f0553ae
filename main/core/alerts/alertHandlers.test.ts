import { describe, expect, it } from 'vitest';
import type { DeploymentId, EndpointState } from '../../../common/contract';
import { parseRequest } from '../../../common/contract';
import { HistoryStore } from '../health/history/HistoryStore';
import { DEFAULT_ALERTS_SETTINGS } from './alertRules';
import { AlertEngine } from './AlertEngine';
import { historyAndAlertHandlers } from './alertHandlers';

const T0 = Date.parse('2026-11-26T12:00:00Z');

function setupAlerts() {
  return new AlertEngine({
    settings: { ...DEFAULT_ALERTS_SETTINGS, pendingSeconds: 0, rules: { 'rate-limit-usage': { fire: 0.9 } } },
    clock: { now: () => T0 },
    onChange: () => {},
    onNotify: () => {},
  });
}

function usage(at: number, ratio: number): EndpointState {
  return {
    deploymentId: 'prod' as DeploymentId,
    endpoint: 'rateLimits',
    status: 'ok',
    error: null,
    polledAt: new Date(at).toISOString(),
    lastGoodAt: new Date(at).toISOString(),
    intervalMs: 5000,
    nextPollAt: null,
    latencyMs: 2,
    meta: {},
    items: {
      coingecko: {
        ok: true,
        value: { used: ratio * 50, limit: 50, remaining: 50 - ratio * 50, window_seconds: 60, reset_at: '2026-11-26T12:01:00Z', recent_429: 0 },
      },
    },
  };
}

function setup() {
  const history = new HistoryStore();
  const alerts = setupAlerts();
  const handlers = historyAndAlertHandlers({ history, alerts, user: 'alice', hasDeployment: (id) => id === 'prod' });
  const state = usage(T0, 0.96);
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

  it("getHistory serves the range asked for: the hour at the poll rate, each minute's worst before it", async () => {
    const history = new HistoryStore();
    const handlers = historyAndAlertHandlers({ history, alerts: setupAlerts(), user: 'alice', hasDeployment: (id) => id === 'prod' });
    // three hours of 5 s polls, usage 0.5 but for one 5 s spike to 0.97 two hours ago
    const polls = 3 * 60 * 12;
    for (let i = 0; i < polls; i++) history.record(usage(T0 + i * 5000, i === 12 * 60 + 1 ? 0.97 : 0.5));
    const newest = T0 + (polls - 1) * 5000;
    const request = (minutes: number) => ({ deploymentId: 'prod' as DeploymentId, metrics: ['rateLimits.usage' as const], sinceMs: newest - minutes * 60_000 });
    const day = (await handlers.getHistory(request(24 * 60))).series[0]!.points;
    // the spike in its minute, at the minute's start
    expect(day).toContainEqual([T0 + 60 * 60_000, 0.97]);
    expect(day).toHaveLength(119 + 721);
    expect((await handlers.getHistory(request(15))).series[0]!.points).toHaveLength(15 * 12 + 1);
    expect(parseRequest('getHistory', { deploymentId: 'prod', metrics: ['rateLimits.usage'], sinceMs: Infinity })).toMatchObject({ ok: false });
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
