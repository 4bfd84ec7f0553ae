// Per-host locks on units, queues and config files: one change at a time to any of them on a
// host, so a double click or a second engineer's run is refused instead of running twice.

export interface LockHolder {
  runId: string;
  actionId: string;
}

export class HostLocks {
  private readonly held = new Map<string, LockHolder>();

  /**
   * Take every key on every host, or none. Returns null on success, or the first one already
   * held and by whom.
   */
  acquire(hostIds: readonly string[], keys: readonly string[], holder: LockHolder): { hostId: string; key: string; by: LockHolder } | null {
    for (const hostId of hostIds) {
      for (const key of keys) {
        const by = this.held.get(slot(hostId, key));
        if (by) return { hostId, key, by };
      }
    }
    for (const hostId of hostIds) for (const key of keys) this.held.set(slot(hostId, key), holder);
    return null;
  }

  /** Release one host's keys, only if this run holds them. */
  release(hostId: string, keys: readonly string[], runId: string): void {
    for (const key of keys) {
      const s = slot(hostId, key);
      if (this.held.get(s)?.runId === runId) this.held.delete(s);
    }
  }

  holder(hostId: string, key: string): LockHolder | undefined {
    return this.held.get(slot(hostId, key));
  }
}

// host ids cannot hold a NUL (contract: [a-z0-9_.-]), so this key cannot collide
const slot = (hostId: string, key: string): string => `${hostId}\u0000${key}`;
