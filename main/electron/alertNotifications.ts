// Native desktop notifications for firing alerts in the Electron shell. The rate limit and the
// snooze are decided in core (AlertEngine): this only turns each onAlertNotification event into
// an Electron Notification, and clicking it brings the window forward.
import { Notification, type BrowserWindow } from 'electron';
import { notificationText } from '../../common/notificationText';
import type { EventHub } from '../core/bridge/EventHub';

export function showAlertNotifications(hub: EventHub, focusWindow: () => BrowserWindow | null): () => void {
  return hub.subscribe((name, payload) => {
    if (name !== 'onAlertNotification' || !Notification.isSupported()) return;
    const alert = payload as { title: string; body: string; severity: 'warning' | 'critical' };
    // drawn by the desktop, outside the page's escapes: hidden characters are escaped here
    const { title, body } = notificationText(alert);
    const notification = new Notification({ title, body, urgency: alert.severity === 'critical' ? 'critical' : 'normal' });
    notification.on('click', () => {
      const win = focusWindow();
      if (win) {
        if (win.isMinimized()) win.restore();
        win.focus();
      }
    });
    notification.show();
  });
}
