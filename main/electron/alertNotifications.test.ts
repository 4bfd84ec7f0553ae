// No Electron binary can be downloaded here, so Electron's Notification cannot be produced for
// real: a stand-in class records what would be shown. Everything else (the hub, the event
// payloads) is the real thing.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../core/bridge/EventHub';

const created: Array<{ options: Record<string, unknown>; shown: boolean; click?: () => void }> = [];
vi.mock('electron', () => ({
  Notification: class {
    static isSupported = () => true;
    private readonly record: (typeof created)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, shown: false };
      created.push(this.record);
    }
    on(event: string, listener: () => void) {
      if (event === 'click') this.record.click = listener;
      return this;
    }
    show() {
      this.record.shown = true;
    }
  },
}));

const { showAlertNotifications } = await import('./alertNotifications');

const notification = {
  alertId: 'a-7',
  title: 'CRITICAL: Production: coingecko_api circuit breaker not closed',
  body: 'OPEN (runbook: circuit-breakers)',
  severity: 'critical' as const,
  section: 'circuit-breakers' as const,
};

beforeEach(() => {
  created.length = 0;
});

describe('Electron alert notifications', () => {
  it('shows one native notification per onAlertNotification, critical ones urgent, and nothing for other events', () => {
    const hub = new EventHub();
    const off = showAlertNotifications(hub, () => null);
    hub.emit('onAlerts', { updates: [] });
    hub.emit('onAlertNotification', notification);
    hub.emit('onAlertNotification', { ...notification, alertId: 'a-8', severity: 'warning', title: 'Warning: x' });
    expect(created.map((c) => [c.options.title, c.options.urgency, c.shown])).toEqual([
      ['CRITICAL: Production: coingecko_api circuit breaker not closed', 'critical', true],
      ['Warning: x', 'normal', true],
    ]);
    expect(created[0]!.options.body).toBe('OPEN (runbook: circuit-breakers)');
    off();
    hub.emit('onAlertNotification', notification);
    expect(created).toHaveLength(2);
  });

  it('a click brings the window back, restoring it when minimised', () => {
    const hub = new EventHub();
    const win = { isMinimized: vi.fn(() => true), restore: vi.fn(), focus: vi.fn() };
    showAlertNotifications(hub, () => win as never);
    hub.emit('onAlertNotification', notification);
    created[0]!.click!();
    expect(win.restore).toHaveBeenCalledOnce();
    expect(win.focus).toHaveBeenCalledOnce();
  });

  it('shows a bidi override or zero-width character in the alert as an escape, with the warning', () => {
    const hub = new EventHub();
    showAlertNotifications(hub, () => null);
    hub.emit('onAlertNotification', { ...notification, title: 'Warning: Hostile: evil\u202Egnp.exe', body: 'tripped\u200B (runbook: circuit-breakers)' });
    expect(created[0]!.options.title).toBe('Warning: Hostile: evil<U+202E>gnp.exe');
    expect(created[0]!.options.body).toMatch(/^tripped<U\+200B> \(runbook: circuit-breakers\)\n⚠ 2 invisible or text-reordering/);
  });
});
