// Desktop notifications wake people up; a flapping or fleet-wide problem must not become fifty
// pop-ups. At most one per problem key in `perKeyMs`, and at most `maxPerHour` in any rolling
// hour over all keys. What is held back is counted, and the alert list still shows it.
import type { Clock } from '../clock';

export class NotificationLimiter {
  private readonly lastByKey = new Map<string, number>();
  /** send times inside the last hour, oldest first (bounded by maxPerHour) */
  private recent: number[] = [];
  suppressed = 0;

  constructor(
    private readonly clock: Clock,
    private readonly perKeyMs: number,
    private readonly maxPerHour: number,
  ) {}

  /** True (and counted as sent) when a notification for this key may go out now. */
  take(key: string): boolean {
    const now = this.clock.now();
    this.recent = this.recent.filter((at) => now - at < 3_600_000);
    const last = this.lastByKey.get(key);
    if ((last !== undefined && now - last < this.perKeyMs) || this.recent.length >= this.maxPerHour) {
      this.suppressed += 1;
      return false;
    }
    this.lastByKey.set(key, now);
    this.recent.push(now);
    // Forget keys whose window has passed so the map stays as small as the active problems.
    if (this.lastByKey.size > 1000) {
      for (const [k, at] of this.lastByKey) if (now - at >= this.perKeyMs) this.lastByKey.delete(k);
    }
    return true;
  }
}
