// A day of one series at one point per minute: each minute keeps its worst point (the highest
// latency, usage, error rate or queue depth; the lowest success rate), with the time it was
// read. The worst and not the mean, so a 5 s spike an hour ago is still on the 24 h chart at
// its height, and still crosses the alert line it crossed. Two typed arrays allocated once;
// a point costs one comparison, never a copy.
export class MinuteBuckets {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;
  /** the minute (epoch ms / 60 000, floored) of the newest bucket */
  private minute = -Infinity;

  /** worse(a, b): a is worse than b for this metric */
  constructor(
    readonly capacity: number,
    private readonly worse: (a: number, b: number) => boolean,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`minute buckets capacity must be a positive integer, got ${capacity}`);
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.times.byteLength + this.values.byteLength;
  }

  /** Points arrive oldest first (a poll's lastGoodAt); one older than the newest minute is ignored. */
  push(time: number, value: number): void {
    const minute = Math.floor(time / 60_000);
    if (minute < this.minute) return;
    if (minute === this.minute) {
      const last = (this.next - 1 + this.capacity) % this.capacity;
      if (this.worse(value, this.values[last]!)) {
        this.times[last] = time;
        this.values[last] = value;
      }
      return;
    }
    this.minute = minute;
    this.times[this.next] = time;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  /** Each minute's worst point at or after `since` and before `until`, oldest first. */
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
