// Interactive shells for the host view's terminal tabs: an ssh2 shell channel with a pty over
// the host's pooled connection. Output goes to the views as events, coalesced per event-loop
// turn (chunks that arrive together go out together; nothing waits on a timer, so echo latency
// stays the network's). Keystrokes go straight to the channel: they are never logged, audited
// or recorded. Start and end are audited (host, user, time) and, when the config asks, output
// is recorded as asciicast v2 through the Redactor.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { EventPayload, HostId, TerminalId } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Logger } from '../../../common/logger';
import type { AuditEntry } from '../audit/AuditLog';
import { isoAt, type Clock, type Timers } from '../clock';
import type { Redactor } from '../redact/Redactor';
import { AsciicastRecorder } from './AsciicastRecorder';

/** What an ssh2 ClientChannel offers that the terminal needs. */
export interface ShellChannel extends Duplex {
  setWindow(rows: number, cols: number, height: number, width: number): void;
  on(event: 'exit', listener: (code: number | null, signal?: string) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

export interface TerminalServiceDeps {
  shell(hostId: HostId, pty: { cols: number; rows: number; term: string }): Promise<ShellChannel>;
  audit: { append(entry: AuditEntry): Promise<unknown> };
  user: string;
  redactor: Redactor;
  clock: Clock;
  /** the close grace period (CLOSE_GRACE_MS) */
  timers: Timers;
  randomBytes(size: number): Buffer;
  emitOutput(payload: EventPayload<'onTerminalOutput'>): void;
  emitState(payload: EventPayload<'onTerminalState'>): void;
  recording: { enabled: boolean; dir: string };
  logger: Pick<Logger, 'warn'>;
  /** hosts the views may open terminals on */
  knownHost(hostId: HostId): boolean;
  /** coalescing hook; default setImmediate */
  defer?: (fn: () => void) => void;
}

/** Open terminals per host at most: tabs are cheap, but each is a remote shell. */
const MAX_PER_HOST = 8;
/**
 * How long a closed tab waits for the host to confirm its channel's close. ssh2 has no local
 * close for a channel (the 'close' event needs the host's CHANNEL_CLOSE), so past this the tab
 * is ended here; the connection's keepalive deals with a host that is gone for good.
 */
export const CLOSE_GRACE_MS = 2_000;

interface Session {
  id: TerminalId;
  hostId: HostId;
  channel: ShellChannel;
  decoder: StringDecoder;
  pending: string;
  flushQueued: boolean;
  closing: boolean;
  /** the grace timer of close() */
  closeTimer: unknown;
  /** ended() has run: a late close from the host ends nothing twice */
  ended: boolean;
  /** resolves when ended() starts */
  done: Promise<void>;
  markDone: () => void;
  exit: { code: number | null; signal: string | null } | null;
  startedAt: number;
  recorder: AsciicastRecorder | null;
}

export class TerminalService {
  private readonly sessions = new Map<TerminalId, Session>();
  private readonly opening = new Map<HostId, number>();
  private readonly defer: (fn: () => void) => void;

  constructor(private readonly deps: TerminalServiceDeps) {
    this.defer = deps.defer ?? ((fn) => setImmediate(fn));
  }

  async open(hostId: HostId, cols: number, rows: number): Promise<TerminalId> {
    if (!this.deps.knownHost(hostId)) throw new OpsFailure('not-found', `no host "${hostId}"`);
    // Opens still waiting for their channel count too: a burst of calls cannot pass the cap.
    const open = [...this.sessions.values()].filter((s) => s.hostId === hostId).length + (this.opening.get(hostId) ?? 0);
    if (open >= MAX_PER_HOST) throw new OpsFailure('conflict', `${hostId}: ${MAX_PER_HOST} terminals are open already; close one first`);
    this.opening.set(hostId, (this.opening.get(hostId) ?? 0) + 1);
    let channel: Awaited<ReturnType<TerminalServiceDeps['shell']>>;
    try {
      channel = await this.deps.shell(hostId, { cols, rows, term: 'xterm-256color' });
    } finally {
      const left = (this.opening.get(hostId) ?? 1) - 1;
      if (left > 0) this.opening.set(hostId, left);
      else this.opening.delete(hostId);
    }
    const id = `term-${this.deps.randomBytes(8).toString('hex')}` as TerminalId;
    const startedAt = this.deps.clock.now();
    let recorder: AsciicastRecorder | null = null;
    if (this.deps.recording.enabled) {
      try {
        await mkdir(this.deps.recording.dir, { recursive: true, mode: 0o700 });
        const stamp = isoAt(startedAt).replace(/[:.]/g, '-');
        recorder = new AsciicastRecorder(join(this.deps.recording.dir, `${stamp}-${hostId}-${id}.cast`), this.deps.redactor, startedAt, { cols, rows }, () =>
          this.deps.clock.now(),
        );
      } catch (err) {
        this.deps.logger.warn(`terminal ${hostId}: cannot record: ${(err as Error).message}`);
      }
    }
    let markDone = () => {};
    const done = new Promise<void>((resolve) => (markDone = resolve));
    const session: Session = {
      id,
      hostId,
      channel,
      decoder: new StringDecoder('utf8'),
      pending: '',
      flushQueued: false,
      closing: false,
      closeTimer: null,
      ended: false,
      done,
      markDone,
      exit: null,
      startedAt,
      recorder,
    };
    // Listeners go on before the audit write below: a shell that closes meanwhile must still
    // leave the session map (or it would count against the cap forever).
    this.sessions.set(id, session);
    channel.on('data', (chunk: Buffer) => this.output(session, session.decoder.write(chunk)));
    channel.on('exit', (code: number | null, signal?: string) => {
      session.exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
    });
    channel.on('error', () => {
      // ends in 'close' below
    });
    channel.once('close', () => void this.ended(session, null));
    // the start is on disk before the engineer can type: no audit record, no terminal
    try {
      await this.deps.audit.append({ kind: 'note', user: this.deps.user, hostId, outcome: `terminal started${recorder ? ' (recorded)' : ''}` });
    } catch (err) {
      this.sessions.delete(id);
      channel.removeAllListeners('close');
      channel.destroy();
      await recorder?.close().catch(() => {});
      throw new OpsFailure('unavailable', `${hostId}: the terminal was not opened because its start could not be audited: ${(err as Error).message}`);
    }
    this.deps.emitState({ terminalId: id, hostId, state: 'open', reason: null, at: isoAt(startedAt) });
    return id;
  }

  input(id: TerminalId, data: string): boolean {
    const session = this.sessions.get(id);
    if (!session || session.closing) return false;
    session.channel.write(data);
    return true;
  }

  resize(id: TerminalId, cols: number, rows: number): boolean {
    const session = this.sessions.get(id);
    if (!session || session.closing) return false;
    session.channel.setWindow(rows, cols, 0, 0);
    session.recorder?.resize(cols, rows);
    return true;
  }

  close(id: TerminalId): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    if (session.closing) return true;
    session.closing = true;
    // ssh2's destroy() is end() (EOF, which a pty shell ignores) plus CHANNEL_CLOSE, which hangs
    // the shell up; the host's own CHANNEL_CLOSE then ends the tab
    session.channel.destroy();
    // a server that never confirms must not leave the tab half open
    session.closeTimer = this.deps.timers.setTimeout(() => {
      session.closeTimer = null;
      void this.ended(session, 'the host did not confirm');
    }, CLOSE_GRACE_MS);
    return true;
  }

  /** Closes every tab; resolves once each has ended (confirmed by its host, or after the grace period). */
  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    for (const s of sessions) this.close(s.id);
    await Promise.all(sessions.map((s) => s.done));
  }

  count(): number {
    return this.sessions.size;
  }

  private output(session: Session, text: string): void {
    if (!text || session.ended) return;
    session.pending += text;
    session.recorder?.output(text);
    if (session.flushQueued) return;
    session.flushQueued = true;
    this.defer(() => this.flush(session));
  }

  private flush(session: Session): void {
    session.flushQueued = false;
    if (!session.pending) return;
    const data = session.pending;
    session.pending = '';
    this.deps.emitOutput({ terminalId: session.id, data });
  }

  /** `unconfirmed`: the host never confirmed the close, and why the tab was ended anyway */
  private async ended(session: Session, unconfirmed: string | null): Promise<void> {
    if (session.ended) return;
    this.output(session, session.decoder.end());
    this.flush(session);
    session.ended = true;
    session.markDone();
    if (session.closeTimer !== null) this.deps.timers.clearTimeout(session.closeTimer);
    session.closeTimer = null;
    this.sessions.delete(session.id);
    const reason = session.closing
      ? unconfirmed
        ? `closed (${unconfirmed})`
        : 'closed'
      : session.exit
        ? `the shell exited${session.exit.code !== null ? ` with ${session.exit.code}` : ''}${session.exit.signal ? ` (${session.exit.signal})` : ''}`
        : 'the connection to the host was lost';
    const now = this.deps.clock.now();
    this.deps.emitState({ terminalId: session.id, hostId: session.hostId, state: 'closed', reason, at: isoAt(now) });
    await session.recorder?.close().catch(() => {});
    const seconds = Math.round((now - session.startedAt) / 1000);
    await this.deps.audit
      .append({ kind: 'note', user: this.deps.user, hostId: session.hostId, outcome: `terminal ended after ${seconds} s: ${reason}` })
      .catch((err: Error) => this.deps.logger.warn(`terminal ${session.hostId}: cannot audit its end: ${err.message}`));
  }
}
