import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../../common/thresholds';
import { alertDurationSeconds, alertName } from './AlertsPanel';
import { applyAlertUpdates, MAX_RESOLVED, replaceAlerts, sortAlerts, useAlertsStore } from './alertsStore';

const base: AlertRecord = {
  id: 'a-1',
  key: 'prod/rate-limit-usage/coingecko',
  deploymentId: 'prod',
  ruleId: 'rate-limit-usage',
  section: 'rate-limits',
  endpoint: 'rateLimits',
  item: 'coingecko',
  title: 'rate limit usage',
  severity: 'warning',
  state: 'firing',
  reason: 'rate limit usage 90 % > 80 %',
  value: 0.9,
  pendingSince: '2026-11-26T12:00:00.000Z',
  firedAt: '2026-11-26T12:00:30.000Z',
  resolvedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  snoozedUntil: null,
  notified: 1,
};

beforeEach(() => replaceAlerts([], 0));

describe('alert store', () => {
  it('keeps the newest state per alert and drops a pending alert that went away without firing', () => {
    applyAlertUpdates([{ ...base, id: 'a-2', state: 'pending', firedAt: null }, base]);
    expect(Object.keys(useAlertsStore.getState().alerts).sort()).toEqual(['a-1', 'a-2']);
    applyAlertUpdates([{ ...base, id: 'a-2', state: 'resolved', firedAt: null, resolvedAt: '2026-11-26T12:00:10.000Z' }]);
    applyAlertUpdates([{ ...base, state: 'resolved', resolvedAt: '2026-11-26T12:05:00.000Z' }]);
    expect(Object.values(useAlertsStore.getState().alerts).map((a) => `${a.id}:${a.state}`)).toEqual(['a-1:resolved']);
  });

  it('keeps at most MAX_RESOLVED resolved alerts in the page, newest kept', () => {
    const resolved = Array.from({ length: MAX_RESOLVED + 5 }, (_, i) => ({
      ...base,
      id: `a-${i + 10}`,
      state: 'resolved' as const,
      resolvedAt: new Date(Date.parse('2026-11-26T12:00:00Z') + i * 1000).toISOString(),
    }));
    applyAlertUpdates(resolved);
    const ids = Object.keys(useAlertsStore.getState().alerts);
    expect(ids).toHaveLength(MAX_RESOLVED);
    expect(ids).not.toContain('a-10');
    expect(ids).toContain(`a-${MAX_RESOLVED + 14}`);
  });

  it('sorts critical firing, then warning firing, then pending, then resolved', () => {
    const sorted = sortAlerts([
      { ...base, id: 'a-1', state: 'resolved', resolvedAt: '2026-11-26T12:09:00.000Z' },
      { ...base, id: 'a-2', state: 'pending', firedAt: null },
      { ...base, id: 'a-3' },
      { ...base, id: 'a-4', severity: 'critical' },
    ]);
    expect(sorted.map((a) => a.id)).toEqual(['a-4', 'a-3', 'a-2', 'a-1']);
  });

  it('names a row for screen readers and measures duration from firing to resolve (or now)', () => {
    expect(alertName(base, 'Production')).toBe('Production coingecko rate limit usage: firing');
    expect(alertDurationSeconds(base, Date.parse('2026-11-26T12:01:30Z'))).toBe(60);
    expect(alertDurationSeconds({ ...base, resolvedAt: '2026-11-26T12:00:40.000Z' }, Date.parse('2026-11-26T13:00:00Z'))).toBe(10);
  });
});
