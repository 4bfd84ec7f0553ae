// Jump hosts for real: a bastion sshd in a network namespace of its own, reachable from here
// through a veth pair, and sshds on the namespace's own loopback that nothing outside it can
// reach. Hosts are resolved through an ssh_config with ProxyJump, as an engineer's would be.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { hostTargetFromSshConfig } from './hostTargetFromSshConfig';
import { SessionPool } from './SessionPool';

const run = promisify(execFile);
const tag = Math.random().toString(16).slice(2, 8);
const NS = `opsdeck-jmp-${tag}`;
const VETH_HOST = `ojh${tag}`;
const VETH_NS = `ojn${tag}`;
const octet = 1 + Math.floor(Math.random() * 250);
const HOST_IP = `10.231.${octet}.1`;
const BASTION_IP = `10.231.${octet}.2`;

let bastion: Sshd;
let inner: Sshd;
let deeper: Sshd;
let configPath: string;

const ip = (...args: string[]) => run('ip', args);

beforeAll(async () => {
  await ip('netns', 'add', NS);
  await ip('-n', NS, 'link', 'set', 'lo', 'up');
  await ip('link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS);
  await ip('link', 'set', VETH_NS, 'netns', NS);
  await ip('addr', 'add', `${HOST_IP}/30`, 'dev', VETH_HOST);
  await ip('link', 'set', VETH_HOST, 'up');
  await ip('-n', NS, 'addr', 'add', `${BASTION_IP}/30`, 'dev', VETH_NS);
  await ip('-n', NS, 'link', 'set', VETH_NS, 'up');
  [bastion, inner, deeper] = await Promise.all([
    startSshd({ netns: NS, listenAddress: BASTION_IP }),
    startSshd({ netns: NS, listenAddress: '127.0.0.1' }),
    startSshd({ netns: NS, listenAddress: '127.0.0.1' }),
  ]);
  configPath = join(bastion.dir, 'ssh_config');
  await writeFile(
    configPath,
    `Host bastion
  HostName ${BASTION_IP}
  Port ${bastion.port}
  IdentityFile ${bastion.clientKeyPath}
  UserKnownHostsFile ${bastion.knownHostsPath}
Host inner
  HostName 127.0.0.1
  Port ${inner.port}
  IdentityFile ${inner.clientKeyPath}
  UserKnownHostsFile ${inner.knownHostsPath}
  ProxyJump bastion
Host deeper
  HostName 127.0.0.1
  Port ${deeper.port}
  IdentityFile ${deeper.clientKeyPath}
  UserKnownHostsFile ${deeper.knownHostsPath}
  ProxyJump bastion,root@127.0.0.1:${inner.port}
Host viaproxy
  HostName 127.0.0.1
  Port ${inner.port}
  IdentityFile ${inner.clientKeyPath}
  UserKnownHostsFile ${inner.knownHostsPath}
  ProxyCommand ssh -F ${'${CFG}'} -W %h:%p bastion
Host brokenproxy
  HostName 127.0.0.1
  Port ${inner.port}
  IdentityFile ${inner.clientKeyPath}
  UserKnownHostsFile ${inner.knownHostsPath}
  ProxyCommand sh -c 'echo "no route to %h" >&2; exit 7'
Host 127.0.0.1
  IdentityFile ${inner.clientKeyPath}
  UserKnownHostsFile ${inner.knownHostsPath}
Host *
  User root
  IdentityAgent none
  StrictHostKeyChecking yes
  IdentitiesOnly yes
`.replace('${CFG}', configPath),
  );
});

afterAll(async () => {
  await Promise.all([bastion, inner, deeper].map((s) => s?.stop()));
  const { stdout } = await ip('netns', 'pids', NS).catch(() => ({ stdout: '' }));
  for (const pid of stdout.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
  await ip('link', 'del', VETH_HOST).catch(() => {});
  await ip('netns', 'del', NS).catch(() => {});
});

async function echo(pool: SessionPool, id: HostId, text: string): Promise<string> {
  let out = '';
  await pool.exec(id, `echo ${text}`, { onStdout: (c) => (out += c) });
  return out;
}

const accepted = (s: Sshd) =>
  s
    .log()
    .split('\n')
    .filter((l) => l.includes('Accepted publickey')).length;

describe('ProxyCommand', () => {
  it('connects through the OpenSSH client as ProxyCommand (ssh -W), checking the inner host key', async () => {
    const t = await hostTargetFromSshConfig('viaproxy' as HostId, configPath, 'viaproxy');
    expect(t.proxyCommand).toBe(`ssh -F ${configPath} -W 127.0.0.1:${inner.port} bastion`);
    const pool = new SessionPool();
    try {
      pool.setHosts([t]);
      expect(await echo(pool, 'viaproxy' as HostId, 'through-proxycommand')).toBe('through-proxycommand\n');
    } finally {
      await pool.close();
    }
  });

  it("reports a failing ProxyCommand's exit status and stderr", async () => {
    const pool = new SessionPool();
    try {
      pool.setHosts([await hostTargetFromSshConfig('brokenproxy' as HostId, configPath, 'brokenproxy')]);
      await expect(pool.connect('brokenproxy' as HostId)).rejects.toThrow(/ProxyCommand exited with 7: no route to 127\.0\.0\.1/);
    } finally {
      await pool.close();
    }
  });
});

describe('ProxyJump through a bastion', () => {
  it('the hosts behind the bastion are not reachable directly, yet the OpenSSH client reaches them with the same config', async () => {
    const refused = await new Promise<string>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port: inner.port });
      sock.on('connect', () => resolve('connected'));
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    const { stdout } = await run('ssh', ['-F', configPath, '-o', 'BatchMode=yes', 'inner', 'echo via-openssh']);
    expect(stdout).toBe('via-openssh\n');
  });

  it('runs commands on two hosts behind one bastion connection, and through a two-hop chain', async () => {
    let clients = 0;
    const pool = new SessionPool({ createClient: () => (clients++, new ssh2.Client()) });
    try {
      const before = accepted(bastion);
      const targets = await Promise.all([
        hostTargetFromSshConfig('inner' as HostId, configPath, 'inner'),
        hostTargetFromSshConfig('deeper' as HostId, configPath, 'deeper'),
      ]);
      expect(targets[1]!.jumps!.map((j) => `${j.user}@${j.address}:${j.port}`)).toEqual([`root@${BASTION_IP}:${bastion.port}`, `root@127.0.0.1:${inner.port}`]);
      pool.setHosts(targets);
      const [a, b] = await Promise.all([echo(pool, 'inner' as HostId, 'from-inner'), echo(pool, 'deeper' as HostId, 'from-deeper')]);
      expect(a).toBe('from-inner\n');
      expect(b).toBe('from-deeper\n');
      // one connection to the bastion, shared; inner's connection also carries deeper's hop
      expect(accepted(bastion) - before).toBe(1);
      expect(clients).toBe(3);
      expect(pool.states().map((s) => [s.hostId, s.state])).toEqual([
        ['inner', 'connected'],
        ['deeper', 'connected'],
      ]);
    } finally {
      await pool.close();
    }
  });

  it("checks the bastion's own host key, naming its fingerprint when refused", async () => {
    const empty = join(bastion.dir, 'empty_known_hosts');
    await writeFile(empty, '');
    const t = await hostTargetFromSshConfig('inner' as HostId, configPath, 'inner');
    t.jumps![0]!.knownHostsPath = empty;
    const pool = new SessionPool();
    try {
      pool.setHosts([t]);
      await expect(pool.connect('inner' as HostId)).rejects.toThrow(
        `jump host root@${BASTION_IP}:${bastion.port}: host key for [${BASTION_IP}]:${bastion.port} is not known: ssh-ed25519 ${bastion.hostKeyFingerprint}`,
      );
      // refused for good: no retry loop against a bastion whose key is wrong
      expect(pool.states()[0]).toMatchObject({ hostId: 'inner', state: 'failed', nextRetryAt: null });
    } finally {
      await pool.close();
    }
  });

  it('reconnects the hosts behind the bastion when the bastion restarts', async () => {
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 500 } });
    try {
      pool.setHosts([await hostTargetFromSshConfig('inner' as HostId, configPath, 'inner')]);
      await pool.connect('inner' as HostId);
      await bastion.restart();
      const deadline = Date.now() + 8000;
      let text = '';
      while (Date.now() < deadline) {
        text = await echo(pool, 'inner' as HostId, 'after-bastion-restart').catch(() => '');
        if (text) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(text).toBe('after-bastion-restart\n');
    } finally {
      await pool.close();
    }
  });
});
