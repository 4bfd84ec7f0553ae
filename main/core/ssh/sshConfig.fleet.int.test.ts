// ssh_config on real Debian hosts (systemd-nspawn, testbed/fleet.ts): each host sees which peer
// its SSH connection comes from, so the route the console took is read on the hosts themselves.
// A bastion named only in the system file; a hop reached through its own ProxyCommand; a
// `root@hop:22` hop that gets its key only through `Match user`; a real ssh-agent holding a
// forced-command key next to the IdentitiesOnly key. Hosts are resolved through `ssh -G` run with
// the test's home and /etc/ssh (testbed/sshOracle.ts). Needs root (the fleet).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startFleet, type Fleet } from '../../../testbed/fleet';
import { sshInNamespace } from '../../../testbed/sshOracle';
import { hostTargetFromSshConfig } from './hostTargetFromSshConfig';
import { SessionPool } from './SessionPool';
import { SshResolver } from './SshResolver';

const run = promisify(execFile);
// unique per process: another engineer's suite may run a fleet at the same time
const FLEET = `cfg${process.pid}`;
let fleet: Fleet;
let dir: string;
let agent: ChildProcess;
let agentSock: string;
let resolver: SshResolver;
const pools: SessionPool[] = [];

/** The addresses the host's sshd has established connections from. */
async function peersOf(host: string): Promise<string[]> {
  const r = await fleet.exec(host, "ss -tnH state established '( sport = :22 )'");
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.trim().split(/\s+/).at(-1)!.replace(/:\d+$/, ''));
}

async function execOn(alias: string, command: string): Promise<{ out: string; pool: SessionPool }> {
  const t = await hostTargetFromSshConfig(alias as HostId, resolver, alias, { authSock: '' });
  const pool = new SessionPool({ backoff: { initialMs: 200, maxMs: 500 }, spareSessions: false });
  pools.push(pool);
  pool.setHosts([t]);
  let out = '';
  const r = await pool.exec(alias as HostId, command, { onStdout: (c) => (out += c), timeoutMs: 20_000 });
  expect(r.exitCode, out).toBe(0);
  return { out: out.trim(), pool };
}

beforeAll(async () => {
  fleet = await startFleet({ hosts: 3, name: FLEET });
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-cfgfleet-'));
  const [bastion, hop, app] = fleet.hosts;
  const key = fleet.privateKeyPath;
  // a key whose authorized_keys line on the app host runs a fixed command, whatever was asked
  const forcedKey = join(dir, 'forced');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', forcedKey]);
  const forcedPub = (await readFile(`${forcedKey}.pub`, 'utf8')).trim();
  await fleet.exec(app!.name, `printf '%s\\n' 'command="echo FORCED-COMMAND-RAN" ${forcedPub}' >> /root/.ssh/authorized_keys`);
  agentSock = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
  for (
    let i = 0;
    i < 100 &&
    !(await run('test', ['-S', agentSock]).then(
      () => true,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 20));
  await run('ssh-add', [forcedKey, key], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });

  const home = join(dir, 'home');
  const etc = join(dir, 'etc-ssh');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(join(etc, 'ssh_config.d'), { recursive: true });
  // the user's file names the hosts; only the company's system file knows the bastion
  await writeFile(
    join(home, '.ssh/config'),
    `Host app.corp
  HostName ${app!.address}
Host app-via-hop
  HostName ${app!.address}
  ProxyJump hop-cmd
Host hop-cmd
  HostName ${hop!.address}
  ProxyCommand ssh -F none -i ${key} -o IdentitiesOnly=yes -o UserKnownHostsFile=${fleet.knownHostsPath} -o StrictHostKeyChecking=yes -o BatchMode=yes -W %h:%p root@${bastion!.address}
Host app-via-user
  HostName ${app!.address}
  ProxyJump root@hop-user:22
Host hop-user
  HostName ${hop!.address}
  User nobody
  Port 2
  IdentityFile /nonexistent
Match originalhost hop-user user root
  IdentityFile ${key}
Host app-agent
  HostName ${app!.address}
  IdentityAgent ${agentSock}
  IdentitiesOnly yes
Host * !hop-user
  IdentityFile ${key}
Host *
  IdentityAgent none
  UserKnownHostsFile ${fleet.knownHostsPath}
  StrictHostKeyChecking yes
`,
  );
  await writeFile(join(etc, 'ssh_config'), 'Include ssh_config.d/*.conf\n');
  await writeFile(
    join(etc, 'ssh_config.d/50-corp.conf'),
    `Host *.corp !bastion.corp\n  ProxyJump bastion.corp\nHost bastion.corp\n  HostName ${bastion!.address}\n`,
  );
  resolver = new SshResolver({
    files: { user: join(home, '.ssh/config'), system: join(etc, 'ssh_config') },
    ssh: 'ssh',
    env: { homeDir: home },
    runSsh: sshInNamespace({ home, etcSsh: etc }),
  });
}, 300_000);

afterAll(async () => {
  for (const p of pools) await p.close();
  agent?.kill();
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('goes through the bastion the system file names, as the app host sees it', async () => {
  const [bastion, , app] = fleet.hosts;
  const { out } = await execOn('app.corp', 'hostname');
  expect(out).toBe(app!.name);
  expect(await peersOf(app!.name)).toContain(bastion!.address);
});

it("reaches a hop through the hop's own ProxyCommand, then the host through the hop", async () => {
  const [bastion, hop, app] = fleet.hosts;
  const { out } = await execOn('app-via-hop', 'hostname');
  expect(out).toBe(app!.name);
  expect(await peersOf(app!.name)).toContain(hop!.address);
  // the hop's ProxyCommand is `ssh -W` through the bastion: the hop sees the bastion
  expect(await peersOf(hop!.name)).toContain(bastion!.address);
});

it('gives a root@hop:22 hop what Match user gives root (its port and key), as ssh -J does', async () => {
  const [, hop, app] = fleet.hosts;
  const t = await hostTargetFromSshConfig('app-via-user' as HostId, resolver, 'app-via-user', { authSock: '' });
  expect(t.jumps).toEqual([expect.objectContaining({ address: hop!.address, user: 'root', port: 22, privateKeyPath: fleet.privateKeyPath })]);
  const { out } = await execOn('app-via-user', 'hostname');
  expect(out).toBe(app!.name);
});

it('never runs the forced command of an agent key IdentitiesOnly leaves out', async () => {
  const { out } = await execOn('app-agent', 'echo the-action-ran');
  expect(out).toBe('the-action-ran');
});
