import { describe, expect, it } from 'vitest';
import { AutotraderModel } from './autotraderModel';
import { ManualClock } from './clock';
import { NOT_EMULATED, runDemoCommand } from './demoCommand';
import { DemoHostModel } from './demoHostModel';

function setup() {
  const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
  const sim = new AutotraderModel({ clock });
  const host = new DemoHostModel({ hostname: 'demo-9', clock, sim, seed: 9 });
  const run = async (line: string) => {
    let stdout = '';
    let stderr = '';
    const code = await runDemoCommand(host, clock, line, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), signal: new AbortController().signal });
    return { code, stdout, stderr };
  };
  return { clock, sim, host, run };
}

describe('runDemoCommand', () => {
  it('journalctl filters by priority and by --since, and says when nothing matches', async () => {
    const { clock, sim, host, run } = setup();
    sim.setScenario('broker-down');
    clock.advanceSeconds(600);
    host.tick();
    const errors = await run('journalctl -u autotrader-api -p err --no-pager');
    expect(errors.code).toBe(0);
    const pid = host.units['autotrader-api'].mainPid;
    expect(errors.stdout.trimEnd().split('\n')).toEqual([
      `Nov 26 12:10:00 demo-9 autotrader-api[${pid}]: ibkr: connect to 127.0.0.1:4001 failed: Connection refused (is IB Gateway running?)`,
      `Nov 26 12:10:00 demo-9 autotrader-api[${pid}]: questrade: token expired; run scripts/setup/set_questrade_token.py`,
    ]);
    const recent = await run('journalctl --unit=autotrader-ingestion --since "5 minutes ago" --no-pager');
    expect(recent.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(recent.stdout).toMatch(/^Nov 26 12:10:00 demo-9 autotrader-ingestion\[\d+\]: coingecko: fetched \d+ markets/);
    expect(await run('journalctl -u autotrader-workers --since "2026-11-27 00:00:00"')).toMatchObject({ code: 0, stdout: '-- No entries --\n' });
    expect(await run('journalctl -u autotrader-api -n0')).toMatchObject({ code: 0, stdout: '-- No entries --\n' });
    expect(await run('journalctl --since yesterday-ish')).toMatchObject({ code: 1, stderr: 'Failed to parse timestamp: yesterday-ish\n' });
    expect(await run('journalctl -p loud')).toMatchObject({ code: 1, stderr: 'Failed to parse priority value: loud\n' });
    expect(await run('journalctl -n many')).toMatchObject({ code: 1 });
  });

  it('systemctl show without -p prints every emulated property as KEY=VALUE', async () => {
    const { run } = setup();
    const show = await run('systemctl show autotrader-ingestion');
    expect(show.stdout.split('\n').filter(Boolean).map((l) => l.split('=')[0])).toEqual([
      'Id', 'Description', 'LoadState', 'ActiveState', 'SubState', 'MainPID', 'NRestarts', 'ActiveEnterTimestamp',
    ]);
    expect(show.stdout).toContain('ActiveEnterTimestamp=Mon 2026-11-23 09:49:09 UTC\n');
  });

  it('restart all units by glob gives each a new PID and one restart', async () => {
    const { host, run } = setup();
    const before = Object.values(host.units).map((u) => u.mainPid);
    expect(await run('systemctl restart "autotrader-*.service"')).toMatchObject({ code: 5 });
    expect(await run('systemctl restart autotrader-*')).toMatchObject({ code: 0 });
    const after = Object.values(host.units).map((u) => u.mainPid);
    after.forEach((pid, i) => expect(pid).not.toBe(before[i]));
    expect(Object.values(host.units).map((u) => u.nRestarts)).toEqual([1, 1, 1]);
  });

  it('refuses subshells, backgrounding and command substitution without running anything', async () => {
    const { host, run } = setup();
    const pids = Object.values(host.units).map((u) => u.mainPid);
    for (const line of ['(systemctl stop autotrader-api)', 'systemctl stop autotrader-api &', 'echo $(systemctl stop autotrader-api)', 'systemctl stop `hostname`']) {
      const result = await run(line);
      expect(result.code, line).toBe(NOT_EMULATED);
      expect(result.stderr, line).toMatch(/^opsdeck demo host: '.+' is not emulated in the demo\n$/);
    }
    expect(Object.values(host.units).map((u) => u.mainPid)).toEqual(pids);
  });
});
