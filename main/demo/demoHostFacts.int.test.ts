// The Hosts view on the built-in demo fleet: the app's HostMonitor sends its facts script over
// the SessionPool to the in-process demo hosts (sim/demoHost.ts), which answer it from their
// host model (sim/demoHostFacts.ts), and the console's own parser and assessment read the
// answer. Units are stopped and restarted through the catalog's actions, as an engineer would,
// and the next refresh must show it. The simulator runs on a manual clock with no journal
// timer; refreshes are asked for explicitly (the monitor's own interval is an hour), so nothing
// here depends on how fast the machine is.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, HostFacts, HostId, ParamValues } from '../../common/contract';
import { ManualClock } from '../../sim/clock';
import { NOT_EMULATED } from '../../sim/commandIo';
import type { DemoFleet } from '../../sim/demoHost';
import type { ActionService } from '../core/actions/ActionService';
import { bundledCatalog } from '../core/actions/Catalog';
import { systemTimers } from '../core/clock';
import { startDemoFleetForConsole } from './demoFleet';
import { demoActionService } from './demoFleet.testSupport';
import { DEFAULT_HOST_MONITOR_SETTINGS, HostMonitor } from '../core/hosts/HostMonitor';
import { hostFactsScript } from '../core/hosts/hostFactsScript';
import { Redactor } from '../core/redact/Redactor';
import { SessionPool } from '../core/ssh/SessionPool';

const H1 = 'demo-1' as HostId;
const H2 = 'demo-2' as HostId;
const catalog = bundledCatalog();
const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
const settings = { ...DEFAULT_HOST_MONITOR_SETTINGS, refreshMs: 3_600_000 };

let demo: DemoFleet;
let pool: SessionPool;
let monitor: HostMonitor;
let svc: ActionService;
let dir: string;
const redactor = new Redactor();

const facts = (id: HostId): HostFacts => monitor.all().find((f) => f.hostId === id)!;
const unit = (id: HostId, name: string) => facts(id).units.find((u) => u.unit === `${name}.service`);

/** One refresh of every connected host, read after this call (as after an action). */
async function refreshed(): Promise<void> {
  const before = monitor.execCount;
  await monitor.refreshAll();
  expect(monitor.execCount, 'both hosts refreshed').toBeGreaterThanOrEqual(before + 2);
}

const statuses: EventPayload<'onRunStatus'>[] = [];

/** Run a catalog action as the console does; its final state on the host. */
async function act(actionId: string, params: ParamValues, host: HostId = H1): Promise<string | undefined> {
  const p = await svc.previewChecked({ actionId, params, hostIds: [host] });
  const typed = p.confirmation.kind === 'typed' ? p.confirmation.text : undefined;
  const { runId } = svc.run({ token: p.token, typedConfirmation: typed });
  await svc.settled(runId);
  return statuses.filter((s) => s.runId === runId && s.hostId === host).at(-1)?.state;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-demo-facts-'));
  const fleet = await startDemoFleetForConsole({
    stateDir: dir,
    catalog,
    hostFacts: { units: settings.units, processes: settings.processes },
    demo: { clock, cycleSeconds: null, journalIntervalMs: 0 },
  });
  demo = fleet.demoFleet;
  pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 1000 } });
  pool.setHosts([...fleet.targets]);
  monitor = new HostMonitor({
    pool,
    hostIds: fleet.hosts.map((h) => h.id),
    settings,
    clock,
    timers: systemTimers,
    onUpdate: () => {},
    logger: { warn: () => {} },
    redact: (text) => redactor.redact(text),
  });
  monitor.start();
  // the app connects every host at start; the monitor never dials
  await Promise.all(fleet.hosts.map((h) => pool.connect(h.id)));
  svc = demoActionService({ pool, hosts: fleet.hosts, dir, redactor, catalog, emitStatus: (p) => statuses.push(p) });
});

afterAll(async () => {
  monitor?.stop();
  await svc?.stopAll();
  await pool?.close();
  await demo?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('host facts on the demo fleet', () => {
  it('every figure of a healthy demo host parses: OS, load, CPU, memory, disks, units, the IB Gateway', async () => {
    // both hosts connect and answer their first refresh on their own
    const first = () => [H1, H2].map((id) => (facts(id).refreshedAt !== null ? 'refreshed' : (facts(id).error ?? 'waiting')));
    await expect.poll(first, { timeout: 30_000 }).toEqual(['refreshed', 'refreshed']);
    demo.sim.model.setScenario('normal');
    await refreshed();
    for (const [id, cpus] of [
      [H1, 2],
      [H2, 4],
    ] as const) {
      const f = facts(id);
      expect(f.error).toBeNull();
      expect(f.reasons).toEqual([]);
      expect(f.status).toBe('ok');
      expect(f.os).toBe('Debian GNU/Linux 12 (bookworm)');
      expect(f.kernel).toMatch(/^Linux 6\.1\./);
      expect(f.cpus).toBe(cpus);
      expect(f.uptimeSeconds).toBeGreaterThan(3 * 86400);
      expect(f.load).toHaveLength(3);
      expect(f.load!.every((l) => l > 0 && l < cpus)).toBe(true);
      expect(f.memory!.totalBytes).toBeGreaterThan(4 * 1024 ** 3);
      expect(f.memory!.usedBytes).toBeGreaterThan(0);
      expect(f.memory!.usedBytes).toBeLessThan(f.memory!.totalBytes);
      // the runtime tmpfs mounts are dropped as on any host; the root and log filesystems stay
      expect(f.disks.map((d) => [d.mount, d.status])).toEqual([
        ['/', 'ok'],
        ['/var/log', 'ok'],
      ]);
      expect(f.units.map((u) => [u.unit, u.status, u.why])).toEqual([
        ['autotrader-api.service', 'ok', 'running'],
        ['autotrader-ingestion.service', 'ok', 'running'],
        ['autotrader-workers.service', 'ok', 'running'],
        ['autotrader-seed-queues.service', 'ok', 'finished (oneshot)'],
        ['redis-server.service', 'ok', 'running'],
      ]);
      // the PIDs are the model's, the ones `systemctl status` prints
      expect(unit(id, 'autotrader-ingestion')?.mainPid).toBe(demo.models[id === H1 ? 0 : 1]!.units['autotrader-ingestion'].mainPid);
      expect(f.processes).toEqual([{ name: 'IB Gateway', running: true, pids: [expect.any(Number)], commands: ['java'] }]);
    }
  });

  it('figures move slowly between refreshes, and CPU use is read from the counters', async () => {
    await refreshed();
    const first = facts(H1);
    clock.advanceSeconds(10);
    await refreshed();
    const next = facts(H1);
    expect(next.cpuPct).not.toBeNull();
    expect(next.cpuPct!).toBeGreaterThan(0);
    expect(next.cpuPct!).toBeLessThan(50);
    expect(next.uptimeSeconds! - first.uptimeSeconds!).toBeCloseTo(10, 1);
    expect(Math.abs(next.load![0] - first.load![0])).toBeLessThan(0.5);
    expect(Math.abs(next.memory!.usedBytes - first.memory!.usedBytes) / first.memory!.totalBytes).toBeLessThan(0.02);
    // ten minutes later something has moved
    clock.advanceSeconds(600);
    await refreshed();
    expect(facts(H1).load![0]).not.toBe(next.load![0]);
    expect(facts(H1).history.load1.length).toBeGreaterThanOrEqual(3);
  });

  it('a unit stopped with service.stop shows stopped in the next refresh; a restart brings it back with a new PID', async () => {
    const before = unit(H1, 'autotrader-workers')!;
    expect(before.status).toBe('ok');
    expect(await act('service.stop', { unit: 'autotrader-workers' })).toBe('succeeded');
    await refreshed();
    const stopped = unit(H1, 'autotrader-workers')!;
    expect(stopped).toMatchObject({ active: 'inactive', sub: 'dead', status: 'fail', why: 'stopped (dead)', mainPid: null });
    expect(facts(H1).status).toBe('fail');
    expect(facts(H1).reasons).toContain('autotrader-workers.service stopped (dead)');
    // the other host's unit was not touched
    expect(unit(H2, 'autotrader-workers')?.status).toBe('ok');

    expect(await act('service.restart', { unit: 'autotrader-workers' })).toBe('succeeded');
    await refreshed();
    const back = unit(H1, 'autotrader-workers')!;
    expect(back).toMatchObject({ active: 'active', sub: 'running', status: 'ok' });
    expect(back.mainPid).not.toBeNull();
    expect(back.mainPid).not.toBe(before.mainPid);
    expect(back.restarts).toBe((before.restarts ?? 0) + 1);
    expect(facts(H1).status).toBe('ok');

    const api = unit(H1, 'autotrader-api')!;
    expect(await act('service.restart', { unit: 'autotrader-api' })).toBe('succeeded');
    await refreshed();
    expect(unit(H1, 'autotrader-api')!.mainPid).not.toBe(api.mainPid);
    expect(unit(H1, 'autotrader-api')!.since).not.toBe(api.since);
  });

  it('the IB Gateway process is gone while the broker is down, and back with the broker', async () => {
    demo.sim.model.setScenario('broker-down');
    await refreshed();
    for (const id of [H1, H2]) {
      expect(facts(id).processes).toEqual([{ name: 'IB Gateway', running: false, pids: [], commands: [] }]);
      expect(facts(id).reasons).toEqual(['IB Gateway not running']);
      expect(facts(id).status).toBe('warn');
    }
    demo.sim.model.setScenario('normal');
    await refreshed();
    expect(facts(H1).processes[0]?.running).toBe(true);
    expect(facts(H1).status).toBe('ok');
  });

  it('a facts script other than the one the demo was handed exits 127 saying so, and the Hosts view shows why', async () => {
    let err = '';
    const other = hostFactsScript(['nginx.service']);
    const result = await pool.exec(H1, other, { onStderr: (chunk) => (err += chunk) });
    expect(result.exitCode).toBe(NOT_EMULATED);
    expect(err).toMatch(
      /^opsdeck demo host: 'host facts script: not the text this demo was started with \(other units or process probes\?\); .*' is not emulated in the demo\n$/,
    );

    const otherMonitor = new HostMonitor({
      pool,
      hostIds: [H1],
      settings: { ...settings, units: ['nginx.service'] },
      clock,
      timers: systemTimers,
      onUpdate: () => {},
      logger: { warn: () => {} },
    });
    otherMonitor.start();
    try {
      await otherMonitor.refreshAll();
      const shown = otherMonitor.all()[0]!;
      expect(shown.status).toBe('unknown');
      expect(shown.error).toMatch(/^the facts script did not run \(exit 127\): opsdeck demo host: 'host facts script: not the text this demo was started with/);
    } finally {
      otherMonitor.stop();
    }
  });
});
