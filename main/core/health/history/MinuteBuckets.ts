// A day of one series at one point per minute: each minute keeps its worst value (the highest
// latency, usage, error rate or queue depth; the lowest success rate), at the minute's start.
// The worst and not the mean, so a 5 s spike an hour ago is still on the 24 h chart at its
// height, and still crosses the alert line it crossed. At the minute's start and not the
// spike's own second, so every item of a chart has its points at the same times and the
// chart's rows hold a value for each line (lines with a value only every other row would
// draw as gaps). A RingBuffer of one point per minute; a point costs one comparison, never a copy.
import { RingBuffer } from './RingBuffer';

export class MinuteBuckets {
  private readonly ring: RingBuffer;
  /** the minute (epoch ms / 60 000, floored) of the newest bucket */
  private minute = -Infinity;

  /** worse(a, b): a is worse than b for this metric */
  constructor(
    readonly capacity: number,
    private readonly worse: (a: number, b: number) => boolean,
  ) {
    this.ring = new RingBuffer(capacity);
  }

  get size(): number {
    return this.ring.size;
  }

  get bytes(): number {
    return this.ring.bytes;
  }

  /** Points arrive oldest first (a poll's lastGoodAt); one older than the newest minute is ignored. */
  push(time: number, value: number): void {
    const minute = Math.floor(time / 60_000);
    if (minute < this.minute) return;
    if (minute === this.minute) {
      if (this.worse(value, this.ring.newestValue)) this.ring.setNewestValue(value);
      return;
    }
    this.minute = minute;
    this.ring.push(minute * 60_000, value);
  }

  /** Each minute's worst value, at the minute's start, for minutes starting at or after `since` and before `until`, oldest first. */
  read(since = -Infinity, until = Infinity): Array<[number, number]> {
    return this.ring.read(since, until);
  }
}
