// Output of one run on one host, on its way to the renderer: redacted line by line, merged into
// batches sent at most once per interval, and bounded so a flood costs neither memory nor a frozen
// UI. A lossless batcher (a follow) never drops: it sends at most the bound per batch and is
// full beyond it, and its reader stops reading the channel (back-pressure) until a batch has gone.
// Otherwise the oldest lines beyond the bound are dropped and counted, visibly. The first lines after
// a quiet interval go out at once (a throttle, not a delay): a command's output is on screen as
// it arrives, and only what follows within the interval waits for the next batch.
import type { Backpressure } from '../hostExec';
import type { Timers } from '../clock';
import { LineRedactor, type Redactor } from '../redact/Redactor';

type Stream = 'stdout' | 'stderr';
export interface OutputChunk {
  stream: Stream;
  text: string;
}

export interface OutputBatcherDeps {
  redactor: Redactor;
  timers: Timers;
  emit(chunks: OutputChunk[], droppedLines: number): void;
  /** at most one batch per this many ms */
  intervalMs?: number;
  /** lines held between batches; the oldest beyond this are dropped and counted (unless lossless) */
  maxLines?: number;
  /** never drop: batches of at most maxLines, and full (see `backpressure`) while more are held */
  lossless?: boolean;
}

export class OutputBatcher implements Backpressure {
  private readonly lines: { stream: Stream; text: string }[] = [];
  private dropped = 0;
  /** the interval since the last batch; lines pushed while it runs wait for its end */
  private timer: unknown = null;
  private closed = false;
  private readonly streams: Record<Stream, LineRedactor>;
  private readonly intervalMs: number;
  private readonly maxLines: number;
  private roomListeners: (() => void)[] = [];

  constructor(private readonly deps: OutputBatcherDeps) {
    this.streams = { stdout: new LineRedactor(deps.redactor), stderr: new LineRedactor(deps.redactor) };
    this.intervalMs = deps.intervalMs ?? 100;
    this.maxLines = deps.maxLines ?? 2000;
  }

  push(stream: Stream, chunk: string): void {
    if (this.closed) return;
    const lines = this.streams[stream].push(chunk);
    if (!lines.length) return;
    for (const text of lines) this.lines.push({ stream, text: text + '\n' });
    this.trim();
    if (this.timer === null) this.flush();
  }

  /** More lines are held than one batch takes: the reader should stop until a batch has gone. */
  isFull(): boolean {
    return !this.closed && this.lines.length > this.maxLines;
  }

  onRoom(listener: () => void): void {
    if (this.isFull()) this.roomListeners.push(listener);
    else listener();
  }

  /** The command ended: send what is left now, unterminated last lines included. */
  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const text of this.streams[stream].end()) this.lines.push({ stream, text });
    }
    this.trim();
    // closed first: this last batch arms no interval after it
    this.closed = true;
    do this.flush();
    while (this.lines.length);
    this.wake();
  }

  private trim(): void {
    if (this.deps.lossless) return;
    const over = this.lines.length - this.maxLines;
    if (over > 0) {
      this.lines.splice(0, over);
      this.dropped += over;
    }
  }

  /** Send what is held now, and hold later lines until an interval has passed. */
  private flush(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    if (!this.lines.length && !this.dropped) return;
    if (!this.closed) {
      this.timer = this.deps.timers.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.intervalMs);
    }
    // merge neighbouring lines of the same stream: fewer, larger chunks for the IPC and the view
    const chunks: OutputChunk[] = [];
    const batch = this.lines.length > this.maxLines ? this.lines.splice(0, this.maxLines) : this.lines.splice(0);
    for (const line of batch) {
      const last = chunks[chunks.length - 1];
      if (last && last.stream === line.stream) last.text += line.text;
      else chunks.push({ ...line });
    }
    const dropped = this.dropped;
    this.dropped = 0;
    this.deps.emit(chunks, dropped);
    this.wake();
  }

  private wake(): void {
    if (this.isFull() || !this.roomListeners.length) return;
    const listeners = this.roomListeners;
    this.roomListeners = [];
    for (const listener of listeners) listener();
  }
}
