// Alert rules evaluated on every good poll. A condition must hold for the rule's pending period
// before it fires; a firing alert resolves only when its value is back past the clear line
// (hysteresis), so a value wobbling around a threshold does not flap. A refire after a resolve
// is a new instance (new id, new start time); a snooze follows the problem (deployment, rule,
// item) until it ends, an acknowledgement only the instance.
import type { EndpointState } from '../../../common/contract';
import { isHostAlert, ruleMetric, type AlertNotification, type AlertRecord } from '../../../common/thresholds';
import { OpsFailure } from '../../../common/result';
import { isoAt, type Clock } from '../clock';
import { clearsAt, effectiveRules, firesAt, ruleForItem, severityAt, type AlertsSettings, type EffectiveRule } from './alertRules';
import type { Condition } from './blindness';
import { alertReason } from './alertReason';
import { NotificationLimiter } from './NotificationLimiter';
import { notificationFor } from './notificationText';

export interface AlertEngineDeps {
  readonly settings: AlertsSettings;
  readonly clock: Clock;
  /** every change of an alert (new, fired, value moved, resolved, acknowledged, snoozed) */
  readonly onChange: (alert: AlertRecord) => void;
  /** a desktop notification that passed the rate limit */
  readonly onNotify: (notification: AlertNotification) => void;
  /** resolved alerts kept for the list */
  readonly keepResolved?: number;
  /** deployment names for notification text */
  readonly deploymentName?: (deploymentId: string) => string;
  /** host labels for notification text */
  readonly hostLabel?: (hostId: string) => string;
  /** false when the alert will not be shown on its own (a fold stands for it): it sends no notification */
  readonly shownAlone?: (alert: AlertRecord) => boolean;
}

export const MAX_SNOOZE_MINUTES = 7 * 24 * 60;

export class AlertEngine {
  readonly rules: readonly EffectiveRule[];
  /** a poll is one endpoint's: it looks only at that endpoint's rules */
  private readonly rulesByEndpoint = new Map<string, EffectiveRule[]>();
  /** pending or firing, by key */
  private readonly active = new Map<string, AlertRecord>();
  /** deployment/rule/ -> keys of its active alerts: a poll looks only at its own, not every alert in the fleet */
  private readonly activeByRule = new Map<string, Set<string>>();
  /** newest last */
  private resolved: AlertRecord[] = [];
  private readonly snoozes = new Map<string, number>();
  /** who snoozed each problem, when it was not this console's own user (a teammate's shared snooze) */
  private readonly snoozedBy = new Map<string, string>();
  private readonly limiter: NotificationLimiter | null;
  private seq = 0;

  constructor(private readonly deps: AlertEngineDeps) {
    this.rules = effectiveRules(deps.settings);
    for (const rule of this.rules) {
      const list = this.rulesByEndpoint.get(rule.endpoint) ?? [];
      list.push(rule);
      this.rulesByEndpoint.set(rule.endpoint, list);
    }
    const n = deps.settings.notifications;
    this.limiter = n.enabled ? new NotificationLimiter(deps.clock, n.perAlertSeconds * 1000, n.maxPerHour) : null;
  }

  /** A notification for this problem key may go out now (the fold's own, which spends the same budget). */
  takeNotification(key: string): boolean {
    return this.limiter?.take(key) ?? false;
  }

  private subjectName(alert: AlertRecord): string {
    if (isHostAlert(alert)) return this.deps.hostLabel?.(alert.hostId!) ?? alert.hostId!;
    return this.deps.deploymentName?.(alert.deploymentId!) ?? alert.deploymentId!;
  }

  get suppressedNotifications(): number {
    return this.limiter?.suppressed ?? 0;
  }

  /** Evaluate the rules of one endpoint against a poll. Failed polls change nothing. */
  evaluate(state: EndpointState): void {
    if (state.status !== 'ok') return;
    const now = this.deps.clock.now();
    const items = Object.entries(state.items);
    for (const rule of this.rulesByEndpoint.get(state.endpoint) ?? []) {
      const prefix = `${state.deploymentId}/${rule.id}/`;
      for (const [item, itemState] of items) {
        const key = prefix + item;
        // An unreadable item ("unknown: why") says nothing either way: keep the alert as it is.
        if (!itemState.ok) continue;
        const value = ruleMetric(rule.id, itemState.value, now);
        if (value === null) continue;
        this.step(key, ruleForItem(rule, itemState.value), state, item, value, now);
      }
      // An item the API stopped reporting cannot stay firing forever.
      for (const key of [...(this.activeByRule.get(prefix) ?? [])]) {
        const alert = this.active.get(key);
        if (alert && !Object.hasOwn(state.items, alert.item)) this.end(key, alert, now, `${alert.item} no longer reported`);
      }
    }
  }

  /**
   * A condition that holds or not (being blind: see blindness.ts), with the same life as a rule's
   * alert: pending for its pending time, then firing and notified, resolved when it stops holding.
   */
  observe(c: Condition): void {
    const now = this.deps.clock.now();
    const current = this.active.get(c.key);
    if (!c.holds) {
      if (current) this.end(c.key, current, now, c.reason, null);
      return;
    }
    if (!current) {
      const alert: AlertRecord = {
        id: `a-${++this.seq}`,
        key: c.key,
        deploymentId: c.deploymentId,
        ...(c.hostId ? { hostId: c.hostId } : {}),
        ruleId: c.ruleId,
        section: c.section,
        endpoint: c.endpoint,
        item: c.item,
        title: c.title,
        severity: c.severity,
        state: 'pending',
        reason: c.reason,
        value: null,
        pendingSince: isoAt(now),
        firedAt: null,
        resolvedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        snoozedUntil: this.snoozeOf(c.key, now),
        notified: 0,
      };
      this.setActive(c.key, alert);
      if (c.pendingMs <= 0) this.fire(c.key, alert, now);
      else this.deps.onChange(alert);
      return;
    }
    const updated = current.reason === c.reason ? current : { ...current, reason: c.reason };
    if (current.state === 'pending' && now - Date.parse(current.pendingSince) >= c.pendingMs) {
      this.setActive(c.key, updated);
      this.fire(c.key, updated, now);
    } else if (updated !== current) {
      this.setActive(c.key, updated);
      this.deps.onChange(updated);
    }
  }

  private step(key: string, rule: EffectiveRule, state: EndpointState, item: string, value: number, now: number): void {
    const current = this.active.get(key);
    // Most items of most polls are healthy with no alert: they cost one comparison, not a sentence.
    if (!current && !firesAt(rule, value)) return;
    const read = state.items[item];
    const reason = alertReason(rule, value, read?.ok ? read.value : undefined);
    const severity = severityAt(rule, value);
    if (!current) {
      const alert: AlertRecord = {
        id: `a-${++this.seq}`,
        key,
        deploymentId: state.deploymentId,
        ruleId: rule.id,
        section: rule.section,
        endpoint: state.endpoint,
        item,
        title: rule.title,
        severity,
        state: 'pending',
        reason,
        value,
        pendingSince: isoAt(now),
        firedAt: null,
        resolvedAt: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        snoozedUntil: this.snoozeOf(key, now),
        notified: 0,
      };
      this.setActive(key, alert);
      if (rule.pendingMs <= 0) this.fire(key, alert, now);
      else this.deps.onChange(alert);
      return;
    }
    if (current.state === 'pending') {
      // Pending needs the fire condition to hold at every poll; a dip cancels it silently.
      if (!firesAt(rule, value)) {
        this.deleteActive(key);
        this.deps.onChange({ ...current, state: 'resolved', resolvedAt: isoAt(now), reason, value });
        return;
      }
      const updated = { ...current, reason, value, severity };
      this.setActive(key, updated);
      if (now - Date.parse(current.pendingSince) >= rule.pendingMs) this.fire(key, updated, now);
      else if (updated.reason !== current.reason || updated.severity !== current.severity) this.deps.onChange(updated);
      return;
    }
    // firing
    if (clearsAt(rule, value)) {
      this.end(key, current, now, reason, value);
      return;
    }
    if (reason !== current.reason || severity !== current.severity) {
      const updated = { ...current, reason, value, severity };
      this.setActive(key, updated);
      this.deps.onChange(updated);
    }
  }

  private fire(key: string, alert: AlertRecord, now: number): void {
    let fired: AlertRecord = {
      ...alert,
      state: 'firing',
      firedAt: isoAt(now),
      firedReason: alert.reason,
      firedValue: alert.value,
      snoozedUntil: this.snoozeOf(key, now),
    };
    // Only an alert the engineer will see on its own spends the budget: not a snoozed or
    // acknowledged one, nor one a fold stands for (the fold notifies once for its group).
    if (this.limiter && !fired.snoozedUntil && !fired.acknowledgedAt && (this.deps.shownAlone?.(fired) ?? true) && this.limiter.take(key)) {
      fired = { ...fired, notified: fired.notified + 1 };
      this.deps.onNotify(notificationFor(fired, this.subjectName(fired)));
    }
    this.setActive(key, fired);
    this.deps.onChange(fired);
  }

  private end(key: string, alert: AlertRecord, now: number, reason: string, value: number | null = alert.value): void {
    this.deleteActive(key);
    const ended: AlertRecord = { ...alert, state: 'resolved', resolvedAt: isoAt(now), reason, value };
    // A pending alert that never fired is not worth a line in the list of what happened.
    if (alert.state === 'firing') {
      this.resolved.push(ended);
      const keep = this.deps.keepResolved ?? 200;
      if (this.resolved.length > keep) this.resolved = this.resolved.slice(-keep);
    }
    this.deps.onChange(ended);
  }

  private setActive(key: string, alert: AlertRecord): void {
    this.active.set(key, alert);
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    let keys = this.activeByRule.get(prefix);
    if (!keys) this.activeByRule.set(prefix, (keys = new Set()));
    keys.add(key);
  }

  private deleteActive(key: string): void {
    this.active.delete(key);
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    const keys = this.activeByRule.get(prefix);
    keys?.delete(key);
    if (keys?.size === 0) this.activeByRule.delete(prefix);
  }

  private snoozeOf(key: string, now: number): string | null {
    const until = this.snoozes.get(key);
    if (until === undefined) return null;
    if (until <= now) {
      this.snoozes.delete(key);
      this.snoozedBy.delete(key);
      return null;
    }
    return isoAt(until);
  }

  /** Active alerts (firing first, then pending, newest first), then resolved newest first. */
  list(): AlertRecord[] {
    const now = this.deps.clock.now();
    const active = [...this.active.values()]
      .map((alert) => ({ ...alert, snoozedUntil: this.snoozeOf(alert.key, now) }))
      .sort((a, b) => (a.state === b.state ? b.pendingSince.localeCompare(a.pendingSince) : a.state === 'firing' ? -1 : 1));
    return [...active, ...[...this.resolved].reverse()];
  }

  acknowledge(id: string, user: string): AlertRecord {
    const [key, alert] = this.find(id);
    if (alert.acknowledgedAt) return alert;
    const updated = { ...alert, acknowledgedAt: isoAt(this.deps.clock.now()), acknowledgedBy: user };
    this.setActive(key, updated);
    this.deps.onChange(updated);
    return updated;
  }

  /** Snooze notifications for this problem; minutes 0 ends a snooze. `by`: who, when shared by a teammate. */
  snooze(id: string, minutes: number, by?: string): AlertRecord {
    if (!Number.isFinite(minutes) || minutes < 0 || minutes > MAX_SNOOZE_MINUTES) {
      throw new OpsFailure('bad-request', `snooze minutes must be between 0 and ${MAX_SNOOZE_MINUTES}, got ${minutes}`);
    }
    const [key, alert] = this.find(id);
    const now = this.deps.clock.now();
    if (minutes === 0) this.snoozes.delete(key);
    else this.snoozes.set(key, now + minutes * 60_000);
    if (by && minutes > 0) this.snoozedBy.set(key, by);
    else this.snoozedBy.delete(key);
    const until = this.snoozeOf(key, now);
    const updated = { ...alert, snoozedUntil: until, snoozedBy: until ? (this.snoozedBy.get(key) ?? null) : null };
    this.setActive(key, updated);
    this.deps.onChange(updated);
    return updated;
  }

  private find(id: string): [string, AlertRecord] {
    for (const [key, alert] of this.active) if (alert.id === id) return [key, alert];
    if (this.resolved.some((alert) => alert.id === id)) throw new OpsFailure('conflict', `alert ${id} is already resolved`);
    throw new OpsFailure('not-found', `no alert ${id}`);
  }
}
