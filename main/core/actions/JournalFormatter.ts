// Turns `journalctl -o json` output back into the short-iso lines an engineer reads, and keeps
// the cursor of the last entry actually received: a follow that loses its connection resumes
// with `--after-cursor` from exactly there, so no line is lost and none is shown twice.

import { LineSplitter } from '../lineSplitter';

/** Longest JSON line kept; a bigger journal entry is replaced by a one-line notice. */
const MAX_LINE = 1_048_576;

export class JournalFormatter {
  private readonly lines = new LineSplitter(MAX_LINE);
  /** cursor of the last whole entry received */
  cursor: string | null = null;

  /** Feed stdout; returns formatted lines (without newlines) for every whole entry received. */
  push(chunk: string): string[] {
    const out: string[] = [];
    for (const line of this.lines.push(chunk)) {
      if (line.cutChars > 0) out.push('[opsdeck: a journal entry over 1 MiB was left out]');
      else if (line.text !== '') out.push(this.format(line.text));
    }
    return out;
  }

  /** The stream ended: an unterminated last line is an entry cut in transit, not shown. */
  end(): void {
    this.lines.end();
  }

  private format(line: string): string {
    let entry: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
      entry = parsed as Record<string, unknown>;
    } catch {
      // journalctl's own notices ("-- No entries --") are not JSON: show them as they are
      return line;
    }
    if (typeof entry.__CURSOR === 'string') this.cursor = entry.__CURSOR;
    const micros = Number(entry.__REALTIME_TIMESTAMP);
    const at = Number.isFinite(micros) ? shortIso(micros / 1000) : '?';
    const host = text(entry._HOSTNAME) ?? '';
    const ident = text(entry.SYSLOG_IDENTIFIER) ?? text(entry._COMM) ?? 'unknown';
    const pid = text(entry.SYSLOG_PID) ?? text(entry._PID);
    return `${at} ${host} ${ident}${pid ? `[${pid}]` : ''}: ${text(entry.MESSAGE) ?? ''}`;
  }
}

/** journald sends non-UTF-8 fields as arrays of byte values, and null when too large. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
  return undefined;
}

/** `2026-11-26T14:03:11+0000`, as `journalctl -o short-iso` prints it in UTC. */
function shortIso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + '+0000';
}
