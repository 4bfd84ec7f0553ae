// An incident timeline as Markdown: the alerts and the actions taken, in time order, for the
// post-incident write-up. Built from AlertRecords and AuditRecords; every text passes the
// Redactor again on the way out, since alert texts were never audited.
import type { AuditRecord } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { visibleText } from '../../../common/visibleText';
import type { Redactor } from '../redact/Redactor';

export interface TimelineInput {
  title: string;
  /** ISO times bounding the incident; events outside are left out */
  from: string;
  to: string;
  alerts: readonly AlertRecord[];
  records: readonly AuditRecord[];
  /** the audit chain's verdict at export time, shown so a reader knows what to trust */
  chain: { ok: true } | { ok: false; error: string };
  generatedAt: string;
  generatedBy: string;
  /**
   * what is wrong at export time (endpoints in error, items out of bounds, hosts in trouble),
   * one plain line each; escalation puts it first so the next tier reads the fire before the
   * history. Absent: no such section.
   */
  now?: readonly string[];
  /**
   * what the team's other consoles did, as the hosts' journals recorded it (main/core/team): one
   * line each, marked as a host record so a reader knows it did not come from this log
   */
  teammates?: readonly { at: string; hostId: string; text: string; command: string | null }[];
  redactor: Redactor;
}

interface Event {
  at: string;
  /** tie-break within one millisecond: alert changes before actions, then audit order */
  order: number;
  text: string;
  detail?: string;
  alertId?: string;
  intent?: boolean;
}

export function renderIncidentTimeline(input: TimelineInput): string {
  const r = (s: string) => input.redactor.redact(s);
  const from = Date.parse(input.from);
  const to = Date.parse(input.to);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new Error('timeline: from and to must be ISO times');
  if (from > to) throw new Error('timeline: from is after to');
  const events: Event[] = [];

  for (const a of input.alerts) {
    const where = a.hostId ? `host ${a.hostId}` : `${a.deploymentId}, ${a.section}`;
    const what = `${a.severity} alert ${code(r(a.title))} on ${code(r(a.item))} (${where})`;
    const push = (at: string | null, text: string) => at && events.push({ at, order: 0, text, alertId: a.id });
    // what it was when it fired, not what it is now (a resolved alert's reason is the recovered value)
    // a reason may quote the health API's text (a broker's detail): free text, escaped like a title
    const then = escapeText(r(a.firedReason ?? a.reason));
    push(a.pendingSince, `${what} pending: ${a.firedAt ? then : escapeText(r(a.reason))}`);
    push(a.firedAt, `${what} **fired**: ${then}`);
    push(a.acknowledgedAt, `${what} acknowledged${a.acknowledgedBy ? ` by ${r(a.acknowledgedBy)}` : ''}`);
    push(a.resolvedAt, `${what} **resolved**`);
  }
  for (const rec of input.records) {
    const who = r(rec.user);
    const action = rec.actionId ? code(r(rec.actionId)) : 'command';
    const host = rec.hostId ? ` on ${code(r(rec.hostId))}` : '';
    const run = rec.runId ? ` (${r(rec.runId)})` : '';
    if (rec.kind === 'intent') {
      events.push({
        at: rec.at,
        order: 1 + rec.seq,
        intent: true,
        text: `${who} ran ${action}${host}${run}${rec.alert ? `, from alert ${code(r(rec.alert.title))} on ${code(r(rec.alert.item))} (${r(rec.alert.id)})` : ''}`,
        ...(rec.command ? { detail: r(rec.command) } : {}),
      });
    } else if (rec.kind === 'result') {
      const exit = rec.exitCode === null ? '' : `, exit code ${rec.exitCode}`;
      events.push({ at: rec.at, order: 1 + rec.seq, text: `${action}${host} ${bold(r(rec.outcome ?? 'ended'))}${exit}${run}` });
    } else {
      events.push({ at: rec.at, order: 1 + rec.seq, text: `note${rec.actionId ? ` on ${action}` : ''}${host}: ${r(rec.outcome ?? '')}${run}` });
    }
  }

  for (const t of input.teammates ?? []) {
    events.push({
      at: t.at,
      order: 0.5,
      text: `${escapeText(r(t.text))} (host record on ${code(r(t.hostId))})`,
      ...(t.command ? { detail: r(t.command) } : {}),
    });
  }

  const inRange = events
    .filter((e) => {
      const t = Date.parse(e.at);
      return t >= from && t <= to;
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.order - b.order);

  const lines = [
    `# ${escapeText(r(input.title))}`,
    '',
    `${input.from} to ${input.to}. Exported ${input.generatedAt} by ${escapeText(r(input.generatedBy))}.`,
    '',
    input.chain.ok ? 'Audit log chain: verified.' : `**Audit log chain: BROKEN** (${escapeText(r(input.chain.error))}): records may have been altered.`,
    '',
    ...(input.now
      ? [
          '## What is wrong now',
          '',
          ...(input.now.length ? input.now.map((line) => `- ${escapeText(r(line))}`) : ['- nothing: every endpoint and host is ok']),
          '',
        ]
      : []),
    '| | count |',
    '|---|---|',
    `| alerts | ${new Set(inRange.map((e) => e.alertId).filter(Boolean)).size} |`,
    `| commands run (per host) | ${inRange.filter((e) => e.intent).length} |`,
    '',
    '## Timeline (UTC)',
    '',
  ];
  if (!inRange.length) lines.push('Nothing happened in this window.');
  for (const e of inRange) {
    lines.push(`- **${e.at.slice(11, 19)}** ${e.at.slice(0, 10)}: ${e.text}`);
    if (e.detail) lines.push('', fence(e.detail, '  '), '');
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

/** Inline code that survives backticks inside (CommonMark: a longer fence, padded). */
function code(s: string): string {
  const flat = s.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const tick = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${tick}${pad}${flat}${pad}${tick}`;
}

function fence(s: string, indent: string): string {
  const longest = Math.max(2, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const tick = '`'.repeat(longest + 1);
  return [`${tick}sh`, ...s.split('\n'), tick].map((l) => indent + l).join('\n');
}

const bold = (s: string) => `**${escapeText(s)}**`;

/**
 * Keep Markdown syntax in free text (titles, outcomes, reasons) from formatting or linking, and
 * hidden characters (a bidi override) from reordering what the reader of the pasted text sees.
 */
function escapeText(s: string): string {
  return visibleText(s.replace(/\r?\n/g, ' ')).text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
}
