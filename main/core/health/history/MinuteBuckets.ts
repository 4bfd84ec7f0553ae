// A day of one series at one point per minute: each minute keeps its worst value (the highest
// latency, usage, error rate or queue depth; the lowest success rate), at the minute's start.
// The worst and not the mean, so a 5 s spike an hour ago is still on the 24 h chart at its
// height, and still crosses the alert line it crossed. At the minute's start and not the
// spike's own second, so every item of a chart has its points at the same times and the
// chart's rows hold a value for each line (lines with a value only every other row would
// draw as gaps). Two typed arrays allocated once; a point costs one comparison, never a copy.
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
      if (this.worse(value, this.values[last]!)) this.values[last] = value;
      return;
    }
    this.minute = minute;
    this.times[this.next] = minute * 60_000;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  /** Each minute's worst value, at the minute's start, for minutes starting at or after `since` and before `until`, oldest first. */
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
