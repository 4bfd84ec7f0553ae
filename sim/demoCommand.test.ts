import { describe, expect, it } from 'vitest';
import { AutotraderModel } from './autotraderModel';
import { ManualClock } from './clock';
import { NOT_EMULATED } from './commandIo';
import { runDemoCommand } from './demoCommand';
import { DemoHostModel } from './demoHostModel';

const FOLLOWER = 'import os, sys  # stands in for the catalog follower text';

function setup() {
  const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
  const sim = new AutotraderModel({ clock });
  const scripts = new Map([
    ['logs.follow', FOLLOWER],
    ['queue.list', 'keys=$(redis-cli --scan --pattern worker:*)'],
  ]);
  const host = new DemoHostModel({ hostname: 'demo-9', clock, sim, seed: 9, scripts });
  const run = async (line: string, signal = new AbortController().signal) => {
    let stdout = '';
    let stderr = '';
    const code = await runDemoCommand(host, clock, line, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), signal });
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
      `Nov 26 12:10:00 demo-9 autotrader-api[${pid}]: ERROR api: ibkr: connect to 127.0.0.1:4001 failed: Connection refused (is IB Gateway running?)`,
      `Nov 26 12:10:00 demo-9 autotrader-api[${pid}]: ERROR api: questrade: token expired; run scripts/setup/set_questrade_token.py`,
    ]);
    const recent = await run('journalctl --unit=autotrader-ingestion --since "5 minutes ago" --no-pager');
    expect(recent.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(recent.stdout).toMatch(/^Nov 26 12:10:00 demo-9 autotrader-ingestion\[\d+\]: INFO ingestion: coingecko: fetched \d+ markets/);
    expect(await run('journalctl -u autotrader-workers --since "2026-11-27 00:00:00"')).toMatchObject({ code: 0, stdout: '-- No entries --\n' });
    expect(await run('journalctl -u autotrader-api -n0')).toMatchObject({ code: 0, stdout: '-- No entries --\n' });
    expect(await run('journalctl --since yesterday-ish')).toMatchObject({ code: 1, stderr: 'Failed to parse timestamp: yesterday-ish\n' });
    expect(await run('journalctl -p loud')).toMatchObject({ code: 1, stderr: 'Failed to parse priority value: loud\n' });
    expect(await run('journalctl -n many')).toMatchObject({ code: 1 });
  });

  it('systemctl show without -p prints every emulated property as KEY=VALUE', async () => {
    const { run } = setup();
    const show = await run('systemctl show autotrader-ingestion');
    expect(
      show.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('=')[0]),
    ).toEqual(['Id', 'Description', 'LoadState', 'ActiveState', 'SubState', 'MainPID', 'NRestarts', 'ActiveEnterTimestamp']);
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
    for (const line of [
      '(systemctl stop autotrader-api)',
      'systemctl stop autotrader-api &',
      'echo $(systemctl stop autotrader-api)',
      'systemctl stop `hostname`',
    ]) {
      const result = await run(line);
      expect(result.code, line).toBe(NOT_EMULATED);
      expect(result.stderr, line).toMatch(/^opsdeck demo host: '.+' is not emulated in the demo\n$/);
    }
    expect(Object.values(host.units).map((u) => u.mainPid)).toEqual(pids);
  });

  it('journalctl -o json gives each entry a cursor, and --after-cursor carries on after exactly that entry', async () => {
    const { clock, host, run } = setup();
    const json = await run('journalctl -u autotrader-workers -n 2 -o json --no-pager');
    const entries = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      _HOSTNAME: 'demo-9',
      SYSLOG_IDENTIFIER: 'autotrader-workers',
      _SYSTEMD_UNIT: 'autotrader-workers.service',
      PRIORITY: '6',
    });
    expect(entries[1]!.MESSAGE).toMatch(/^INFO workers: scanner: processed \d+ jobs$/);
    clock.advanceSeconds(5);
    host.tick();
    const after = await run(`journalctl -u autotrader-workers --no-pager -o json '--after-cursor=${entries[0]!.__CURSOR}'`);
    const next = after.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(next.map((e) => e.__CURSOR)).toEqual([entries[1]!.__CURSOR, expect.stringMatching(/^s=demo-9;i=[0-9a-f]+$/)]);
    expect(await run('journalctl -u autotrader-workers -o json "--after-cursor=s=demo-1;i=1"')).toMatchObject({
      code: 1,
      stderr: 'Failed to seek to cursor: Invalid argument\n',
    });
    expect(await run('journalctl -o verbose')).toMatchObject({ code: NOT_EMULATED });
  });

  it('systemctl status -n 0 leaves the journal out; -n 2 shows the last two lines', async () => {
    const { run } = setup();
    const none = await run('systemctl status autotrader-api --no-pager -n 0');
    expect(none.stdout.trimEnd().split('\n')).toHaveLength(4);
    const two = await run('systemctl status autotrader-api --no-pager -n 2');
    expect(two.stdout.trimEnd().split('\n').slice(5)).toHaveLength(2);
  });

  it('the log follower resumes from its cursor in the rotated file, then the new one', async () => {
    const { clock, host, run } = setup();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 0);
    const first = await run(`python3 -c '${FOLLOWER}' /var/log/autotrader/workers.log 1 -`, ac.signal);
    const [cursor, text] = first.stdout.trimEnd().split('\t');
    expect(cursor).toMatch(/^\d+:\d+$/);
    expect(text).toMatch(/^2026-11-26 11:59:55,000 INFO workers: scanner: processed \d+ jobs$/);
    clock.advanceSeconds(5);
    host.tick(); // written before the rotation: must come first
    host.rotateLogs();
    clock.advanceSeconds(5);
    host.tick(); // written to the new file
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 0);
    const resumed = await run(`python3 -c '${FOLLOWER}' /var/log/autotrader/workers.log 0 ${cursor}`, stop.signal);
    const lines = resumed.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t')[1]);
    expect(lines).toEqual([expect.stringMatching(/^2026-11-26 12:00:05,000 /), expect.stringMatching(/^2026-11-26 12:00:10,000 /)]);
    // a follower text the catalog does not have, or a script under another name, is not run
    expect(await run(`python3 -c 'import os' /var/log/autotrader/workers.log 0 -`)).toMatchObject({ code: NOT_EMULATED });
    expect(await run(`sh -c '${FOLLOWER}' queue.list`)).toMatchObject({ code: NOT_EMULATED });
  });
});
