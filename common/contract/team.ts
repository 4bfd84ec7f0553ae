// The team's calls and events: what the engineers on call do, as the hosts' journals
// recorded it (main/core/team), and how the local audit log compares with those records.
import { z } from 'zod';

const iso = z.string().max(40);

/** One record from a host's journal (SYSLOG_IDENTIFIER=opsdeck), as every console sees it. */
export const TeamActivityItem = z.object({
  /** the host's journal cursor with the host id: unique across the fleet */
  id: z.string(),
  hostId: z.string(),
  at: iso,
  event: z.enum(['intent', 'outcome', 'ack']),
  user: z.string(),
  console: z.string(),
  /** written by this console */
  mine: z.boolean(),
  runId: z.string().nullable(),
  actionId: z.string().nullable(),
  command: z.string().nullable(),
  /** outcome records: succeeded, failed, interrupted */
  outcome: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  /**
   * the alert's deployment/rule/item: on ack records the alert acknowledged or snoozed, on run
   * records the alert the run was started from (null: none)
   */
  alertKey: z.string().nullable(),
  /** ack records: ack or snooze, and until when */
  ackKind: z.enum(['ack', 'snooze', 'unsnooze']).nullable(),
  until: iso.nullable(),
  /** one line for the timeline, e.g. "bob restarted autotrader-ingestion on prod-1: succeeded" */
  text: z.string(),
});
export type TeamActivityItem = z.infer<typeof TeamActivityItem>;

/** The local audit log compared with what the hosts recorded of this console's runs. */
export const AuditAnchors = z.object({
  /** host records of this console that were compared */
  checked: z.number().int().nonnegative(),
  /** hosts whose journals hold records of this console */
  hosts: z.number().int().nonnegative(),
  problems: z.array(
    z.object({
      kind: z.enum(['missing-locally', 'mismatch', 'not-on-host']),
      hostId: z.string(),
      runId: z.string(),
      seq: z.number().int().nullable(),
      message: z.string(),
    }),
  ),
});
export type AuditAnchors = z.infer<typeof AuditAnchors>;

export const teamCalls = {
  /** the merged timeline of every console's runs and acks, oldest first */
  listTeamActivity: {
    request: z.object({}).strict(),
    response: z.object({ items: z.array(TeamActivityItem), enabled: z.boolean() }),
  },
} as const;

export const teamEvents = {
  onTeamActivity: z.object({ items: z.array(TeamActivityItem) }),
} as const;
