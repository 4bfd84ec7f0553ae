// Keeps a HostFacts per host: on an interval, each connected host runs hostFactsScript once
// (one exec channel over the pooled connection, never a new connection, never one per figure),
// the output is parsed and assessed, and the result goes to onUpdate (the app batches it).
// A host that is not connected is not dialled from here: the pool owns reconnecting; its facts
// turn 'unknown' with the connection's error until it is back.
import type { ConnectionState, HostFacts, HostId } from '../../../common/contract';
import type { Logger } from '../../../common/logger';
import { isoAt, type Clock, type Timers } from '../clock';
import type { ExecOptions, ExecResult } from '../hostExec';
import { assessHost, type Thresholds } from './assessHost';
import { DEFAULT_PROCESSES, DEFAULT_UNITS, hostFactsScript, SECTION_MARK } from './hostFactsScript';
import { parseHostFacts, type CpuTimes } from './parseHostFacts';
// the health history's fixed-size series (typed arrays, allocated once) serves sparklines too
import { RingBuffer } from '../health/history/RingBuffer';
import { redactDeep } from '../redact/Redactor';

export interface HostMonitorPool {
  exec(id: HostId, command: string, opts?: ExecOptions): Promise<ExecResult>;
  onState(listener: (s: ConnectionState) => void): () => void;
  states(): ConnectionState[];
}

export interface HostMonitorSettings extends Thresholds {
  refreshMs: number;
  historyLength: number;
  units: readonly string[];
  processes: Readonly<Record<string, string>>;
  /** a refresh that takes longer is abandoned (the remote script is killed with its channel) */
  timeoutMs: number;
}

export const DEFAULT_HOST_MONITOR_SETTINGS: HostMonitorSettings = {
  diskAmberPct: 80,
  diskRedPct: 90,
  refreshMs: 10_000,
  historyLength: 60,
  units: DEFAULT_UNITS,
  processes: DEFAULT_PROCESSES,
  timeoutMs: 8_000,
};

export interface HostMonitorDeps {
  pool: HostMonitorPool;
  hostIds: readonly HostId[];
  settings: HostMonitorSettings;
  clock: Clock;
  timers: Timers;
  onUpdate: (facts: HostFacts) => void;
  logger: Pick<Logger, 'warn'>;
  /** scrubs every string of the facts before they are kept or pushed (the app's Redactor) */
  redact?: (text: string) => string;
}

/** Output beyond this is a broken or hostile host; the figures we need fit in a few KB. */
const MAX_OUTPUT_CHARS = 256 * 1024;
/** stderr is kept only to say why a script did not run */
const MAX_STDERR_CHARS = 4 * 1024;

interface HostEntry {
  facts: HostFacts;
  prevCpu: CpuTimes | null;
  /** the refresh running now */
  inflight: Promise<void> | null;
  /**
   * the one refresh queued behind it: a caller that asks while a refresh runs wants figures
   * read after its request (a unit it just stopped), so it waits for one more run; every such
   * caller shares that run, so a burst of requests still opens at most two channels
   */
  queued: Promise<void> | null;
  history: { load1: RingBuffer; memPct: RingBuffer; diskPct: RingBuffer };
}

const emptyFacts = (hostId: HostId): HostFacts => ({
  hostId,
  status: 'unknown',
  trouble: 1000,
  reasons: ['no facts yet'],
  refreshedAt: null,
  error: null,
  os: null,
  kernel: null,
  uptimeSeconds: null,
  load: null,
  cpus: null,
  cpuPct: null,
  memory: null,
  disks: [],
  units: [],
  unitsError: 'not read yet',
  failedUnits: [],
  failedUnitsError: 'not read yet',
  processes: [],
  history: { at: [], load1: [], memPct: [], diskPct: [] },
});

export class HostMonitor {
  private readonly entries = new Map<HostId, HostEntry>();
  private readonly script: string;
  private readonly processNames: string[];
  private timer: unknown = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = true;
  /** exec channels opened so far (the bench reports it per refresh) */
  execCount = 0;

  constructor(private readonly deps: HostMonitorDeps) {
    this.script = hostFactsScript(deps.settings.units, deps.settings.processes);
    this.processNames = Object.keys(deps.settings.processes);
    for (const id of deps.hostIds) this.entries.set(id, this.newEntry(id));
  }

  private newEntry(id: HostId): HostEntry {
    const n = this.deps.settings.historyLength;
    return {
      facts: emptyFacts(id),
      prevCpu: null,
      inflight: null,
      queued: null,
      history: { load1: new RingBuffer(n), memPct: new RingBuffer(n), diskPct: new RingBuffer(n) },
    };
  }

  /**
   * The fleet changed without a restart (hosts imported or removed): new hosts get an entry
   * (shown at once as "no facts yet", refreshed when they connect); removed ones are dropped.
   */
  setHosts(hostIds: readonly HostId[]): void {
    const next = new Set(hostIds);
    for (const id of [...this.entries.keys()]) if (!next.has(id)) this.entries.delete(id);
    for (const id of hostIds) {
      if (this.entries.has(id)) continue;
      const entry = this.newEntry(id);
      this.entries.set(id, entry);
      this.deps.onUpdate(entry.facts);
      const state = this.deps.pool.states().find((s) => s.hostId === id);
      if (state) this.onConnection(state);
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.deps.pool.onState((state) => this.onConnection(state));
    for (const state of this.deps.pool.states()) this.onConnection(state);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  all(): HostFacts[] {
    return [...this.entries.values()].map((e) => e.facts);
  }

  /** Refresh one host now if it is connected; false for an unknown host. */
  refreshNow(id: HostId): boolean {
    if (!this.entries.has(id)) return false;
    void this.refresh(id);
    return true;
  }

  /** One round over every connected host; resolves when all have answered (the bench awaits it). */
  async refreshAll(): Promise<void> {
    const connected = new Set(
      this.deps.pool
        .states()
        .filter((s) => s.state === 'connected')
        .map((s) => s.hostId),
    );
    await Promise.all([...this.entries.keys()].filter((id) => connected.has(id)).map((id) => this.refresh(id)));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      void this.refreshAll().finally(() => this.schedule());
    }, this.deps.settings.refreshMs);
  }

  private onConnection(state: ConnectionState): void {
    const entry = this.entries.get(state.hostId);
    if (!entry || this.stopped) return;
    if (state.state === 'connected') {
      void this.refresh(state.hostId);
      return;
    }
    const why =
      state.state === 'failed'
        ? `not connected: ${state.error ?? 'failed'}`
        : state.state === 'unresponsive'
          ? `not answering: ${state.error ?? 'unresponsive'}`
          : `not connected (${state.state})`;
    // keep the last figures for context, but say they are not current
    this.publish(entry, this.unreadable(entry, why));
    entry.prevCpu = null;
  }

  private refresh(id: HostId): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry || this.stopped) return Promise.resolve();
    if (entry.inflight) {
      entry.queued ??= entry.inflight.then(() => {
        entry.queued = null;
        return this.refresh(id);
      });
      return entry.queued;
    }
    entry.inflight = this.runRefresh(id, entry).finally(() => {
      entry.inflight = null;
    });
    return entry.inflight;
  }

  private async runRefresh(id: HostId, entry: HostEntry): Promise<void> {
    let out = '';
    let err = '';
    let truncated = false;
    try {
      this.execCount++;
      const result = await this.deps.pool.exec(id, this.script, {
        timeoutMs: this.deps.settings.timeoutMs,
        onStdout: (chunk) => {
          if (out.length + chunk.length > MAX_OUTPUT_CHARS) truncated = true;
          else out += chunk;
        },
        onStderr: (chunk) => {
          if (err.length < MAX_STDERR_CHARS) err += chunk;
        },
      });
      if (this.stopped) return;
      if (result.timedOut) throw new Error(`the facts script did not finish within ${this.deps.settings.timeoutMs} ms`);
      if (truncated) throw new Error(`the facts script printed more than ${MAX_OUTPUT_CHARS} characters`);
      // not one section printed and a failing exit: the script never ran (a shell or a demo host
      // refused it); the host's own words say why, where "could not read …" for every figure would not
      if (result.exitCode !== 0 && !out.includes(SECTION_MARK)) {
        const said = err
          .split('\n')
          .find((line) => line.trim())
          ?.trim()
          .slice(0, 300);
        throw new Error(`the facts script did not run (exit ${result.exitCode ?? result.signal ?? 'unknown'})${said ? `: ${said}` : ''}`);
      }
      this.apply(entry, out);
    } catch (err) {
      if (this.stopped) return;
      const why = (err as Error).message;
      this.deps.logger.warn(`host facts ${id}: ${why}`);
      this.publish(entry, this.unreadable(entry, why));
    }
  }

  /** The last figures stay for context, but what systemctl said is not current: unknown, with this host's own reason. */
  private unreadable(entry: HostEntry, why: string): HostFacts {
    return { ...entry.facts, status: 'unknown', trouble: 1000, reasons: [why], error: why, unitsError: why, failedUnitsError: why };
  }

  private apply(entry: HostEntry, output: string): void {
    const now = this.deps.clock.now();
    const parsed = parseHostFacts(output, this.processNames);
    const assessment = assessHost(parsed, this.deps.settings);
    let cpuPct: number | null = null;
    if (parsed.cpu && entry.prevCpu) {
      const dTotal = parsed.cpu.total - entry.prevCpu.total;
      const dBusy = parsed.cpu.busy - entry.prevCpu.busy;
      if (dTotal > 0 && dBusy >= 0) cpuPct = Math.round((dBusy / dTotal) * 1000) / 10;
    }
    entry.prevCpu = parsed.cpu;
    const memPct = parsed.memory ? Math.round((parsed.memory.usedBytes / parsed.memory.totalBytes) * 1000) / 10 : null;
    const diskPct = assessment.disks.length ? Math.max(...assessment.disks.map((d) => d.usedPct)) : null;
    const h = entry.history;
    h.load1.push(now, parsed.load?.[0] ?? 0);
    h.memPct.push(now, memPct ?? 0);
    h.diskPct.push(now, diskPct ?? 0);
    const load1 = h.load1.read();
    this.publish(entry, {
      hostId: entry.facts.hostId,
      status: assessment.status,
      trouble: assessment.trouble,
      reasons: assessment.reasons,
      refreshedAt: isoAt(now),
      error: null,
      os: parsed.os,
      kernel: parsed.kernel,
      uptimeSeconds: parsed.uptimeSeconds,
      load: parsed.load,
      cpus: parsed.cpus,
      cpuPct,
      memory: parsed.memory,
      disks: assessment.disks,
      units: assessment.units,
      unitsError: parsed.unitsError,
      failedUnits: parsed.failedUnits,
      failedUnitsError: parsed.failedUnitsError,
      processes: assessment.processes,
      history: {
        at: load1.map(([t]) => isoAt(t)),
        load1: load1.map(([, v]) => v),
        memPct: h.memPct.read().map(([, v]) => v),
        diskPct: h.diskPct.read().map(([, v]) => v),
      },
    });
  }

  private publish(entry: HostEntry, facts: HostFacts): void {
    // Host output goes to the renderer: every string (reasons, errors, unit and mount names)
    // passes the redactor first.
    if (this.deps.redact) facts = redactDeep(facts, this.deps.redact) as HostFacts;
    entry.facts = facts;
    this.deps.onUpdate(facts);
  }
}
