// A desktop notification is drawn by the operating system, outside the page's escapes: a bidi
// override in an item's name or health text would reorder the pop-up's words there, and a
// zero-width character would hide in it. Both shells pass title and body through here first.
import type { AlertNotification } from './thresholds';
import { hiddenCharacterWarning, visibleText } from './visibleText';

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

/** Title and body with hidden characters as `<U+XXXX>` escapes; the body ends with the warning when there were any. */
export function notificationText(notification: Pick<AlertNotification, 'title' | 'body'>): NotificationText {
  const title = visibleText(notification.title);
  const body = visibleText(notification.body);
  const warning = hiddenCharacterWarning({ text: '', escaped: title.escaped + body.escaped, bidi: title.bidi || body.bidi });
  return { title: title.text, body: warning ? `${body.text}\n⚠ ${warning}` : body.text };
}
