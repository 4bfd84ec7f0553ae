// Main pushes state to the renderer as batched diffs, a few per second at most, never one
// event per poll: updates to the same key inside a window collapse to the newest one.
import { systemTimers, type Timers } from '../clock';

export class KeyedBatcher<T> {
  private pending = new Map<string, T>();
  private timer: unknown = null;

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly flush: (items: T[]) => void,
    private readonly windowMs = 250,
    private readonly timers: Timers = systemTimers,
  ) {}

  push(item: T): void {
    this.pending.set(this.keyOf(item), item);
    if (this.timer === null) {
      this.timer = this.timers.setTimeout(() => this.drain(), this.windowMs);
    }
  }

  drain(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const items = [...this.pending.values()];
    this.pending = new Map();
    this.flush(items);
  }

  dispose(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
