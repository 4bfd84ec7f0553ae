// A fixed-capacity time series: two typed arrays allocated once, overwritten oldest first.
// Fifty deployments polled for hours must not grow the main process, so nothing here
// allocates after construction except the copy a reader asks for.
export class RingBuffer {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** bytes held by the two arrays: the whole cost of a series, whatever its age */
  get bytes(): number {
    return this.times.byteLength + this.values.byteLength;
  }

  /** the time of the oldest point held (Infinity when empty) */
  get oldest(): number {
    return this.count === 0 ? Infinity : this.times[(this.next - this.count + this.capacity) % this.capacity]!;
  }

  push(time: number, value: number): void {
    this.times[this.next] = time;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  /** The newest point's value (NaN when empty). */
  get newestValue(): number {
    return this.count === 0 ? NaN : this.values[(this.next - 1 + this.capacity) % this.capacity]!;
  }

  /** Overwrites the newest point's value in place (a bucket that took a worse value). */
  setNewestValue(value: number): void {
    if (this.count > 0) this.values[(this.next - 1 + this.capacity) % this.capacity] = value;
  }

  /** Points at or after `since` and before `until`, oldest first. */
  read(since = -Infinity, until = Infinity): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const at = (start + i) % this.capacity;
      const time = this.times[at]!;
      if (time >= since && time < until) out.push([time, this.values[at]!]);
    }
    return out;
  }
}
