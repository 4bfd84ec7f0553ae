// Follows every host's opsdeck journal entries (the runs and acks of every console on the team)
// and keeps them as one merged timeline. Each host is one long-lived `journalctl -f` over the
// host's pooled connection; when it ends (link dropped, host rebooted) it starts again from the
// last cursor it received, so nothing is read twice or skipped. A host that cannot be reached is
// asked again after `retryMs`; the SSH pool decides when it actually reconnects.
import type { HostId } from '../../../common/contract';
import type { Timers } from '../clock';
import type { HostExecutor } from '../hostExec';
import { shellQuote } from '../shellQuote';
import { parseTeamRecord, type TeamRecord } from './teamRecords';

export interface TeamActivityDeps {
  executor: HostExecutor;
  timers: Timers;
  /** new records, in the order they arrived from one host */
  onRecords(records: TeamRecord[]): void;
  logger?: { warn(message: string): void };
  /** wait before asking a host again after its follow ended; default 5 s */
  retryMs?: number;
  /** entries read back from each host's journal when its follow first starts; default 500 */
  backlog?: number;
  /** records kept in memory across the fleet; default 5000, oldest dropped first */
  maxRecords?: number;
}

interface Follow {
  hostId: HostId;
  cursor: string | null;
  abort: AbortController;
  retry: ReturnType<Timers['setTimeout']> | null;
  /** true once a follow has been started and has not yet ended */
  running: boolean;
}

export function followCommand(cursor: string | null, backlog: number): string {
  const base = 'journalctl --output=json --no-pager';
  if (cursor) return `${base} --follow --after-cursor=${shellQuote(cursor)} SYSLOG_IDENTIFIER=opsdeck`;
  // systemd 252's `journalctl --follow --lines=N` with a match that nothing has hit yet prints
  // nothing, not even what is written afterwards; `--since` follows correctly. So the backlog is
  // read on its own, then followed from a second before it was read: what both print twice has
  // the same cursor and is kept once.
  const script = `t=$(date +%s); ${base} --lines=${backlog} SYSLOG_IDENTIFIER=opsdeck; exec ${base} --follow --since=@$((t-1)) SYSLOG_IDENTIFIER=opsdeck`;
  return `sh -c ${shellQuote(script)}`;
}

export class TeamActivity {
  private readonly follows = new Map<HostId, Follow>();
  private readonly kept: TeamRecord[] = [];
  private readonly seen = new Set<string>();
  private readonly retryMs: number;
  private readonly backlog: number;
  private readonly maxRecords: number;
  private stopped = false;

  constructor(private readonly deps: TeamActivityDeps) {
    this.retryMs = deps.retryMs ?? 5000;
    this.backlog = deps.backlog ?? 500;
    this.maxRecords = deps.maxRecords ?? 5000;
  }

  /** Follow exactly these hosts: new ones start, removed ones stop. */
  setHosts(hostIds: readonly HostId[]): void {
    const wanted = new Set(hostIds);
    for (const [id, follow] of this.follows) {
      if (!wanted.has(id)) {
        this.halt(follow);
        this.follows.delete(id);
      }
    }
    for (const id of wanted) {
      if (this.follows.has(id)) continue;
      const follow: Follow = { hostId: id, cursor: null, abort: new AbortController(), retry: null, running: false };
      this.follows.set(id, follow);
      if (!this.stopped) this.begin(follow);
    }
  }

  /** Every record kept, oldest first. */
  records(): TeamRecord[] {
    return [...this.kept];
  }

  /** The last cursor read from each host (tests; a console could persist them). */
  cursors(): Map<HostId, string | null> {
    return new Map([...this.follows].map(([id, f]) => [id, f.cursor]));
  }

  stop(): void {
    this.stopped = true;
    for (const follow of this.follows.values()) this.halt(follow);
  }

  private halt(follow: Follow): void {
    follow.abort.abort();
    if (follow.retry !== null) this.deps.timers.clearTimeout(follow.retry);
    follow.retry = null;
  }

  private begin(follow: Follow): void {
    if (this.stopped || follow.abort.signal.aborted || follow.running) return;
    follow.running = true;
    let partial = '';
    const onStdout = (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      const fresh: TeamRecord[] = [];
      for (const line of lines) {
        if (!line) continue;
        const record = parseTeamRecord(follow.hostId, line);
        if (!record) continue;
        follow.cursor = record.cursor;
        if (this.keep(record)) fresh.push(record);
      }
      if (fresh.length) this.deliver(fresh);
    };
    this.deps.executor
      .exec(follow.hostId, followCommand(follow.cursor, this.backlog), { onStdout, signal: follow.abort.signal })
      .catch((error: Error) => {
        if (!follow.abort.signal.aborted) this.deps.logger?.warn(`team activity: ${follow.hostId}: ${error.message}`);
      })
      .finally(() => {
        follow.running = false;
        if (this.stopped || follow.abort.signal.aborted) return;
        follow.retry = this.deps.timers.setTimeout(() => {
          follow.retry = null;
          this.begin(follow);
        }, this.retryMs);
      });
  }

  private keep(record: TeamRecord): boolean {
    const id = `${record.hostId}\u0000${record.cursor}`;
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    // records arrive nearly in time order; insert from the end to keep the timeline sorted
    let i = this.kept.length;
    while (i > 0 && this.kept[i - 1]!.at > record.at) i--;
    this.kept.splice(i, 0, record);
    while (this.kept.length > this.maxRecords) {
      const dropped = this.kept.shift()!;
      this.seen.delete(`${dropped.hostId}\u0000${dropped.cursor}`);
    }
    return true;
  }

  private deliver(records: TeamRecord[]): void {
    try {
      this.deps.onRecords(records);
    } catch (error) {
      this.deps.logger?.warn(`team activity: a listener failed: ${(error as Error).message}`);
    }
  }
}
