// What a demo host answers for the Hosts view's one command, the host facts script
// (main/core/hosts/hostFactsScript.ts). As with the catalog's scripts, the console hands the
// demo the exact text its HostMonitor will send (main/demo/demoFleet.ts), with the unit names
// and process probes that text was made from; a demo host answers only that text, section by
// section in the layout parseHostFacts reads, and never interprets it as shell. The figures
// are a smooth function of the clock and the host's seed (the same instant reads the same, so
// tests stay repeatable); the units, their PIDs and the IB Gateway come from the host model
// and its simulator, so what an action changes shows in the next refresh.
import type { Clock } from './clock';
import { notEmulatedMessage, type CommandIo } from './commandIo';
import { LOG_DIR, systemdTimestamp, type DemoHostFactsScript, type DemoHostModel } from './demoHostModel';
import { lookupTable } from '../common/emptyRecord';

/**
 * The facts script's section marker. A copy of main/core/hosts/hostFactsScript.ts's SECTION_MARK
 * (sim/ stands alone: the simulator bundles without the console); demoFleet.int.test.ts parses
 * the demo's answer with the console's own parser, so a drift fails there.
 */
const SECTION_MARK = '@@opsdeck:';

/**
 * A line that is a host facts script, just not the one this demo host was given: it opens with
 * its first section marker (after its `export`s). Only the start counts: the exec wrapper's
 * `sh -c WRAPPER opsdeck-exec SCRIPT` carries the script too, and must be unwrapped first.
 */
export function looksLikeHostFacts(line: string): boolean {
  return new RegExp(`^(export [^\n]*\n)*echo ${SECTION_MARK}`).test(line);
}

/** The refusal for a facts script whose text differs from the one the console handed over. */
export function otherHostFactsMessage(): string {
  return notEmulatedMessage(
    'host facts script: not the text this demo was started with (other units or process probes?); the demo answers only the Hosts view script the console handed it at start',
  );
}

const HZ = 100;
const KIB = 1024;
const GIB = 1024 ** 3;

/** Units a real autotrader host has besides the three the model runs (testbed/host). */
const STATIC_UNITS: Record<string, { type: string; active: boolean; pidOffset: number }> = lookupTable({
  'redis-server.service': { type: 'notify', active: true, pidOffset: 31 },
  // a oneshot that filled the queues at boot and finished, as on the test fleet
  'autotrader-seed-queues.service': { type: 'oneshot', active: false, pidOffset: 0 },
});

/** Busy share of the CPUs at uptime `u` seconds: slow waves, always above zero. */
function utilisation(u: number, phase: number): number {
  return 0.12 + 0.06 * Math.sin(u / 420 + phase) + 0.03 * Math.sin(u / 97 + 2 * phase);
}

/** ∫ utilisation from boot to `u` (seconds of one CPU busy): CPU counters only ever grow. */
function busySeconds(u: number, phase: number): number {
  const at = (x: number) => 0.12 * x - 0.06 * 420 * Math.cos(x / 420 + phase) - 0.03 * 97 * Math.cos(x / 97 + 2 * phase);
  return at(u) - at(0);
}

interface Process {
  pid: number;
  command: string;
}

const UNIT_COMMANDS: Record<string, string> = lookupTable({
  'autotrader-api': '/opt/autotrader/venv/bin/python3 /opt/autotrader/venv/bin/uvicorn autotrader.api:app --host 127.0.0.1 --port 8000',
  'autotrader-ingestion': '/usr/bin/python3 /opt/autotrader/bin/ingestion.py',
  'autotrader-workers': '/usr/bin/python3 /opt/autotrader/bin/workers.py',
});

/** The IB Gateway's process while the simulator's broker is online; none in `broker-down`. */
export function ibGatewayProcess(host: DemoHostModel): Process | null {
  const ibkr = (host.sim.body('brokers').brokers as Record<string, { status: string }>).ibkr;
  if (ibkr?.status !== 'online') return null;
  const pid = 1400 + ([...host.hostname].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 500);
  return { pid, command: 'java -Xmx768m -cp /opt/ibgateway/jars/* ibgateway.GWClient /opt/ibgateway' };
}

/** The host's processes as `pgrep -a` sees them: init, sshd, redis, the running units, the gateway. */
function processTable(host: DemoHostModel): Process[] {
  const table: Process[] = [
    { pid: 1, command: '/sbin/init' },
    { pid: 88 + host.seed, command: 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups' },
    { pid: STATIC_UNITS['redis-server.service']!.pidOffset + host.seed * 97, command: '/usr/bin/redis-server 127.0.0.1:6379' },
  ];
  for (const [unit, state] of Object.entries(host.units)) if (state.active) table.push({ pid: state.mainPid, command: UNIT_COMMANDS[unit] ?? unit });
  const gateway = ibGatewayProcess(host);
  if (gateway) table.push(gateway);
  return table.sort((a, b) => a.pid - b.pid);
}

/** `systemctl show -p Id,LoadState,…` for one unit, in systemd's own property order. */
function unitSection(host: DemoHostModel, unit: string): string[] {
  const name = unit.replace(/\.service$/, '');
  const show = (type: string, pid: number, restarts: number, load: string, active: boolean, since: string) => [
    `Type=${type}`,
    `MainPID=${pid}`,
    'Result=success',
    `NRestarts=${restarts}`,
    `Id=${unit}`,
    `LoadState=${load}`,
    `ActiveState=${active ? 'active' : 'inactive'}`,
    `SubState=${active ? 'running' : 'dead'}`,
    `ActiveEnterTimestamp=${since}`,
  ];
  if (unit.endsWith('.service') && host.isUnit(name)) {
    const s = host.units[name];
    // systemd keeps the last ActiveEnterTimestamp of a stopped unit
    return show('simple', s.active ? s.mainPid : 0, s.nRestarts, 'loaded', s.active, systemdTimestamp(s.activeSince));
  }
  const fixed = STATIC_UNITS[unit];
  if (fixed) {
    const since = fixed.active ? systemdTimestamp(host.bootedAt + 8000) : '';
    return show(fixed.type, fixed.active ? fixed.pidOffset + host.seed * 97 : 0, 0, 'loaded', fixed.active, since);
  }
  // what systemctl prints for a unit the host does not have
  return show('', 0, 0, 'not-found', false, '');
}

/** `df -B1 -P -T`: the root and log filesystems grow slowly; the runtime tmpfs mounts are listed as on a host. */
function dfSection(host: DemoHostModel, up: number): string[] {
  const logBytes = [...host.logs.values()].reduce((sum, file) => sum + file.size, 0);
  const row = (fs: string, type: string, size: number, used: number, mount: string): string => {
    const usable = Math.floor(size * (type === 'ext4' ? 0.95 : 1));
    const taken = Math.min(Math.round(used), usable);
    const avail = usable - taken;
    const pct = usable > 0 ? Math.ceil((taken / usable) * 100) : 0;
    return `${fs.padEnd(14)} ${type.padEnd(8)} ${String(size).padStart(12)} ${String(taken).padStart(12)} ${String(avail).padStart(12)} ${`${pct}%`.padStart(8)} ${mount}`;
  };
  const rootSize = 40 * GIB;
  const logSize = 10 * GIB;
  return [
    'Filesystem     Type        1-blocks         Used    Available Capacity Mounted on',
    row('udev', 'devtmpfs', 4 * GIB, 0, '/dev'),
    row('tmpfs', 'tmpfs', 800 * 1024 * KIB, 1200 * KIB + host.seed * 4096, '/run'),
    // the root filesystem: packages, the venv, the simulator's state; a few KB a minute
    row('/dev/vda1', 'ext4', rootSize, (0.38 + 0.04 * host.seed) * rootSize + up * 40, '/'),
    row('tmpfs', 'tmpfs', 4 * GIB, 0, '/dev/shm'),
    // the services' logs: what they wrote in this run on top of what earlier runs left
    row('/dev/vdb1', 'ext4', logSize, (0.21 + 0.03 * host.seed) * logSize + logBytes, LOG_DIR.replace(/\/autotrader$/, '')),
  ];
}

/** A probe's extended regex as JavaScript reads it (the same for the probes' plain patterns), or null. */
function probe(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern);
  } catch {
    return null;
  }
}

/**
 * Answer the host facts script: the sections parseHostFacts reads, in the script's order, each
 * behind its marker; exit 0 as the script's `exit 0` does.
 */
export function runHostFacts(host: DemoHostModel, clock: Clock, script: DemoHostFactsScript, io: CommandIo): number {
  const now = clock.now();
  const up = Math.max(1, (now - host.bootedAt) / 1000);
  const cpus = host.seed % 2 === 0 ? 4 : 2;
  const phase = host.seed * 1.7;
  const out: string[] = [];
  const section = (name: string, lines: string[]) => out.push(`${SECTION_MARK}${name}`, ...lines);

  // load follows the busy share, the longer averages lag it
  const load = [0, 150, 450].map((lag) => (cpus * 2.2 * utilisation(Math.max(0, up - lag), phase)).toFixed(2));
  const processes = processTable(host);
  section('loadavg', [`${load.join(' ')} 1/${180 + processes.length} ${processes[processes.length - 1]!.pid + 211}`]);

  const totalKb = (host.seed % 2 === 0 ? 16 : 8) * 1024 * 1024;
  const running = Object.values(host.units).filter((u) => u.active).length;
  // each running service holds a few hundred MB; the page cache breathes slowly
  const availableKb = Math.round(totalKb * (0.7 + 0.05 * Math.sin(up / 900 + phase)) - running * 180 * 1024);
  const freeKb = Math.round(availableKb * 0.55);
  const cachedKb = availableKb - freeKb - 61_440;
  section('meminfo', [
    `MemTotal:       ${totalKb} kB`,
    `MemFree:        ${freeKb} kB`,
    `MemAvailable:   ${availableKb} kB`,
    'Buffers:           61440 kB',
    `Cached:         ${cachedKb} kB`,
    'SwapCached:            0 kB',
    'SwapTotal:             0 kB',
    'SwapFree:              0 kB',
  ]);

  // jiffies since boot: busy split as user/system/softirq, a little iowait, the rest idle
  const total = HZ * cpus * up;
  const busy = HZ * cpus * busySeconds(up, phase);
  const iowait = Math.floor(total * 0.002);
  const user = Math.floor(busy * 0.7);
  const system = Math.floor(busy * 0.25);
  const softirq = Math.floor(busy * 0.05);
  const idle = Math.floor(total - busy - total * 0.002);
  section('stat', [`cpu  ${user} ${Math.floor(busy * 0.001)} ${system} ${idle} ${iowait} 0 ${softirq} 0 0 0`]);
  section('nproc', [String(cpus)]);
  section('uptime', [`${up.toFixed(2)} ${(idle / HZ).toFixed(2)}`]);
  section('uname', ['Linux 6.1.0-27-amd64']);
  section('os', ['"Debian GNU/Linux 12 (bookworm)"']);
  section('df', dfSection(host, up));
  const units: string[] = [];
  script.units.forEach((unit, i) => {
    if (i > 0) units.push('');
    units.push(...unitSection(host, unit));
  });
  section('units', units);
  section('units-status', ['0 ']);
  // a stopped unit is inactive, not failed: `systemctl --failed` lists none on a demo host
  section('failed', []);
  section('failed-status', ['0 ']);
  Object.values(script.processes).forEach((pattern, index) => {
    const re = probe(pattern);
    section(`proc:${index}`, re ? processes.filter((p) => re.test(p.command)).map((p) => `${p.pid} ${p.command}`) : []);
    // pgrep's complaint goes to stderr, as the script does not redirect it
    if (!re) io.stderr(`pgrep: invalid regular expression: ${pattern}\n`);
  });
  section('end', []);
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}
