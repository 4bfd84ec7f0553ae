// Issue 4's speed figures, all measured in the same run at a 25 ms round trip (a userspace
// delay proxy in front of every host, see testbed/delay-proxy.ts):
//   1. one read-only action on a warm session: Opsdeck's SessionPool.exec and the whole
//      ActionService path (preview, token, audit intent, exec, audit result), against the
//      OpenSSH client through an established ControlMaster;
//   2. `systemctl restart autotrader-ingestion` on 20 hosts: Opsdeck's fan-out over warm
//      sessions, against parallel-ssh and `ansible -m shell -f 20`.
// Run as root on the test machine:  npx tsx bench/actions-fanout.ts [--hosts 20] [--rounds 30]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import type { HostId } from '../common/contract';
import { ActionService } from '../main/core/actions/ActionService';
import { loadCatalogFile } from '../main/core/actions/Catalog';
import { AuditLog } from '../main/core/audit/AuditLog';
import { systemClock } from '../main/core/clock';
import { Redactor } from '../main/core/redact/Redactor';
import { SessionPool } from '../main/core/ssh/SessionPool';
import { startDelayProxy, type DelayProxy } from '../testbed/delay-proxy';
import { startFleet } from '../testbed/fleet';

const run = promisify(execFile);
const { values } = parseArgs({ options: { hosts: { type: 'string', default: '20' }, rounds: { type: 'string', default: '30' }, rtt: { type: 'string', default: '25' } } });
const HOSTS = Number(values.hosts);
const ROUNDS = Number(values.rounds);
const ONE_WAY = Number(values.rtt) / 2;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const p = (q: number, xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-bench-'));
console.log(`booting ${HOSTS} nspawn hosts…`);
const fleet = await startFleet({ name: 'bench', hosts: HOSTS });
const proxies: DelayProxy[] = [];
const pool = new SessionPool({ maxConcurrentHandshakes: 32 });
try {
  for (const host of fleet.hosts) proxies.push(await startDelayProxy({ target: { host: host.address, port: host.sshPort }, delayMs: ONE_WAY }));
  // known_hosts under the proxies' loopback ports: the same keys, other names.
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(
    knownHosts,
    fleet.hosts.map((host, i) => host.hostKeyLine.replace(/^\S+/, `[127.0.0.1]:${proxies[i]!.port}`)).join('\n') + '\n',
  );
  const ids = fleet.hosts.map((_h, i) => `h${i + 1}` as HostId);
  pool.setHosts(
    ids.map((id, i) => ({ id, address: '127.0.0.1', port: proxies[i]!.port, user: 'root', privateKeyPath: fleet.privateKeyPath, knownHostsPath: knownHosts })),
  );
  const sshOpts = ['-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-i', fleet.privateKeyPath, '-o', 'LogLevel=ERROR'];

  // ---- 1. warm read-only action ---------------------------------------------------------
  // One round trip as the link gives it: sshd speaks first, and the proxy opens its upstream
  // leg one one-way delay after accepting, so the banner arrives one round trip after connect.
  const rtt = await (async () => {
    const samples: number[] = [];
    const { connect } = await import('node:net');
    for (let i = 0; i < 10; i++) {
      samples.push(
        await time(
          () =>
            new Promise<void>((resolve, reject) => {
              const socket = connect({ host: '127.0.0.1', port: proxies[0]!.port, noDelay: true });
              socket.once('data', () => {
                socket.destroy();
                resolve();
              });
              socket.once('error', reject);
            }),
        ),
      );
    }
    return median(samples);
  })();

  await Promise.all(ids.map((id) => pool.connect(id)));
  const command = 'systemctl is-active autotrader-api';
  const ownCost = median(await Promise.all([0, 1, 2, 3, 4].map(() => fleet.exec(fleet.hosts[0]!.name, `t=$(date +%s%N); ${command} >/dev/null; echo $(( ($(date +%s%N)-t)/1000 ))`).then((r) => Number(r.stdout.trim()) / 1000))));
  const poolSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) poolSamples.push(await time(() => pool.exec(ids[0]!, command)));
  const poolTrue: number[] = [];
  for (let i = 0; i < ROUNDS; i++) poolTrue.push(await time(() => pool.exec(ids[0]!, 'true')));

  const audit = new AuditLog({ path: join(dir, 'audit.jsonl'), clock: systemClock, redactor: new Redactor() });
  const catalog = await loadCatalogFile(new URL('../resources/actions.yaml', import.meta.url).pathname);
  const actions = new ActionService({
    catalog,
    executor: pool,
    audit,
    redactor: new Redactor(),
    clock: systemClock,
    randomBytes,
    user: 'bench',
    hostLookup: (id) => ({ id, label: id }),
    maxConcurrency: HOSTS,
    blastRadius: HOSTS,
    emitOutput: () => {},
    emitStatus: () => {},
  });
  const runAction = async (actionId: string, params: Record<string, string>, hostIds: HostId[]) => {
    const preview = actions.preview({ actionId, params, hostIds });
    const { runId } = actions.run({ token: preview.token });
    await actions.settled(runId);
  };
  const actionSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) actionSamples.push(await time(() => runAction('service.status', { unit: 'autotrader-api' }, [ids[0]!])));

  const control = join(dir, 'cm-%C');
  await run('ssh', [...sshOpts, '-o', `ControlPath=${control}`, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=120', '-fN', '-p', String(proxies[0]!.port), 'root@127.0.0.1']);
  const opensshTrue: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    opensshTrue.push(await time(() => run('ssh', [...sshOpts, '-o', `ControlPath=${control}`, '-p', String(proxies[0]!.port), 'root@127.0.0.1', 'true'])));
  }
  const opensshSamples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    opensshSamples.push(await time(() => run('ssh', [...sshOpts, '-o', `ControlPath=${control}`, '-p', String(proxies[0]!.port), 'root@127.0.0.1', command]).catch(() => undefined)));
  }
  await run('ssh', ['-o', `ControlPath=${control}`, '-O', 'exit', '-p', String(proxies[0]!.port), 'root@127.0.0.1']).catch(() => undefined);

  // ---- 2. restart on every host ---------------------------------------------------------
  const restart = 'systemctl restart autotrader-ingestion';
  // systemd refuses a 6th start of a unit within 10 s (StartLimitBurst=5): let each measured
  // restart start from a clean slate, outside the timed part.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 11_000));
  const fanoutSamples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await settle();
    fanoutSamples.push(await time(() => runAction('service.restart', { unit: 'autotrader-ingestion' }, ids)));
  }

  const hostsFile = join(dir, 'pssh-hosts');
  writeFileSync(hostsFile, proxies.map((proxy) => `root@127.0.0.1:${proxy.port}`).join('\n') + '\n');
  const psshSamples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await settle();
    psshSamples.push(
      await time(() =>
        run('parallel-ssh', [
          '-h', hostsFile, '-p', String(HOSTS), '-t', '60',
          '-O', `UserKnownHostsFile=${knownHosts}`, '-O', 'StrictHostKeyChecking=yes', '-O', 'BatchMode=yes', '-O', 'LogLevel=ERROR',
          '-x', `-i ${fleet.privateKeyPath}`,
          restart,
        ]),
      ),
    );
  }

  const inventory = join(dir, 'inventory.ini');
  writeFileSync(
    inventory,
    ['[fleet]', ...proxies.map((proxy, i) => `h${i + 1} ansible_host=127.0.0.1 ansible_port=${proxy.port} ansible_user=root`), ''].join('\n'),
  );
  const ansibleEnv = {
    ...process.env,
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${knownHosts} -o ControlMaster=no`,
    ANSIBLE_PRIVATE_KEY_FILE: fleet.privateKeyPath,
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_GATHERING: 'explicit',
  };
  const ansibleSamples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await settle();
    ansibleSamples.push(await time(() => run('ansible', ['all', '-i', inventory, '-m', 'shell', '-a', restart, '-f', String(HOSTS)], { env: ansibleEnv })));
  }

  const report = [
    `## Actions (issue 4): warm action and ${HOSTS}-host restart at a ${values.rtt} ms round trip`,
    '',
    `Load average when measured: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' / ')} (1/5/15 min).`,
    '',
    `Command: \`npx tsx bench/actions-fanout.ts --hosts ${HOSTS} --rounds ${ROUNDS} --rtt ${values.rtt}\` (root; ${HOSTS} systemd-nspawn hosts, each behind a userspace delay proxy). Measured ${new Date().toISOString().slice(0, 16)}Z on this 2-core machine.`,
    '',
    '| what | median | p90 | ratio |',
    '| --- | --- | --- | --- |',
    `| one round trip (connect to SSH banner through the proxy) | ${ms(rtt)} | | 1.00 |`,
    `| OpenSSH \`true\` through an established ControlMaster | ${ms(median(opensshTrue))} | ${ms(p(0.9, opensshTrue))} | ${(median(opensshTrue) / rtt).toFixed(2)} x RTT |`,
    `| Opsdeck SessionPool.exec \`true\` on a warm session | ${ms(median(poolTrue))} | ${ms(p(0.9, poolTrue))} | ${(median(poolTrue) / rtt).toFixed(2)} x RTT, ${(median(poolTrue) / median(opensshTrue)).toFixed(2)} x OpenSSH |`,
    `| the command's own time on the host (\`${command}\`) | ${ms(ownCost)} | | |`,
    `| OpenSSH exec through an established ControlMaster | ${ms(median(opensshSamples))} | ${ms(p(0.9, opensshSamples))} | ${(median(opensshSamples) / rtt).toFixed(2)} x RTT |`,
    `| Opsdeck SessionPool.exec on a warm session | ${ms(median(poolSamples))} | ${ms(p(0.9, poolSamples))} | ${(median(poolSamples) / rtt).toFixed(2)} x RTT, ${(median(poolSamples) / median(opensshSamples)).toFixed(2)} x OpenSSH |`,
    `| Opsdeck read-only action, whole path (preview, audit, exec, audit) | ${ms(median(actionSamples))} | ${ms(p(0.9, actionSamples))} | ${(median(actionSamples) / rtt).toFixed(2)} x RTT |`,
    `| restart on ${HOSTS} hosts: Opsdeck fan-out (warm sessions) | ${ms(median(fanoutSamples))} | | 1.00 |`,
    `| restart on ${HOSTS} hosts: parallel-ssh -p ${HOSTS} | ${ms(median(psshSamples))} | | ${(median(psshSamples) / median(fanoutSamples)).toFixed(1)} x Opsdeck |`,
    `| restart on ${HOSTS} hosts: ansible -m shell -f ${HOSTS} | ${ms(median(ansibleSamples))} | | ${(median(ansibleSamples) / median(fanoutSamples)).toFixed(1)} x Opsdeck |`,
    '',
  ].join('\n');
  console.log(`\n${report}`);
  mkdirSync(join(process.cwd(), 'bench', 'output'), { recursive: true });
  writeFileSync(join(process.cwd(), 'bench', 'output', 'actions-fanout.md'), report);
} finally {
  await pool.close();
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await fleet.stop();
}
