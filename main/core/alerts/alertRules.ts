// The effective alert rules: the runbook defaults from common/thresholds.ts with the config's
// `alerts:` overrides applied, checked so that an override cannot make an alert flap (a clear
// line on the wrong side of the fire line) or never fire silently.
import { DEFAULT_RULES, type RuleDefinition } from '../../../common/thresholds';

export interface RuleOverride {
  readonly enabled?: boolean | undefined;
  readonly fire?: number | undefined;
  readonly clear?: number | undefined;
  readonly critical?: number | null | undefined;
  readonly pendingSeconds?: number | undefined;
}

export interface AlertsSettings {
  /** how long a condition must hold before it fires */
  readonly pendingSeconds: number;
  readonly rules: Readonly<Partial<Record<string, RuleOverride>>>;
  readonly notifications: {
    readonly enabled: boolean;
    /** at most one desktop notification per problem (deployment/rule/item) in this window */
    readonly perAlertSeconds: number;
    /** and at most this many in any rolling hour, all alerts together */
    readonly maxPerHour: number;
  };
}

export const DEFAULT_ALERTS_SETTINGS: AlertsSettings = {
  pendingSeconds: 30,
  rules: {},
  notifications: { enabled: true, perAlertSeconds: 600, maxPerHour: 20 },
};

export interface EffectiveRule extends RuleDefinition {
  readonly pendingMs: number;
}

/** Apply overrides; throws an Error naming the rule and field when an override is unusable. */
export function effectiveRules(settings: AlertsSettings, defaults: readonly RuleDefinition[] = DEFAULT_RULES): EffectiveRule[] {
  const known = new Set(defaults.map((rule) => rule.id));
  for (const id of Object.keys(settings.rules)) {
    if (!known.has(id)) throw new Error(`alerts.rules.${id}: no such rule (known: ${[...known].join(', ')})`);
  }
  const out: EffectiveRule[] = [];
  for (const rule of defaults) {
    const override = settings.rules[rule.id] ?? {};
    if (override.enabled === false) continue;
    const fire = override.fire ?? rule.fire;
    // Moving only the fire line drags the default clear line along, keeping the same gap.
    const clear = override.clear ?? (override.fire === undefined ? rule.clear : fire - (rule.fire - rule.clear));
    const critical = override.critical === undefined ? rule.critical : override.critical;
    if (rule.direction === 'above' && clear > fire) {
      throw new Error(`alerts.rules.${rule.id}: clear (${clear}) must be at or below fire (${fire}): the alert fires above ${fire}`);
    }
    if (rule.direction === 'below' && clear < fire) {
      throw new Error(`alerts.rules.${rule.id}: clear (${clear}) must be at or above fire (${fire}): the alert fires below ${fire}`);
    }
    const pendingSeconds = override.pendingSeconds ?? settings.pendingSeconds;
    out.push({ ...rule, fire, clear, critical, pendingMs: Math.round(pendingSeconds * 1000) });
  }
  return out;
}

export const firesAt = (rule: EffectiveRule, value: number): boolean => (rule.direction === 'above' ? value > rule.fire : value < rule.fire);
export const clearsAt = (rule: EffectiveRule, value: number): boolean => (rule.direction === 'above' ? value <= rule.clear : value >= rule.clear);
export const severityAt = (rule: EffectiveRule, value: number): RuleDefinition['severity'] =>
  rule.critical !== null && (rule.direction === 'above' ? value > rule.critical : value < rule.critical) ? 'critical' : rule.severity;
