// When a refresh is asked for while another is still running, the caller must get figures read
// after its request. On the real fleet this showed up as a flaky escalation test: the engineer
// stopped a unit, asked for a refresh, and got the answer of a run that had started before the
// stop. The race depends on timing, so here the pool is a scripted stand-in whose exec calls
// finish only when the test says so; the script output is a real host's (fixtures/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConnectionState, HostFacts, HostId } from '../../../common/contract';
import { systemClock, systemTimers } from '../clock';
import type { ExecOptions, ExecResult } from '../hostExec';
import { DEFAULT_HOST_MONITOR_SETTINGS, HostMonitor } from './HostMonitor';

const SAMPLE = readFileSync(new URL('./fixtures/bookworm-nspawn.txt', import.meta.url), 'utf8');
const H = 'h1' as HostId;
const withWorkers = (active: boolean) =>
  SAMPLE.replace(
    /Id=autotrader-workers\.service\nLoadState=loaded\nActiveState=\w+\nSubState=\w+/,
    `Id=autotrader-workers.service\nLoadState=loaded\nActiveState=${active ? 'active' : 'inactive'}\nSubState=${active ? 'running' : 'dead'}`,
  );

class ScriptedPool {
  readonly calls: Array<{ finish: (output: string) => void }> = [];
  exec(_id: HostId, _command: string, opts?: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve) => {
      this.calls.push({
        finish: (output) => {
          opts?.onStdout?.(output);
          resolve({ code: 0, signal: null, stdout: '', stderr: '', timedOut: false, cancelled: false } as unknown as ExecResult);
        },
      });
    });
  }
  onState(): () => void {
    return () => {};
  }
  states(): ConnectionState[] {
    return [{ hostId: H, state: 'connected' } as ConnectionState];
  }
}

const workersState = (facts: HostFacts | undefined) => facts?.units.find((u) => u.unit.startsWith('autotrader-workers'))?.active;

describe('HostMonitor refresh while a refresh runs', () => {
  it('runs once more after the running refresh, so a unit stopped meanwhile shows as stopped', async () => {
    const pool = new ScriptedPool();
    const monitor = new HostMonitor({
      pool,
      hostIds: [H],
      settings: { ...DEFAULT_HOST_MONITOR_SETTINGS, refreshMs: 3_600_000 },
      clock: systemClock,
      timers: systemTimers,
      onUpdate: () => {},
      logger: { warn: () => {} },
    });
    monitor.start(); // the host is connected: its first refresh starts now
    expect(pool.calls).toHaveLength(1);
    // the unit stops now, while the first run is reading; the engineer asks again (twice)
    const asked = monitor.refreshAll();
    const askedAgain = monitor.refreshAll();
    pool.calls[0]!.finish(withWorkers(true));
    await expect.poll(() => pool.calls.length).toBe(2);
    pool.calls[1]!.finish(withWorkers(false));
    await Promise.all([asked, askedAgain]);
    expect(pool.calls).toHaveLength(2);
    expect(workersState(monitor.all()[0])).toBe('inactive');
    monitor.stop();
  });

  it('keeps sparkline history bounded: the last historyLength samples, each with its time', async () => {
    const pool = new ScriptedPool();
    let now = Date.parse('2026-11-26T10:00:00Z');
    const monitor = new HostMonitor({
      pool,
      hostIds: [H],
      settings: { ...DEFAULT_HOST_MONITOR_SETTINGS, refreshMs: 3_600_000, historyLength: 3 },
      clock: { now: () => now },
      timers: systemTimers,
      onUpdate: () => {},
      logger: { warn: () => {} },
    });
    monitor.start();
    for (let i = 0; i < 5; i++) {
      pool.calls.at(-1)!.finish(SAMPLE);
      await expect.poll(() => monitor.all()[0]!.refreshedAt).toBe(new Date(now).toISOString());
      now += 10_000;
      if (i < 4) void monitor.refreshAll();
    }
    const h = monitor.all()[0]!.history;
    expect(h.at).toEqual(['2026-11-26T10:00:20.000Z', '2026-11-26T10:00:30.000Z', '2026-11-26T10:00:40.000Z']);
    expect(h.load1).toHaveLength(3);
    expect(h.memPct).toHaveLength(3);
    expect(h.diskPct).toHaveLength(3);
    monitor.stop();
  });
});
