// A flood of item alerts folds into one. When more than `bound` items of one deployment's
// endpoint alert at once (500 contract-valid items failing together), the first `bound` stay
// alerts of their own and the rest are held back: one "N items failing" alert stands for the
// whole group, with one notification. The page gets a few dozen records instead of thousands;
// nothing is hidden as healthy: the fold alert is firing while any member is, and names some of
// them. It sits after the AlertEngine (its onChange and onNotify pass through here), so the
// engine's rules, pending periods and hysteresis are untouched.
import { isHostAlert, type AlertNotification, type AlertRecord } from '../../../common/thresholds';
import { notificationFor } from './notificationText';
import { OpsFailure } from '../../../common/result';
import { isoAt, type Clock } from '../clock';

export const DEFAULT_FOLD_BOUND = 10;
/** how many held-back item names the fold alert's reason lists */
const NAMES_LISTED = 5;
/** a group that folds again within this time does not notify again */
const RENOTIFY_MS = 10 * 60_000;
/** fold alert ids: the contract's a-<number>, above any the engine will reach */
const FOLD_ID_BASE = 100_000_000_000;

export interface AlertFolderDeps {
  readonly clock: Clock;
  /** item alerts shown on their own per deployment and endpoint; past it they fold */
  readonly bound?: number;
  readonly onChange: (alert: AlertRecord) => void;
  readonly onNotify: (notification: AlertNotification) => void;
  readonly deploymentName?: (deploymentId: string) => string;
  /** the notification budget (the engine's limiter): a fold's notification spends it like any alert's */
  readonly takeNotification?: (key: string) => boolean;
}

interface Group {
  /** active (pending or firing) item alerts, by alert key */
  readonly members: Map<string, AlertRecord>;
  /** the keys whose records the page gets */
  readonly shown: Set<string>;
  fold: AlertRecord | null;
  lastNotifiedAt: number;
  /** a new description of the fold is due after the current poll */
  dirty: boolean;
}

const SEVERITY_RANK = { warning: 0, critical: 1 } as const;

export class AlertFolder {
  private readonly bound: number;
  private readonly groups = new Map<string, Group>();
  private resolvedFolds: AlertRecord[] = [];
  private seq = FOLD_ID_BASE;
  private readonly waitingNotes = new Map<string, AlertNotification>();

  constructor(private readonly deps: AlertFolderDeps) {
    this.bound = deps.bound ?? DEFAULT_FOLD_BOUND;
  }

  /** The engine's onChange. */
  readonly change = (alert: AlertRecord): void => {
    // a host that cannot be reached is one alert per host: nothing to fold
    if (isHostAlert(alert)) {
      const note = this.waitingNotes.get(alert.id);
      this.waitingNotes.delete(alert.id);
      if (note) this.deps.onNotify(note);
      this.deps.onChange(alert);
      return;
    }
    const groupKey = `${alert.deploymentId}/${alert.endpoint}`;
    let group = this.groups.get(groupKey);
    if (!group) this.groups.set(groupKey, (group = { members: new Map(), shown: new Set(), fold: null, lastNotifiedAt: -Infinity, dirty: false }));
    const note = this.waitingNotes.get(alert.id);
    if (note) this.waitingNotes.delete(alert.id);
    if (alert.state === 'resolved') {
      group.members.delete(alert.key);
      if (group.shown.delete(alert.key)) this.deps.onChange(alert);
    } else {
      group.members.set(alert.key, alert);
      if (!group.shown.has(alert.key) && group.shown.size < this.bound && !group.fold) group.shown.add(alert.key);
      if (group.shown.has(alert.key)) {
        if (note) this.deps.onNotify(note);
        this.deps.onChange(alert);
      }
    }
    this.openIfFlooded(group);
    this.reconcile(group);
    if (group.members.size === 0 && !group.fold && group.lastNotifiedAt === -Infinity) this.groups.delete(groupKey);
  };

  /**
   * The engine's onNotify. The engine notifies just before it reports the alert fired, so the
   * notification waits for that change: it goes out if the alert is shown on its own, and not
   * if it is held back (the fold alert notifies for the group).
   */
  readonly notify = (notification: AlertNotification): void => {
    this.waitingNotes.set(notification.alertId, notification);
  };

  /**
   * The engine asks before it spends the budget on a firing alert: false when the alert is (or
   * will be, as it joins its group) held back under a fold, which notifies for the group instead.
   */
  readonly shownAlone = (alert: AlertRecord): boolean => {
    if (isHostAlert(alert)) return true;
    const group = this.groups.get(`${alert.deploymentId}/${alert.endpoint}`);
    if (!group) return true;
    if (group.shown.has(alert.key)) return true;
    // the rule change() applies: a member joins the shown ones while there is room and no fold
    return !group.fold && group.shown.size < this.bound;
  };

  /** Keeps an open fold true to its group; closes it once the group is back within the bound. */
  private reconcile(group: Group): void {
    if (!group.fold) return;
    const hidden = [...group.members.values()].filter((a) => !group.shown.has(a.key));
    if (hidden.length === 0) {
      const ended: AlertRecord = { ...group.fold, state: 'resolved', resolvedAt: isoAt(this.deps.clock.now()), reason: 'no more items held back' };
      group.fold = null;
      this.resolvedFolds = [...this.resolvedFolds.slice(-49), ended];
      this.deps.onChange(ended);
      return;
    }
    // back within the bound: the held-back alerts are shown on their own again, the fold ends
    if (group.members.size <= this.bound) {
      for (const alert of hidden) {
        group.shown.add(alert.key);
        this.deps.onChange(alert);
      }
      return this.reconcile(group);
    }
    // a poll changes many members at once: the fold is described again once, after it
    if (group.dirty) return;
    group.dirty = true;
    queueMicrotask(() => {
      group.dirty = false;
      if (!group.fold) return;
      const updated = this.describe(
        group.fold,
        group,
        [...group.members.values()].filter((a) => !group.shown.has(a.key)),
      );
      if (
        updated.title !== group.fold.title ||
        updated.reason !== group.fold.reason ||
        updated.severity !== group.fold.severity ||
        updated.state !== group.fold.state
      ) {
        group.fold = updated;
        this.deps.onChange(updated);
      }
      // a fold opened while its members were pending notifies once they fire
      this.notifyFold(group);
    });
  }

  private describe(base: AlertRecord, group: Group, hidden: readonly AlertRecord[]): AlertRecord {
    const members = [...group.members.values()];
    const names = hidden.slice(0, NAMES_LISTED).map((a) => a.item);
    const more = hidden.length - names.length;
    return {
      ...base,
      title: `${members.length} items failing`,
      severity: members.some((a) => a.severity === 'critical') ? 'critical' : 'warning',
      state: members.some((a) => a.state === 'firing') ? 'firing' : 'pending',
      firedAt: base.firedAt ?? (members.some((a) => a.state === 'firing') ? isoAt(this.deps.clock.now()) : null),
      reason: `${hidden.length} not listed one by one: ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
      value: members.length,
    };
  }

  /** Called after each change: opens the fold once a group has more active alerts than the bound. */
  private openIfFlooded(group: Group): void {
    if (group.fold || group.members.size <= this.bound) return;
    const members = [...group.members.values()];
    const first = members.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
    const hidden = members.filter((a) => !group.shown.has(a.key));
    const base: AlertRecord = {
      ...first,
      id: `a-${++this.seq}`,
      key: `${first.deploymentId}/${first.endpoint}/*`,
      ruleId: 'items-folded',
      item: '*',
      pendingSince: members.map((a) => a.pendingSince).sort()[0]!,
      firedAt: null,
      resolvedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      snoozedUntil: null,
      notified: 0,
    };
    group.fold = this.describe(base, group, hidden);
    this.deps.onChange(group.fold);
    // The engine evaluates a poll's items one by one: the fold opens at the (bound + 1)th. It
    // notifies once the poll is evaluated, with the whole count.
    queueMicrotask(() => this.notifyFold(group));
  }

  private notifyFold(group: Group): void {
    const fold =
      group.fold &&
      this.describe(
        group.fold,
        group,
        [...group.members.values()].filter((a) => !group.shown.has(a.key)),
      );
    const now = this.deps.clock.now();
    if (!fold || fold.state !== 'firing' || fold.notified > 0 || now - group.lastNotifiedAt < RENOTIFY_MS) return;
    // an acknowledged or snoozed fold (its members were) wakes nobody and spends nothing
    if (fold.acknowledgedAt || (fold.snoozedUntil && Date.parse(fold.snoozedUntil) > now)) return;
    group.lastNotifiedAt = now;
    if (this.deps.takeNotification && !this.deps.takeNotification(fold.key)) return;
    group.fold = { ...fold, notified: 1 };
    this.deps.onNotify(notificationFor(fold, this.deps.deploymentName?.(fold.deploymentId!) ?? fold.deploymentId!));
    this.deps.onChange(group.fold);
  }

  /** The engine's list as the page sees it: held-back alerts left out, fold alerts in. */
  list(engineList: readonly AlertRecord[]): AlertRecord[] {
    const hidden = new Set<string>();
    const folds: AlertRecord[] = [];
    for (const group of this.groups.values()) {
      if (!group.fold) continue;
      folds.push(group.fold);
      for (const key of group.members.keys()) if (!group.shown.has(key)) hidden.add(key);
    }
    const active = engineList.filter((a) => a.state !== 'resolved' && !hidden.has(a.key));
    const resolved = engineList.filter((a) => a.state === 'resolved');
    return [...folds, ...active, ...[...this.resolvedFolds].reverse(), ...resolved];
  }

  /** The fold alert with this id, if it is one; its members are what acknowledging it acts on. */
  foldMembers(id: string): AlertRecord[] | null {
    for (const group of this.groups.values()) if (group.fold?.id === id) return [...group.members.values()];
    if (this.resolvedFolds.some((a) => a.id === id)) throw new OpsFailure('conflict', `alert ${id} is already resolved`);
    return null;
  }

  /** Mark a fold alert acknowledged or snoozed after its members were. */
  markFold(id: string, patch: Partial<Pick<AlertRecord, 'acknowledgedAt' | 'acknowledgedBy' | 'snoozedUntil'>>): AlertRecord {
    for (const group of this.groups.values()) {
      if (group.fold?.id !== id) continue;
      group.fold = { ...group.fold, ...patch };
      this.deps.onChange(group.fold);
      return group.fold;
    }
    throw new OpsFailure('not-found', `no alert ${id}`);
  }
}
