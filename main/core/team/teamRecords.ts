// The host journal's opsdeck entries, read back: `journalctl -o json SYSLOG_IDENTIFIER=opsdeck`
// prints one JSON object per line, every field a string (journald's own fields start with "_"
// or "__"). Entries that do not carry a known event, or carry one with missing fields, are
// skipped, not guessed at: anyone on the host can write to the journal under any identifier.
import { createHash } from 'node:crypto';
import { shellQuote } from '../shellQuote';

export type TeamEvent = 'intent' | 'outcome' | 'ack';

interface RecordBase {
  hostId: string;
  /** the host's journal cursor: where a follow resumes, and the record's identity */
  cursor: string;
  /** when journald received it (its realtime timestamp) */
  at: number;
  user: string;
  console: string;
}

export interface RunRecord extends RecordBase {
  event: 'intent' | 'outcome';
  runId: string;
  actionId: string;
  command: string;
  chainHead: string;
  /** outcome records: succeeded, failed, interrupted */
  outcome: string | null;
  exitCode: number | null;
  /** the key of the alert the run was started from; null: none, or a record from before the field */
  alertKey: string | null;
}

export interface AckRecord extends RecordBase {
  event: 'ack';
  /** deployment/rule/item: the same problem on every console (alert ids are each console's own) */
  alertKey: string;
  /** ack (this instance), snooze (until), unsnooze */
  kind: 'ack' | 'snooze' | 'unsnooze';
  until: number | null;
}

export type TeamRecord = RunRecord | AckRecord;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** One line of `journalctl -o json`; null for anything that is not a well-formed opsdeck record. */
export function parseTeamRecord(hostId: string, line: string): TeamRecord | null {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    entry = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  if (entry['SYSLOG_IDENTIFIER'] !== 'opsdeck') return null;
  const cursor = str(entry['__CURSOR']);
  const micros = Number(str(entry['__REALTIME_TIMESTAMP']));
  const user = str(entry['OPSDECK_USER']);
  const console = str(entry['OPSDECK_CONSOLE']);
  const event = str(entry['OPSDECK_EVENT']);
  if (!cursor || !Number.isFinite(micros) || !user || console === null) return null;
  const base = { hostId, cursor, at: Math.floor(micros / 1000), user, console };
  if (event === 'intent' || event === 'outcome') {
    const runId = str(entry['OPSDECK_RUN']);
    const actionId = str(entry['OPSDECK_ACTION']);
    const head = str(entry['OPSDECK_CHAIN_HEAD']);
    let command: unknown = null;
    try {
      command = JSON.parse(str(entry['OPSDECK_COMMAND']) ?? 'null');
    } catch {
      return null;
    }
    if (!runId || !actionId || head === null || typeof command !== 'string') return null;
    const exit = str(entry['OPSDECK_EXIT']);
    return {
      alertKey: runAlertKey(str(entry['OPSDECK_ALERT'])),
      ...base,
      event,
      runId,
      actionId,
      command,
      chainHead: head,
      outcome: event === 'outcome' ? (str(entry['OPSDECK_OUTCOME']) ?? 'unknown') : null,
      exitCode: exit !== null && /^\d{1,3}$/.test(exit) ? Number(exit) : null,
    };
  }
  if (event === 'ack') {
    const alertKey = str(entry['OPSDECK_ALERT_KEY']);
    const kind = str(entry['OPSDECK_ACK']);
    const untilText = str(entry['OPSDECK_UNTIL']);
    if (!alertKey || (kind !== 'ack' && kind !== 'snooze' && kind !== 'unsnooze')) return null;
    const until = untilText ? Date.parse(untilText) : NaN;
    if (kind === 'snooze' && !Number.isFinite(until)) return null;
    return { ...base, event, alertKey, kind, until: Number.isFinite(until) ? until : null };
  }
  return null;
}

/** OPSDECK_ALERT's key; a value that is not the JSON the envelope writes names no alert. */
function runAlertKey(text: string | null): string | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    const key = v && typeof v === 'object' ? (v as { key?: unknown }).key : null;
    return typeof key === 'string' && key !== '' ? key : null;
  } catch {
    return null;
  }
}

/**
 * The command that writes an ack record into a host's journal. Values travel as positional
 * arguments, never inside the script, and may not hold a line break (one line is one field).
 */
export function ackRecordCommand(ack: {
  user: string;
  console: string;
  alertKey: string;
  kind: AckRecord['kind'];
  until: string | null;
  title: string;
}): string {
  for (const [name, value] of Object.entries(ack)) {
    if (value !== null && /[\n\r\0]/.test(value)) throw new Error(`${name} cannot hold a line break or NUL`);
  }
  const script = [
    'u=$1 k=$2 key=$3 kind=$4 until=$5 t=$6',
    '{ printf \'MESSAGE=%s\\n\' "opsdeck: $u ${kind}ed $t"',
    '  printf \'%s\\n\' SYSLOG_IDENTIFIER=opsdeck OPSDECK_EVENT=ack "OPSDECK_USER=$u" "OPSDECK_CONSOLE=$k" "OPSDECK_ALERT_KEY=$key" "OPSDECK_ACK=$kind" "OPSDECK_UNTIL=$until"',
    '} | logger --journald',
  ].join('\n');
  const words = [script, 'opsdeck-ack', ack.user, ack.console, ack.alertKey, ack.kind, ack.until ?? '', ack.title];
  return `sh -c ${words.map(shellQuote).join(' ')}`;
}

/** A console's name in host records: user@machine plus a short id, stable across restarts. */
export function consoleName(user: string, machine: string, stateId: string): string {
  const id = createHash('sha256').update(stateId).digest('hex').slice(0, 6);
  return `${user}@${machine}/${id}`.replace(/[\n\r\0]/g, ' ');
}
