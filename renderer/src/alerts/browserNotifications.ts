// Desktop notifications in the browser shell, through the page's Notification API. Only after
// the user asked for them with a click (browsers refuse a permission prompt without one). In
// Electron, main shows the native notification instead (main/electron), so the page stays quiet.
import { notificationText } from '../../../common/notificationText';
import type { AlertNotification } from '../../../common/thresholds';

export type PermissionState = 'unsupported' | 'electron' | 'default' | 'granted' | 'denied';

export function notificationPermission(win: Window & { opsdeck?: unknown }): PermissionState {
  if (win.opsdeck) return 'electron';
  if (!('Notification' in win)) return 'unsupported';
  return (win as Window & { Notification: typeof Notification }).Notification.permission as PermissionState;
}

export async function requestNotificationPermission(): Promise<PermissionState> {
  if (!('Notification' in window)) return 'unsupported';
  return (await Notification.requestPermission()) as PermissionState;
}

export function showBrowserNotification(notification: AlertNotification): void {
  if (notificationPermission(window) !== 'granted') return;
  // tag: a second notification for the same alert replaces the first instead of stacking.
  // the pop-up is drawn outside the page: hidden characters are escaped here, as on the page
  const { title, body } = notificationText(notification);
  new Notification(title, { body, tag: notification.alertId });
}
