import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assessDisk, assessHost, assessUnit, byTrouble } from './assessHost';
import { hostFactsScript, SECTION_MARK } from './hostFactsScript';
import { parseHostFacts } from './parseHostFacts';

// Captured from a real Debian 12 nspawn host of the test fleet with autotrader-workers stopped,
// autotrader-ingestion killed (restarting), and a 10 MiB tmpfs at /mnt/fill holding 9 MiB.
const SAMPLE = readFileSync(new URL('./fixtures/bookworm-nspawn.txt', import.meta.url), 'utf8');
const T = { diskAmberPct: 80, diskRedPct: 90 };

describe('parseHostFacts on real output', () => {
  const facts = parseHostFacts(SAMPLE, ['IB Gateway']);

  it('reads load, CPUs, uptime, kernel and OS as the host printed them', () => {
    expect(facts.complete).toBe(true);
    expect(facts.notes).toEqual([]);
    expect(facts.load).toEqual([11.08, 8.94, 5.06]);
    expect(facts.cpus).toBe(2);
    expect(facts.uptimeSeconds).toBe(1436.98);
    expect(facts.kernel).toBe('Linux 6.18.44-fc-v782');
    expect(facts.os).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(facts.cpu).toEqual({ busy: 142268 + 795 + 33921 + 0 + 435 + 1016, total: 142268 + 795 + 33921 + 106625 + 933 + 435 + 1016 });
  });

  it('computes memory as free does: used = MemTotal - MemAvailable, in bytes', () => {
    expect(facts.memory).toEqual({
      totalBytes: 24683656 * 1024,
      availableBytes: 23315120 * 1024,
      usedBytes: (24683656 - 23315120) * 1024,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
    });
  });

  it('keeps real mounts (root overlay, /tmp, the filled tmpfs) and drops /dev and /run tmpfs', () => {
    expect(facts.disks.map((d) => d.mount)).toEqual(['/', '/tmp', '/opt/autotrader/sim', '/mnt/fill']);
    const fill = facts.disks.find((d) => d.mount === '/mnt/fill')!;
    expect(fill).toMatchObject({ type: 'tmpfs', sizeBytes: 10485760, usedBytes: 9437184, availableBytes: 1048576 });
  });

  it('reads every unit from the one systemctl show call', () => {
    expect(facts.units.map((u) => [u.unit, u.active, u.sub])).toEqual([
      ['autotrader-api.service', 'active', 'running'],
      ['autotrader-ingestion.service', 'activating', 'start-post'],
      ['autotrader-workers.service', 'inactive', 'dead'],
      ['autotrader-seed-queues.service', 'inactive', 'dead'],
      ['redis-server.service', 'active', 'running'],
    ]);
    expect(facts.units[1]).toMatchObject({ mainPid: 341, restarts: 1 });
    expect(facts.units[2]!.mainPid).toBeNull();
    expect(facts.failedUnits).toEqual([]);
    // systemctl answered both reads: the empty list means no failed units
    expect([facts.unitsError, facts.failedUnitsError]).toEqual([null, null]);
    expect(facts.processes).toEqual([{ name: 'IB Gateway', pids: [], commands: [] }]);
  });

  it('turns the stopped unit red, the restarting one amber, the finished oneshot green and the 90 % disk amber', () => {
    const a = assessHost(facts, T);
    expect(Object.fromEntries(a.units.map((u) => [u.unit, u.status]))).toEqual({
      'autotrader-api.service': 'ok',
      'autotrader-ingestion.service': 'warn',
      'autotrader-workers.service': 'fail',
      'autotrader-seed-queues.service': 'ok',
      'redis-server.service': 'ok',
    });
    expect(a.disks.find((d) => d.mount === '/mnt/fill')).toMatchObject({ usedPct: 90, status: 'warn' });
    expect(a.status).toBe('fail');
    expect(a.reasons).toContain('autotrader-workers.service stopped (dead)');
    expect(a.reasons).toContain('disk /mnt/fill 90 % used');
    expect(a.reasons).toContain('IB Gateway not running');
  });
});

describe('parseHostFacts on broken or hostile output', () => {
  it('names what is missing and still reads the rest', () => {
    const cut = SAMPLE.slice(0, SAMPLE.indexOf(`${SECTION_MARK}df`));
    const facts = parseHostFacts(cut);
    expect(facts.complete).toBe(false);
    expect(facts.load).toEqual([11.08, 8.94, 5.06]);
    expect(facts.disks).toEqual([]);
    expect(facts.notes).toEqual(['df: missing', 'units: missing']);
    expect(assessHost(facts, T).reasons).toContain('the facts script did not finish');
  });

  it('tells "systemctl could not run" from "no failed units", with what systemctl said', () => {
    const notBooted = "1 System has not been booted with systemd as init system (PID 1). Can't operate.";
    const output = SAMPLE.replace(/(@@opsdeck:units-status\n)0 \n/, `$1${notBooted}\n`).replace(
      /(@@opsdeck:failed-status\n)0 \n/,
      '$1127 sh: 1: systemctl: not found\n',
    );
    const facts = parseHostFacts(output);
    expect(facts.unitsError).toBe("systemctl exited 1: System has not been booted with systemd as init system (PID 1). Can't operate.");
    expect(facts.failedUnitsError).toBe('systemctl is not installed on this host');
    const a = assessHost(facts, T);
    expect(a.reasons).toContain('systemctl --failed unknown: systemctl is not installed on this host');
    // a script cut before the status, or a host that printed none, is unknown as well: never "none"
    expect(parseHostFacts(SAMPLE.slice(0, SAMPLE.indexOf(`${SECTION_MARK}failed-status`))).failedUnitsError).toBe(
      'the facts script stopped before systemctl answered',
    );
    expect(parseHostFacts(SAMPLE.replace(/@@opsdeck:failed-status\n0 \n/, '')).failedUnitsError).toBe('systemctl did not report');
  });

  it('ignores garbage lines, repeated markers and absurd values', () => {
    const out = [
      `${SECTION_MARK}loadavg`,
      'NaN 1 2',
      `${SECTION_MARK}loadavg`,
      '0.1 0.2 0.3',
      `${SECTION_MARK}meminfo`,
      'MemTotal: 0 kB',
      `${SECTION_MARK}df`,
      'Filesystem Type 1-blocks Used Available Capacity Mounted on',
      '/dev/x ext4 100 50 50 50% /data; rm -rf /',
      'junk',
      `${SECTION_MARK}end`,
    ].join('\n');
    const facts = parseHostFacts(out);
    expect(facts.load).toBeNull();
    expect(facts.memory).toBeNull();
    expect(facts.disks).toEqual([{ filesystem: '/dev/x', type: 'ext4', mount: '/data; rm -rf /', sizeBytes: 100, usedBytes: 50, availableBytes: 50 }]);
    expect(facts.notes).toContain('loadavg: unreadable');
  });

  it('caps very long strings and very long sections', () => {
    const out = `${SECTION_MARK}failed\n${Array.from({ length: 5000 }, (_, i) => `u${i}.service loaded failed failed x`).join('\n')}\n${SECTION_MARK}uname\n${'L'.repeat(10_000)}\n${SECTION_MARK}end\n`;
    const facts = parseHostFacts(out);
    expect(facts.failedUnits.length).toBe(100);
    expect(facts.kernel!.length).toBeLessThanOrEqual(301);
  });
});

describe('thresholds and ordering', () => {
  const disk = (used: number, avail: number) => ({
    filesystem: 'x',
    type: 'ext4',
    mount: '/',
    sizeBytes: used + avail,
    usedBytes: used,
    availableBytes: avail,
  });
  it('disk: amber above 80 %, red above 90 %, from the config thresholds', () => {
    expect(assessDisk(disk(80, 20), T).status).toBe('ok');
    expect(assessDisk(disk(81, 19), T).status).toBe('warn');
    expect(assessDisk(disk(90, 10), T).status).toBe('warn');
    expect(assessDisk(disk(91, 9), T).status).toBe('fail');
    expect(assessDisk(disk(60, 40), { diskAmberPct: 50, diskRedPct: 70 }).status).toBe('warn');
  });

  it('units: failed and stopped are red, a oneshot that failed is red', () => {
    const u = {
      unit: 'a.service',
      load: 'loaded',
      active: 'failed',
      sub: 'failed',
      result: 'exit-code',
      type: 'simple',
      mainPid: null,
      restarts: 3,
      since: null,
    };
    expect(assessUnit(u)).toMatchObject({ status: 'fail', why: 'failed (exit-code)' });
    expect(assessUnit({ ...u, active: 'inactive', sub: 'dead', type: 'oneshot', result: 'exit-code' }).status).toBe('fail');
    expect(assessUnit({ ...u, load: 'not-found', active: 'inactive' })).toMatchObject({ status: 'fail', why: 'not loaded (not-found)' });
  });

  it('sorts the fleet by trouble, then label', () => {
    const hosts = [
      { label: 'b', trouble: 5 },
      { label: 'a', trouble: 5 },
      { label: 'c', trouble: 1000 },
      { label: 'd', trouble: 0 },
    ];
    expect(hosts.sort(byTrouble).map((h) => h.label)).toEqual(['c', 'a', 'b', 'd']);
  });
});

describe('hostFactsScript', () => {
  it('refuses a unit name that is not one, so nothing odd reaches the shell', () => {
    expect(() => hostFactsScript(['x.service; reboot'])).toThrow(/not a systemd unit name/);
    expect(() => hostFactsScript(['$(reboot).service'])).toThrow(/not a systemd unit name/);
  });
  it('probes processes with a pattern that cannot match its own command line', () => {
    expect(hostFactsScript()).toContain("pgrep -a -f -- '[i]bgateway'");
  });
});

describe('process probes never carry arguments', () => {
  it('keeps the program of a matched process, not the credentials on its command line', () => {
    const withGateway = SAMPLE.replace(
      /(@@opsdeck:proc:0\n)/,
      '$1' + '4242 /opt/ibgateway/ibgateway -Dibc.user=fa_trader -Dibc.password=hunter2 --mode=paper\n',
    );
    expect(withGateway).not.toBe(SAMPLE);
    const facts = parseHostFacts(withGateway, ['IB Gateway']);
    expect(facts.processes[0]).toEqual({ name: 'IB Gateway', pids: [4242], commands: ['/opt/ibgateway/ibgateway'] });
    expect(JSON.stringify(facts)).not.toContain('hunter2');
  });
});
