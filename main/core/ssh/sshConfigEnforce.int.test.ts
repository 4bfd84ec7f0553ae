// What the resolved ssh_config says is what the pool does, against real sshds, a real ssh-agent
// and the OpenSSH client on the same config: IdentitiesOnly keeps a forced-command agent key out,
// HostKeyAlias and every known_hosts file are used for the host key, a jump hop is reached
// through its own ProxyCommand, and a `user@hop:port` hop gets what `Match user` gives that user.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { sshInNamespace } from '../../../testbed/sshOracle';
import { parseConfig } from '../config/loadConfig';
import { fleetFromConfig } from '../fleet';
import { hostTargetFromSshConfig } from './hostTargetFromSshConfig';
import { SessionPool } from './SessionPool';
import { SshResolver } from './SshResolver';

const run = promisify(execFile);
let dir: string;
let target: Sshd;
let hop: Sshd;
let agent: ChildProcess;
let agentSock: string;
let forcedKey: string;
let cfg: string;
const pools: SessionPool[] = [];

/** The command's output as the pool runs it on `alias` resolved through cfg (via `ssh -G`). */
async function execVia(alias: string, command: string, withAgent = true): Promise<string> {
  const resolver = new SshResolver({ files: { user: cfg, system: null }, ssh: 'ssh' });
  const t = await hostTargetFromSshConfig(alias as HostId, resolver, alias, withAgent ? {} : { authSock: '' });
  const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
  pools.push(pool);
  pool.setHosts([t]);
  let out = '';
  const r = await pool.exec(alias as HostId, command, { onStdout: (c) => (out += c), timeoutMs: 15_000 });
  expect(r.exitCode, out).toBe(0);
  return out.trim();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-enforce-'));
  forcedKey = join(dir, 'forced_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'forced', '-f', forcedKey]);
  const forcedPub = (await readFile(`${forcedKey}.pub`, 'utf8')).trim();
  [target, hop] = await Promise.all([startSshd({ authorizedKeys: [`command="echo FORCED-COMMAND-RAN" ${forcedPub}`] }), startSshd()]);
  // a real agent holding the forced-command key first, then the key IdentitiesOnly names
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
  await run('ssh-add', [forcedKey, target.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
  const kh = join(dir, 'known_hosts');
  const aliasKh = join(dir, 'alias_known_hosts');
  const globalKh = join(dir, 'global_known_hosts');
  const hostKeyOf = (s: Sshd) => s.hostKeyLine.split(' ').slice(1).join(' ');
  await writeFile(kh, `${target.hostKeyLine}\n${hop.hostKeyLine}\n`);
  await writeFile(aliasKh, `shared-name ${hostKeyOf(target)}\n`);
  await writeFile(globalKh, `${target.hostKeyLine}\n`);
  cfg = join(dir, 'ssh_config');
  await writeFile(
    cfg,
    `Host forced-only plain aliased global viahop
  HostName 127.0.0.1
  Port ${target.port}
  StrictHostKeyChecking yes
  BatchMode yes
Host forced-only plain
  IdentityAgent ${agentSock}
Host aliased global viahop
  IdentityAgent none
Host forced-only
  IdentityFile ${target.clientKeyPath}
  IdentitiesOnly yes
  UserKnownHostsFile ${kh}
Host plain
  UserKnownHostsFile ${kh}
Host aliased
  HostKeyAlias Shared-Name
  UserKnownHostsFile ${aliasKh}
Host global
  UserKnownHostsFile ${join(dir, 'empty_known_hosts')}
  GlobalKnownHostsFile ${globalKh}
Host viahop
  IdentityFile ${target.clientKeyPath}
  UserKnownHostsFile ${kh}
  ProxyJump root@hop:${hop.port}
Host hop
  HostName hop.invalid
  User nobody
  Port 1
  UserKnownHostsFile ${kh}
  IdentityAgent none
  BatchMode yes
  StrictHostKeyChecking yes
Match originalhost hop user root
  IdentityFile ${hop.clientKeyPath}
  HostKeyAlias 127.0.0.1
  ProxyCommand bash -c 'exec 2>/dev/null 3<>/dev/tcp/127.0.0.1/%p; cat <&3 & exec cat >&3'
`,
  );
  // the known_hosts line for the hop is written for [127.0.0.1]:port; HostKeyAlias looks it up without a port
  await writeFile(kh, `${target.hostKeyLine}\n127.0.0.1 ${hostKeyOf(hop)}\n`);
}, 60_000);

afterAll(async () => {
  for (const p of pools) await p.close();
  agent?.kill();
  await Promise.all([target?.stop(), hop?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('the resolved config, enforced', () => {
  it('IdentitiesOnly: the agent key with a forced command is never offered, as with ssh', async () => {
    const sshSays = await run('ssh', ['-F', cfg, 'forced-only', 'echo real-command-ran'], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
    expect(sshSays.stdout.trim()).toBe('real-command-ran');
    expect(await execVia('forced-only', 'echo real-command-ran')).toBe('real-command-ran');
    // the same agent without IdentitiesOnly offers the forced key first: what the test guards against
    expect(await execVia('plain', 'echo real-command-ran')).toBe('FORCED-COMMAND-RAN');
  });

  it('HostKeyAlias: the key is checked under the alias, not the address and port', async () => {
    const sshSays = await run('ssh', ['-F', cfg, '-i', target.clientKeyPath, '-o', 'IdentitiesOnly=yes', 'aliased', 'echo ok']);
    expect(sshSays.stdout.trim()).toBe('ok');
    const resolver = new SshResolver({ files: { user: cfg, system: null }, ssh: 'ssh' });
    const t = await hostTargetFromSshConfig('aliased' as HostId, resolver, 'aliased', { overrides: { privateKeyPath: target.clientKeyPath }, authSock: '' });
    expect(t.hostKeyAlias).toBe('shared-name');
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
    pools.push(pool);
    pool.setHosts([t]);
    let out = '';
    await pool.exec('aliased' as HostId, 'echo ok', { onStdout: (c) => (out += c) });
    expect(out.trim()).toBe('ok');
  });

  it('GlobalKnownHostsFile: a key only in the global file is known', async () => {
    const resolver = new SshResolver({ files: { user: cfg, system: null }, ssh: 'ssh' });
    const t = await hostTargetFromSshConfig('global' as HostId, resolver, 'global', { overrides: { privateKeyPath: target.clientKeyPath }, authSock: '' });
    expect([t.knownHostsPath, ...(t.otherKnownHostsPaths ?? [])]).toEqual([join(dir, 'empty_known_hosts'), join(dir, 'global_known_hosts')]);
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
    pools.push(pool);
    pool.setHosts([t]);
    let out = '';
    await pool.exec('global' as HostId, 'echo ok', { onStdout: (c) => (out += c) });
    expect(out.trim()).toBe('ok');
  });

  it('a user@hop:port hop gets Match user and its own ProxyCommand, as ssh -J does', async () => {
    const sshSays = await run('ssh', ['-F', cfg, 'viahop', 'echo through-the-hop'], { env: { ...process.env, SSH_AUTH_SOCK: '' }, timeout: 10_000 }).catch(
      (e: Error & { stderr?: string }) => ({ stdout: `ssh failed: ${e.message} ${e.stderr ?? ''}` }),
    );
    expect(sshSays.stdout.trim()).toBe('through-the-hop');
    const resolver = new SshResolver({ files: { user: cfg, system: null }, ssh: 'ssh' });
    const t = await hostTargetFromSshConfig('viahop' as HostId, resolver, 'viahop', { authSock: '' });
    // hop.invalid does not resolve: only its ProxyCommand reaches it
    expect(t.jumps).toEqual([
      expect.objectContaining({
        address: 'hop.invalid',
        user: 'root',
        port: hop.port,
        privateKeyPath: hop.clientKeyPath,
        hostKeyAlias: '127.0.0.1',
        proxyCommand: `bash -c 'exec 2>/dev/null 3<>/dev/tcp/127.0.0.1/${hop.port}; cat <&3 & exec cat >&3'`,
      }),
    ]);
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
    pools.push(pool);
    pool.setHosts([t]);
    let out = '';
    await pool.exec('viahop' as HostId, 'echo through-the-hop', { onStdout: (c) => (out += c) });
    expect(out.trim()).toBe('through-the-hop');
  });
});

describe('a config ssh refuses', () => {
  it("fails that host with ssh -G's own words, never connecting it", async () => {
    const bad = join(dir, 'bad_config');
    await writeFile(bad, `Host refused\n  HostName 127.0.0.1\n  Port ${target.port}\n  UseKeychain yes\n`);
    const fleet = await fleetFromConfig(parseConfig(`ssh: { configFile: ${bad} }\nhosts:\n  - { id: refused, sshAlias: refused }\n`, 't.yaml'), {
      ssh: 'ssh',
      authSock: '',
    });
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
    pools.push(pool);
    pool.setHosts([...fleet.targets]);
    await expect(pool.connect('refused' as HostId)).rejects.toThrow(/Bad configuration option: usekeychain/);
    expect(pool.states()[0]).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/ssh -G refused: .*line 4: Bad configuration option: usekeychain/),
    });
  });
});

describe('the system-wide file', () => {
  it('a bastion named only in /etc/ssh/ssh_config carries the host, through ssh -G and in process', async () => {
    const home = join(dir, 'syshome');
    const etc = join(dir, 'sysetc');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await mkdir(join(etc, 'ssh_config.d'), { recursive: true });
    const kh = join(dir, 'sys_known_hosts');
    await writeFile(kh, `${target.hostKeyLine}\n${hop.hostKeyLine}\n`);
    // the user's file knows nothing of the bastion
    await writeFile(join(home, '.ssh/config'), `Host app.corp\n  HostName 127.0.0.1\n  Port ${target.port}\n  IdentityFile ${target.clientKeyPath}\n`);
    await writeFile(join(etc, 'ssh_config'), 'Include ssh_config.d/*.conf\n');
    await writeFile(
      join(etc, 'ssh_config.d/10-corp.conf'),
      `Host *.corp !bastion.corp\n  ProxyJump bastion.corp\nHost bastion.corp\n  HostName 127.0.0.1\n  Port ${hop.port}\n  IdentityFile ${hop.clientKeyPath}\nHost *\n  UserKnownHostsFile ${kh}\n  IdentityAgent none\n  StrictHostKeyChecking yes\n`,
    );
    const files = { user: join(home, '.ssh/config'), system: join(etc, 'ssh_config') };
    const viaSsh = new SshResolver({ files, ssh: 'ssh', env: { homeDir: home }, runSsh: sshInNamespace({ home, etcSsh: etc }) });
    const inProcess = new SshResolver({ files, ssh: null, env: { homeDir: home } });
    for (const resolver of [viaSsh, inProcess]) {
      const t = await hostTargetFromSshConfig(`app-${resolver.via}` as HostId, resolver, 'app.corp', { authSock: '' });
      expect(t.jumps, resolver.via).toEqual([expect.objectContaining({ address: '127.0.0.1', port: hop.port, privateKeyPath: hop.clientKeyPath })]);
      const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
      pools.push(pool);
      pool.setHosts([t]);
      let out = '';
      await pool.exec(t.id, 'echo via-bastion', { onStdout: (c) => (out += c) });
      expect(out.trim(), resolver.via).toBe('via-bastion');
      expect(pool.states().find((s) => s.hostId === t.id)).toMatchObject({ state: 'connected' });
    }
    expect(viaSsh.spawns).toBe(2);
  });
});
