// Cold connect and fleet-scale connect, Opsdeck's SessionPool against the OpenSSH client, in
// the same run, against a real loopback sshd: directly and through a userspace link with a
// 25 ms round trip (testbed/delay-proxy.ts, in this process).
//   npx tsx bench/ssh-connect.ts [rounds=10] [hosts=100] [caps]
// caps: a comma list of handshake caps for the 100-host run, each `max` or `max/lagLimitMs`
// (lagLimitMs 0 = a fixed cap), all measured in the same run; default: the pool's (16/100).
// Each fleet run also reads the CPU time of this process and of the local sshds (every
// connection they served): their sum over the cores is a floor no handshake cap can beat here.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { HostId } from '../common/contract';
import { SessionPool, type HostTarget } from '../main/core/ssh/SessionPool';
import { startDelayProxy, type DelayProxy } from '../testbed/delay-proxy';
import { freePorts, startSshd, type Sshd } from '../testbed/sshd';
import { recordResult } from './support';
import type { BenchFigure } from '../scripts/benchResults';

const run = promisify(execFile);
const ROUNDS = Number(process.argv[2] ?? 10);
const HOSTS = Number(process.argv[3] ?? 100);
/** handshake caps for the 100-host run (the pool's default when not given) */
const CAPS: ({ max: number; lagLimitMs?: number } | undefined)[] =
  process.argv[4] === undefined
    ? [undefined]
    : process.argv[4].split(',').map((c) => {
        const [max, lag] = c.split('/').map(Number);
        return lag === undefined ? { max: max! } : { max: max!, lagLimitMs: lag };
      });
const capName = (c: (typeof CAPS)[number]) =>
  c ? `cap ${c.max}${c.lagLimitMs === undefined ? '' : c.lagLimitMs ? `, adaptive at ${c.lagLimitMs} ms` : ' fixed'}` : 'default cap';
/**
 * CPU time (ms) of the processes a pid has reaped: for a listening sshd, every connection it
 * served (each a fork and re-exec, key exchange, auth); for this process, the `ssh` clients it
 * ran. /proc/PID/stat's cutime + cstime, in clock ticks (100 a second on Linux).
 */
function reapedCpuMs(pid: number | 'self'): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}
const CORES = availableParallelism();
const sshdCpuMs = (ds: readonly Sshd[]) => ds.reduce((sum, d) => sum + reapedCpuMs(d.pid), 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function target(s: Sshd, id: string, port: number, kh: string): HostTarget {
  return { id: id as HostId, address: '127.0.0.1', port, user: s.user, privateKeyPath: s.clientKeyPath, knownHostsPath: kh };
}

async function opensshCold(s: Sshd, port: number, kh: string): Promise<number> {
  const t0 = performance.now();
  await run('ssh', [
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'ControlMaster=no',
    '-o',
    'ControlPath=none',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${kh}`,
    '-o',
    'IdentitiesOnly=yes',
    '-i',
    s.clientKeyPath,
    '-p',
    String(port),
    `${s.user}@127.0.0.1`,
    'true',
  ]);
  return performance.now() - t0;
}

/**
 * The comparator for the fleet figures: the OpenSSH client to every port, 16 at a time (the
 * pool's default handshake cap). Most of a handshake's CPU is sshd's (a fork and re-exec per
 * connection), so this says what the machine allows, measured in the same run.
 */
async function opensshFleet(
  s: Sshd,
  ports: readonly number[],
  kh: string,
  concurrency = 16,
): Promise<{ allMs: number; clientCpuMs: number; sshdCpuMs: number }> {
  const queue = [...ports];
  const client0 = reapedCpuMs('self');
  const sshd0 = sshdCpuMs(daemons);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let port = queue.shift(); port !== undefined; port = queue.shift()) await opensshCold(s, port, kh);
    }),
  );
  const allMs = performance.now() - t0;
  await settle();
  return { allMs, clientCpuMs: reapedCpuMs('self') - client0, sshdCpuMs: sshdCpuMs(daemons) - sshd0 };
}

/** the per-connection sshd processes end (and are reaped) a moment after the client leaves */
const settle = () => new Promise((r) => setTimeout(r, 1000));

async function opsdeckCold(s: Sshd, port: number, kh: string, withExec: boolean): Promise<number> {
  const pool = new SessionPool();
  pool.setHosts([target(s, 'h', port, kh)]);
  const t0 = performance.now();
  await pool.connect('h' as HostId);
  if (withExec) await pool.exec('h' as HostId, 'true');
  const ms = performance.now() - t0;
  await pool.close();
  return ms;
}

async function fleet(
  s: Sshd,
  ports: number[],
  kh: string,
  cap: (typeof CAPS)[number],
): Promise<{ allMs: number; lagMaxMs: number; lagP99Ms: number; cpuMs: number; sshdCpuMs: number; lowestCap: number }> {
  const pool = new SessionPool(
    cap === undefined ? {} : { maxConcurrentHandshakes: cap.max, ...(cap.lagLimitMs === undefined ? {} : { handshakeLagLimitMs: cap.lagLimitMs }) },
  );
  pool.setHosts(ports.map((p, i) => target(s, `h${i}`, p, kh)));
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const sshd0 = sshdCpuMs(daemons);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(ports.map((_, i) => pool.connect(`h${i}` as HostId)));
  const allMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const lowestCap = pool.handshakeLoad().lowestCap;
  lag.disable();
  if (pool.states().some((st) => st.state !== 'connected')) throw new Error('not all hosts connected');
  await pool.close();
  await settle();
  // cpuMs includes the delay proxies in this process at 25 ms RTT
  return {
    allMs,
    lagMaxMs: lag.max / 1e6,
    lagP99Ms: lag.percentile(99) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    sshdCpuMs: sshdCpuMs(daemons) - sshd0,
    lowestCap,
  };
}

// every "host" must be its own connection, i.e. its own port: sshd binds at most 16 sockets,
// so several sshds with 16 ports each
const PER_SSHD = 16;
const daemons: Sshd[] = [];
const proxies: DelayProxy[] = [];
const directPorts: number[] = [];
const lines: string[] = [];
try {
  for (let i = 0; directPorts.length < HOSTS; i++) {
    const count = Math.min(PER_SSHD, HOSTS - directPorts.length);
    const extra = await freePorts(count - 1);
    // every daemon accepts the first one's client key, which all targets use
    const d = await startSshd({ extraConfig: extra.map((p) => `Port ${p}`).join('\n'), authorizedKeys: daemons[0] ? [daemons[0].clientPublicKey] : [] });
    daemons.push(d);
    const key = d.hostKeyLine.split(' ').slice(1).join(' ');
    for (const p of [d.port, ...extra]) {
      directPorts.push(p);
      lines.push(`[127.0.0.1]:${p} ${key}`);
    }
  }
  const sshd = daemons[0]!;
  const kh = join(sshd.dir, 'bench_known_hosts');
  for (let i = 0; i < HOSTS; i++) proxies.push(await startDelayProxy({ target: { host: '127.0.0.1', port: directPorts[i]! }, delayMs: 12.5 }));
  for (const p of proxies) lines.push(`[127.0.0.1]:${p.port} ${lines[proxies.indexOf(p)]!.split(' ').slice(1).join(' ')}`);
  await writeFile(kh, lines.join('\n') + '\n');
  const wanPorts = proxies.map((p) => p.port);
  console.log(`rounds=${ROUNDS} hosts=${HOSTS} node=${process.version}`);
  const figures: BenchFigure[] = [];
  for (const [label, port, ports] of [
    ['loopback', sshd.port, directPorts],
    ['25 ms RTT', wanPorts[0]!, wanPorts],
  ] as const) {
    const ossh: number[] = [];
    const oc: number[] = [];
    const oce: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ossh.push(await opensshCold(sshd, port, kh));
      oc.push(await opsdeckCold(sshd, port, kh, false));
      oce.push(await opsdeckCold(sshd, port, kh, true));
    }
    console.log(`[${label}] OpenSSH cold connect+auth+exec true (ControlMaster=no): median ${fmt(median(ossh))}`);
    console.log(
      `[${label}] Opsdeck cold connect+auth:                          median ${fmt(median(oc))} (${(median(oc) / median(ossh)).toFixed(2)}x OpenSSH)`,
    );
    console.log(
      `[${label}] Opsdeck cold connect+auth+exec true:                median ${fmt(median(oce))} (${(median(oce) / median(ossh)).toFixed(2)}x OpenSSH)`,
    );
    const ratio = (ms: number) => `${(ms / median(ossh)).toFixed(2)}x OpenSSH (${fmt(median(ossh))})`;
    figures.push(
      {
        figure: `${label}: Opsdeck cold connect+auth`,
        value: fmt(median(oc)),
        against: ratio(median(oc)),
        target: `<= 0.5x: ${median(oc) / median(ossh) <= 0.5 ? 'met' : 'not met'}`,
      },
      { figure: `${label}: Opsdeck cold connect+auth+\`exec true\``, value: fmt(median(oce)), against: ratio(median(oce)) },
    );
    const ossh16 = await opensshFleet(sshd, ports, kh);
    const osshFleet = ossh16.allMs;
    console.log(
      `[${label}] OpenSSH to ${HOSTS} hosts, 16 at a time (connect+auth+exec true): ${fmt(osshFleet)}; CPU: ssh clients ${fmt(ossh16.clientCpuMs)}, sshd ${fmt(ossh16.sshdCpuMs)}`,
    );
    for (const cap of CAPS) {
      const f = await fleet(sshd, [...ports], kh, cap);
      // every handshake's CPU, ours and the local sshd's, spread over every core: no cap can beat it
      const floorMs = (f.cpuMs + f.sshdCpuMs) / CORES;
      console.log(
        `[${label}] ${HOSTS} hosts all connected in ${fmt(f.allMs)} (${(f.allMs / osshFleet).toFixed(2)}x OpenSSH; ${capName(cap)}, lowest ${f.lowestCap}); event-loop delay max ${fmt(f.lagMaxMs)}, p99 ${fmt(f.lagP99Ms)}; CPU ${fmt(f.cpuMs)}, sshd CPU ${fmt(f.sshdCpuMs)}: CPU floor on ${CORES} cores ${fmt(floorMs)}`,
      );
      figures.push({
        figure: `${label}: ${HOSTS} hosts all connected, ${capName(cap)}`,
        value: `${fmt(f.allMs)} (event-loop p99 ${fmt(f.lagP99Ms)}; CPU ${fmt(f.cpuMs)}, the local sshd's ${fmt(f.sshdCpuMs)}; their sum on ${CORES} cores ${fmt(floorMs)})`,
        against: `${(f.allMs / osshFleet).toFixed(2)}x OpenSSH to the same ${HOSTS} hosts, 16 at a time (${fmt(osshFleet)}; CPU: ssh clients ${fmt(ossh16.clientCpuMs)}, sshd ${fmt(ossh16.sshdCpuMs)})`,
        target: `< 3 s: ${f.allMs < 3000 ? 'met' : 'not met'}`,
      });
    }
  }
  recordResult(
    'ssh-connect',
    {
      question: `Does Opsdeck connect to a host in at most half the time of the OpenSSH client, and to ${HOSTS} hosts within 3 s, on loopback and at a 25 ms round trip?`,
      comparator:
        'the OpenSSH client, cold (`ssh -o ControlMaster=no host true`), to the same sshd over the same link in the same run; for the fleet, the same client to every host, 16 at a time',
    },
    figures,
  );
} finally {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(daemons.map((d) => d.stop()));
}
