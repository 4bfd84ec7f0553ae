// Host view refresh at fleet scale: H hosts refreshed every I seconds by the real HostMonitor
// (one exec of the facts script per host per refresh, parse, assess, batch, serialise the
// events as the browser shell would). The hosts are real sshds listening on H loopback
// addresses (127.0.0.2…), so H real SSH connections, each running the real script against
// this machine's /proc, df and systemctl. Measures over a steady-state window: this
// process's CPU as a share of one core, exec channels opened per host per refresh, refresh
// duration, and the bytes of onHostFacts events per refresh.
//   npx tsx bench/host-view.ts [--hosts 50] [--interval 10] [--seconds 60]
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { HostFacts, HostId } from '../common/contract';
import { EventHub } from '../main/core/bridge/EventHub';
import { systemClock, systemTimers } from '../main/core/clock';
import { KeyedBatcher } from '../main/core/events/EventBatcher';
import { DEFAULT_HOST_MONITOR_SETTINGS, HostMonitor } from '../main/core/hosts/HostMonitor';
import { SessionPool, type HostTarget } from '../main/core/ssh/SessionPool';
import { startSshd } from '../testbed/sshd';
import { numberArg, recordResult } from './support';

const H = numberArg('hosts', 50);
const INTERVAL_S = numberArg('interval', 10);
const WINDOW_S = numberArg('seconds', 60);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// the pool keys connections by user@address:port: one address per host gives each its own.
// OpenSSH listens on at most 16 sockets, so 14 extra addresses per sshd.
const PER_SSHD = 14;
const addresses = Array.from({ length: H }, (_, i) => `127.0.0.${i + 2}`);
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
const servers: Awaited<ReturnType<typeof startSshd>>[] = [];
const targets: HostTarget[] = [];
const ids = Array.from({ length: H }, (_, i) => `h${i}` as HostId);
for (let first = 0; first < H; first += PER_SSHD) {
  const mine = addresses.slice(first, first + PER_SSHD);
  const port = await freePort();
  // address:port on each line: sshd binds a bare ListenAddress only to the Ports read before it
  const sshd = await startSshd({ port, extraConfig: `MaxSessions 1000\nMaxStartups 200:30:400\n${mine.map((a) => `ListenAddress ${a}:${port}`).join('\n')}` });
  servers.push(sshd);
  const knownHosts = join(sshd.dir, 'bench_known_hosts');
  const keyPart = sshd.hostKeyLine.split(' ').slice(1).join(' ');
  writeFileSync(knownHosts, mine.map((a) => `[${a}]:${port} ${keyPart}\n`).join(''));
  mine.forEach((address, j) =>
    targets.push({ id: ids[first + j]!, address, port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: knownHosts }),
  );
}
const pool = new SessionPool({ maxConcurrentHandshakes: 8 });
pool.setHosts(targets);
const hub = new EventHub();
let eventBytes = 0;
let updates = 0;
hub.subscribe((_name, payload) => {
  // what the WebSocket bridge does with every event
  eventBytes += JSON.stringify({ t: 'event', name: _name, payload }).length;
  updates += (payload as { updates: HostFacts[] }).updates.length;
});
const batch = new KeyedBatcher<HostFacts>(
  (f) => f.hostId,
  (u) => hub.emit('onHostFacts', { updates: u }),
  250,
);
const durations: number[] = [];
const monitor = new HostMonitor({
  pool,
  hostIds: ids,
  // the bench drives the rounds itself (to time them); the monitor's own timer never fires
  settings: { ...DEFAULT_HOST_MONITOR_SETTINGS, refreshMs: 24 * 3600 * 1000 },
  clock: systemClock,
  timers: systemTimers,
  onUpdate: (f) => batch.push(f),
  logger: { warn: (m) => console.warn(m) },
});
try {
  monitor.start();
  // sshd may still be binding its extra addresses when the fixture returns: retry briefly
  await Promise.all(
    ids.map(async (id) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await pool.connect(id);
        } catch (err) {
          if (attempt > 20) throw err;
          await sleep(200);
        }
      }
    }),
  );
  // warm-up round (first CPU sample needs a previous one), then the measured window
  await monitor.refreshAll();
  await sleep(500);
  const execBefore = monitor.execCount;
  const bytesBefore = eventBytes;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let rounds = 0;
  while (performance.now() - t0 < WINDOW_S * 1000) {
    const start = performance.now();
    await monitor.refreshAll();
    durations.push(performance.now() - start);
    rounds++;
    await sleep(Math.max(0, INTERVAL_S * 1000 - (performance.now() - start)));
  }
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuPct = ((cpu.user + cpu.system) / 1000 / elapsed) * 100;
  const sorted = [...durations].sort((a, b) => a - b);
  const bad = monitor.all().filter((f) => f.error).length;
  console.log(`hosts ${H}, refresh every ${INTERVAL_S} s, window ${(elapsed / 1000).toFixed(0)} s, ${rounds} refreshes`);
  console.log(`main-process CPU: ${cpuPct.toFixed(2)} % of one core (user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms)`);
  console.log(
    `exec channels per host per refresh: ${((monitor.execCount - execBefore) / rounds / H).toFixed(2)} (${monitor.execCount - execBefore} over ${rounds} refreshes)`,
  );
  console.log(`refresh of all hosts: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`);
  console.log(
    `onHostFacts: ${((eventBytes - bytesBefore) / rounds / 1024).toFixed(1)} KiB serialised per refresh, ${updates} host updates in all; hosts with an error: ${bad}`,
  );
  const channels = (monitor.execCount - execBefore) / rounds / H;
  recordResult(
    'host-view',
    {
      question: `What does refreshing ${H} hosts' facts every ${INTERVAL_S} s cost the main process, and does each refresh stay on one exec channel per host?`,
      comparator:
        'none in the same run: the figures answer to the targets (CPU < 3 % of one core, one channel per host per refresh, a refresh within the interval)',
    },
    [
      { figure: 'main-process CPU', value: `${cpuPct.toFixed(2)} % of one core`, target: `< 3 %: ${cpuPct < 3 ? 'met' : 'not met'}` },
      {
        figure: 'SSH exec channels per host per refresh',
        value: `${channels.toFixed(2)} (${monitor.execCount - execBefore} over ${rounds} refreshes)`,
        target: `one, no new connections: ${channels === 1 ? 'met' : 'not met'}`,
      },
      {
        figure: `one refresh of all ${H} hosts`,
        value: `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
        target: `within ${INTERVAL_S} s`,
      },
      { figure: 'onHostFacts serialised per refresh', value: `${((eventBytes - bytesBefore) / rounds / 1024).toFixed(1)} KiB (hosts with an error: ${bad})` },
    ],
  );
} finally {
  monitor.stop();
  batch.dispose();
  await pool.close();
  for (const sshd of servers) await sshd.stop();
}
