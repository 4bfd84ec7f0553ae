// Alerts: the list, acknowledging and snoozing, and the notifications that pass the rate limit.
// Their shapes live in common/thresholds.ts beside the rules that raise them.
import { z } from 'zod';
import { AlertId, AlertNotification, AlertRecord } from '../thresholds';
import { Empty } from './ids';

export const alertCalls = {
  listAlerts: { request: Empty, response: z.object({ alerts: z.array(AlertRecord), suppressedNotifications: z.number().int().nonnegative() }) },
  acknowledgeAlert: { request: z.object({ id: AlertId }).strict(), response: AlertRecord },
  snoozeAlert: { request: z.object({ id: AlertId, minutes: z.number().int().min(0).max(10_080) }).strict(), response: AlertRecord },
} as const;

export const alertEvents = {
  onAlerts: z.object({ updates: z.array(AlertRecord) }),
  /** a firing alert that passed the notification rate limit: show a desktop notification */
  onAlertNotification: AlertNotification,
} as const;
