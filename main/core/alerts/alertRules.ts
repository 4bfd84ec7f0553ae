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
  /** how long a host's link must fail before its host alert fires; default 30 */
  readonly hostUnreachableSeconds?: number;
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
  /** the config moved this rule's fire line: it then wins over an item's own thresholds */
  readonly fireFromConfig: boolean;
}

/** Which field of an SLA item's `thresholds` stands for a rule's fire line. */
const ITEM_THRESHOLD_FIELD: Readonly<Record<string, string>> = {
  'sla-latency-p95': 'latency_p95_ms',
  'sla-latency-p99': 'latency_p99_ms',
  'sla-success-rate': 'success_rate',
};

/**
 * The rule as it applies to one item. An SLA item carries its own thresholds (health API
 * contract): the alert follows them, as the panel does, unless the config set the fire line;
 * the clear line keeps the default's distance from the fire line.
 */
export function ruleForItem(rule: EffectiveRule, item: Record<string, unknown>): EffectiveRule {
  const field = ITEM_THRESHOLD_FIELD[rule.id];
  const thresholds = item.thresholds as Record<string, unknown> | undefined;
  const own = field && thresholds ? thresholds[field] : undefined;
  if (rule.fireFromConfig || typeof own !== 'number' || !Number.isFinite(own) || own === rule.fire) return rule;
  const clear = rule.direction === 'above' ? own * (rule.fire > 0 ? rule.clear / rule.fire : 1) : own + (rule.clear - rule.fire);
  return { ...rule, fire: own, clear };
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
    out.push({ ...rule, fire, clear, critical, pendingMs: Math.round(pendingSeconds * 1000), fireFromConfig: override.fire !== undefined });
  }
  return out;
}

export const firesAt = (rule: EffectiveRule, value: number): boolean => (rule.direction === 'above' ? value > rule.fire : value < rule.fire);
export const clearsAt = (rule: EffectiveRule, value: number): boolean => (rule.direction === 'above' ? value <= rule.clear : value >= rule.clear);
export const severityAt = (rule: EffectiveRule, value: number): RuleDefinition['severity'] =>
  rule.critical !== null && (rule.direction === 'above' ? value > rule.critical : value < rule.critical) ? 'critical' : rule.severity;
