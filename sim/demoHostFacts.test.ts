// The demo's host facts over two simulated days, read by the console's own parser: what the
// Hosts view computes from them (CPU % between refreshes, load per CPU, disk %) must stay
// plausible at every refresh, since a counter that ran backwards shows as a negative CPU or none.
import { describe, expect, it } from 'vitest';
import { hostFactsScript } from '../main/core/hosts/hostFactsScript';
import { parseHostFacts } from '../main/core/hosts/parseHostFacts';
import { AutotraderModel } from './autotraderModel';
import { ManualClock } from './clock';
import { NOT_EMULATED } from './commandIo';
import { runDemoCommand } from './demoCommand';
import { DemoHostModel } from './demoHostModel';

const units = ['autotrader-api.service', 'autotrader-workers.service', 'nginx.service'];
const processes = { 'IB Gateway': '[i]bgateway', 'Redis': 'redis-server' };

function setup(seed: number) {
  const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
  const sim = new AutotraderModel({ clock });
  const text = hostFactsScript(units, processes);
  const host = new DemoHostModel({ hostname: `demo-${seed}`, clock, sim, seed, hostFacts: { text, units, processes } });
  const run = async (line: string) => {
    let stdout = '';
    let stderr = '';
    const code = await runDemoCommand(host, clock, line, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), signal: new AbortController().signal });
    return { code, stdout, stderr };
  };
  return { clock, sim, host, text, run };
}

describe('demo host facts', () => {
  it('stay plausible every 10 minutes for two days: counters only grow, CPU 3–21 %, load below the CPUs, disks below amber', async () => {
    for (const seed of [1, 2]) {
      const { clock, text, run } = setup(seed);
      let prev: ReturnType<typeof parseHostFacts> | null = null;
      for (let i = 0; i < 2 * 24 * 6; i++) {
        const { code, stdout } = await run(text);
        expect(code).toBe(0);
        const facts = parseHostFacts(stdout, Object.keys(processes));
        expect(facts.notes).toEqual([]);
        expect(facts.complete).toBe(true);
        expect(facts.load![0]).toBeLessThan(facts.cpus!);
        for (const disk of facts.disks) expect(disk.usedBytes / (disk.usedBytes + disk.availableBytes)).toBeLessThan(0.8);
        if (prev) {
          const busy = (facts.cpu!.busy - prev.cpu!.busy) / (facts.cpu!.total - prev.cpu!.total);
          expect(busy).toBeGreaterThan(0.02);
          expect(busy).toBeLessThan(0.22);
        }
        prev = facts;
        clock.advanceSeconds(600);
      }
    }
  });

  it('reports units it lacks as not-found and probes its own process table', async () => {
    const { text, run } = setup(1);
    const facts = parseHostFacts((await run(text)).stdout, Object.keys(processes));
    expect(facts.units.map((u) => [u.unit, u.load, u.active])).toEqual([
      ['autotrader-api.service', 'loaded', 'active'],
      ['autotrader-workers.service', 'loaded', 'active'],
      ['nginx.service', 'not-found', 'inactive'],
    ]);
    expect(facts.processes.map((p) => [p.name, p.commands])).toEqual([
      ['IB Gateway', ['java']],
      ['Redis', ['/usr/bin/redis-server']],
    ]);
  });

  it('answers only the text it was given: another facts script, or an edited one, exits 127 saying why', async () => {
    const { text, run } = setup(1);
    for (const other of [hostFactsScript(), text.replace('df -B1 -P -T', 'df -h')]) {
      const result = await run(other);
      expect(result.code).toBe(NOT_EMULATED);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^opsdeck demo host: 'host facts script: not the text this demo was started with/);
    }
    // inside the console's exec wrapper, the same rule
    const wrapped = await run(`sh -c 'exec "$1"' opsdeck-exec '${text.replace(/'/g, `'\\''`)}'`);
    expect(wrapped.code).toBe(0);
    expect(wrapped.stdout).toContain('@@opsdeck:end\n');
  });
});
