// The `alerts:` block of the real YAML loader: what a user writes, and the error they get
// (with the line) when an override would make an alert flap or names no rule.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/loadConfig';
import { DEFAULT_ALERTS_SETTINGS, effectiveRules } from './alertRules';
import { alertsSettingsFromConfig } from '../config/alertsSettings';

const base = ['hosts: []', 'deployments: []'];

describe('alerts config', () => {
  it('reads overrides with defaults filled in, and the rules follow them', () => {
    const config = parseConfig(
      [...base, 'alerts:', '  pendingSeconds: 5', '  rules:', '    rate-limit-usage: { fire: 0.9 }', '    rate-limit-429: { enabled: false }'].join('\n'),
      'c.yaml',
    );
    expect(config.alerts).toMatchObject({ pendingSeconds: 5, notifications: { enabled: true, perAlertSeconds: 600, maxPerHour: 20 } });
    const rules = effectiveRules(config.alerts!);
    expect(rules.find((r) => r.id === 'rate-limit-usage')).toMatchObject({ fire: 0.9, clear: 0.85, pendingMs: 5000 });
    expect(rules.some((r) => r.id === 'rate-limit-429')).toBe(false);
  });

  it('refuses a clear line above the fire line, naming the rule, both values and the line', () => {
    const text = [...base, 'alerts:', '  rules:', '    queue-pending: { fire: 50, clear: 60 }'].join('\n');
    expect(() => parseConfig(text, 'c.yaml')).toThrow(
      'c.yaml:5: alerts.rules.queue-pending: clear (60) must be at or below fire (50): the alert fires above 50',
    );
  });

  it('refuses an unknown rule id and a negative pending period', () => {
    expect(() => parseConfig([...base, 'alerts: { rules: { cpu-hot: { fire: 1 } } }'].join('\n'), 'c.yaml')).toThrow(
      `c.yaml:3: alerts.rules: Unrecognized key: "cpu-hot"`,
    );
    expect(() => parseConfig([...base, 'alerts: { pendingSeconds: -1 }'].join('\n'), 'c.yaml')).toThrow(/alerts\.pendingSeconds/);
  });

  it('the app gets the block from the validated config, and the defaults without one', () => {
    const withBlock = parseConfig([...base, 'alerts: { pendingSeconds: 2, notifications: { maxPerHour: 200 } }'].join('\n'), 'c.yaml');
    expect(alertsSettingsFromConfig(withBlock)).toMatchObject({ pendingSeconds: 2, notifications: { maxPerHour: 200, perAlertSeconds: 600 } });
    expect(alertsSettingsFromConfig(parseConfig(base.join('\n'), 'c.yaml'))).toBe(DEFAULT_ALERTS_SETTINGS);
    expect(alertsSettingsFromConfig(null)).toBe(DEFAULT_ALERTS_SETTINGS);
  });
});
