// What the resolved ssh_config says is what the pool does, against real sshds, a real ssh-agent
// and the OpenSSH client on the same config: IdentitiesOnly keeps a forced-command agent key out,
// an IdentityFile's ${VAR} and tokens name the key ssh opens, HostKeyAlias and every
// known_hosts file are used for the host key, a jump hop is reached
// through its own ProxyCommand, a `user@hop:port` hop gets what `Match user` gives that user, a
// hop's own ProxyJump is followed (a loop refused), and what the console cannot do is on the
// host's status.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import { SessionPool, type HostTarget } from './SessionPool';
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

  it('IdentityFile with ${VAR} and %-tokens opens the key ssh opens, through both resolvers', async () => {
    const keys = join(dir, 'token-keys');
    await mkdir(keys);
    // %r@%h_%n: the remote user, the HostName, the alias
    const key = join(keys, `${target.user}@127.0.0.1_tokened`);
    await copyFile(target.clientKeyPath, key);
    await chmod(key, 0o600);
    const kh = join(dir, 'token_known_hosts');
    await writeFile(kh, `${target.hostKeyLine}\n`);
    const tokenCfg = join(dir, 'token_config');
    await writeFile(
      tokenCfg,
      `Host tokened\n  HostName 127.0.0.1\n  Port ${target.port}\n  IdentityFile \${OPSDECK_TEST_KEYS}/%r@%h_%n\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile ${kh}\n  StrictHostKeyChecking yes\n  BatchMode yes\n`,
    );
    process.env.OPSDECK_TEST_KEYS = keys;
    try {
      const sshSays = await run('ssh', ['-F', tokenCfg, 'tokened', 'echo key-opened']);
      expect(sshSays.stdout.trim()).toBe('key-opened');
      for (const ssh of ['ssh', null]) {
        const resolver = new SshResolver({ files: { user: tokenCfg, system: null }, ssh });
        const t = await hostTargetFromSshConfig(`tokened-${resolver.via}` as HostId, resolver, 'tokened', { authSock: '' });
        expect(t.privateKeyPath, resolver.via).toBe(key);
        const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
        pools.push(pool);
        pool.setHosts([t]);
        let out = '';
        await pool.exec(t.id, 'echo key-opened', { onStdout: (c) => (out += c) });
        expect(out.trim(), resolver.via).toBe('key-opened');
      }
    } finally {
      delete process.env.OPSDECK_TEST_KEYS;
    }
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

  it('UserKnownHostsFile none: an unknown key is refused and no global file is written, as ssh refuses it', async () => {
    const globalKh = join(dir, 'untouched_global_known_hosts');
    await writeFile(globalKh, '');
    const noneCfg = join(dir, 'none_config');
    await writeFile(
      noneCfg,
      `Host nouserfile\n  HostName 127.0.0.1\n  Port ${target.port}\n  IdentityFile ${target.clientKeyPath}\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile none\n  GlobalKnownHostsFile ${globalKh}\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n`,
    );
    const sshSays = await run('ssh', ['-F', noneCfg, 'nouserfile', 'echo connected']).then(
      (r) => r.stdout,
      (e: Error & { stderr?: string }) => e.stderr ?? '',
    );
    expect(sshSays).toContain('Host key verification failed');
    for (const ssh of ['ssh', null]) {
      const resolver = new SshResolver({ files: { user: noneCfg, system: null }, ssh });
      // the console's own policy (ssh.knownHostsPolicy) does not loosen it either
      const t = await hostTargetFromSshConfig(`nouserfile-${resolver.via}` as HostId, resolver, 'nouserfile', {
        authSock: '',
        overrides: { hostKeyPolicy: 'accept-new' },
      });
      const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
      pools.push(pool);
      pool.setHosts([t]);
      await expect(pool.connect(t.id), resolver.via).rejects.toThrow(/not known/);
      expect(
        pool.states().find((st) => st.hostId === t.id),
        resolver.via,
      ).toMatchObject({ state: 'failed' });
      expect(await readFile(globalKh, 'utf8'), resolver.via).toBe('');
    }
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

describe('jump chains, hop by hop', () => {
  let chainCfg: string;
  beforeAll(async () => {
    const kh = join(dir, 'chain_known_hosts');
    await writeFile(kh, `${target.hostKeyLine}\n${hop.hostKeyLine}\n`);
    chainCfg = join(dir, 'chain_config');
    // every hop is the hop sshd under another name; `false` as a ProxyCommand would fail any connect through it
    await writeFile(
      chainCfg,
      `Host chained listed loop-a
  HostName 127.0.0.1
  Port ${target.port}
  IdentityFile ${target.clientKeyPath}
Host chained
  ProxyJump hop2
Host listed
  ProxyJump hop1,hop3
Host loop-a
  ProxyJump loop-b
Host loop-b
  ProxyJump loop-a
Host hop1 hop2 hop3 loop-b
  HostName 127.0.0.1
  Port ${hop.port}
  IdentityFile ${hop.clientKeyPath}
Host hop2
  ProxyJump hop1
Host hop3
  ProxyCommand false
Host *
  UserKnownHostsFile ${kh}
  IdentityAgent none
  StrictHostKeyChecking yes
  BatchMode yes
`,
    );
  });

  /** The route both resolvers give `alias`, after `ssh` itself and the pool (for each) ran a command through it. */
  async function throughChain(alias: string): Promise<NonNullable<HostTarget['jumps']>[]> {
    const sshSays = await run('ssh', ['-F', chainCfg, alias, `echo ${alias}-reached`], { timeout: 15_000 });
    expect(sshSays.stdout.trim()).toBe(`${alias}-reached`);
    const routes: NonNullable<HostTarget['jumps']>[] = [];
    for (const ssh of ['ssh', null]) {
      const resolver = new SshResolver({ files: { user: chainCfg, system: null }, ssh });
      const t = await hostTargetFromSshConfig(alias as HostId, resolver, alias, { authSock: '' });
      const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
      pools.push(pool);
      pool.setHosts([t]);
      let out = '';
      const r = await pool.exec(t.id, `echo ${alias}-reached`, { onStdout: (c) => (out += c), timeoutMs: 15_000 });
      expect(r.exitCode, out).toBe(0);
      expect(out.trim(), resolver.via).toBe(`${alias}-reached`);
      routes.push(t.jumps ?? []);
    }
    return routes;
  }

  it("follows a hop's own ProxyJump: the host is reached through hop1, then hop2, as ssh goes", async () => {
    for (const jumps of await throughChain('chained')) {
      expect(jumps).toHaveLength(2);
      expect(jumps).toEqual([
        expect.objectContaining({ address: '127.0.0.1', port: hop.port, privateKeyPath: hop.clientKeyPath }),
        expect.objectContaining({ address: '127.0.0.1', port: hop.port, privateKeyPath: hop.clientKeyPath }),
      ]);
    }
  });

  it("leaves out a later hop's own ProxyCommand in a ProxyJump list, as ssh -J does", async () => {
    for (const jumps of await throughChain('listed')) {
      expect(jumps).toHaveLength(2);
      expect(jumps[1]!.proxyCommand).toBeUndefined();
    }
  });

  it('refuses a ProxyJump loop on that host alone, naming it', async () => {
    const fleet = await fleetFromConfig(
      parseConfig(`ssh: { configFile: ${chainCfg} }\nhosts:\n  - { id: loop-a, sshAlias: loop-a }\n  - { id: chained, sshAlias: chained }\n`, 't.yaml'),
      { ssh: 'ssh', authSock: '' },
    );
    const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
    pools.push(pool);
    pool.setHosts([...fleet.targets]);
    await expect(pool.connect('loop-a' as HostId)).rejects.toThrow(/ProxyJump chain longer than 8 hops/);
    await pool.connect('chained' as HostId);
    expect(pool.states().find((s) => s.hostId === 'loop-a')).toMatchObject({ state: 'failed', error: expect.stringContaining('loop-a') });
    expect(pool.states().find((s) => s.hostId === 'chained')).toMatchObject({ state: 'connected' });
  });
});

describe("what the console cannot do, on the host's status", () => {
  it("CertificateFile, GSSAPI and a hop's PKCS11Provider are named in the note of a connected host; Match exec too without a client", async () => {
    const kh = join(dir, 'note_known_hosts');
    await writeFile(kh, `${target.hostKeyLine}\n${hop.hostKeyLine}\n`);
    const noteCfg = join(dir, 'note_config');
    await writeFile(
      noteCfg,
      `Host noted
  HostName 127.0.0.1
  Port ${target.port}
  IdentityFile ${target.clientKeyPath}
  CertificateFile ${dir}/id-cert.pub
  GSSAPIAuthentication yes
  ProxyJump tokenhop
Host tokenhop
  HostName 127.0.0.1
  Port ${hop.port}
  IdentityFile ${hop.clientKeyPath}
  PKCS11Provider /usr/lib/opensc-pkcs11.so
Match exec "true"
  ServerAliveInterval 7
Host *
  UserKnownHostsFile ${kh}
  IdentityAgent none
  StrictHostKeyChecking yes
`,
    );
    const cannot = [
      `CertificateFile ${dir}/id-cert.pub is not used: the console offers plain keys only`,
      'GSSAPIAuthentication (Kerberos) is not tried: keys and the agent are',
      'PKCS11Provider /usr/lib/opensc-pkcs11.so is not used: keys on tokens are reached through the agent only',
    ];
    const matchExec = 'Match exec "true" is not run without an OpenSSH client: its section was skipped';
    for (const [ssh, expected] of [
      ['ssh', cannot],
      [null, [...cannot, matchExec]],
    ] as const) {
      const fleet = await fleetFromConfig(parseConfig(`ssh: { configFile: ${noteCfg} }\nhosts:\n  - { id: noted, sshAlias: noted }\n`, 't.yaml'), {
        ssh,
        authSock: '',
      });
      const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 200 } });
      pools.push(pool);
      pool.setHosts([...fleet.targets]);
      await pool.connect('noted' as HostId);
      const state = pool.states().find((s) => s.hostId === 'noted')!;
      expect(state.state, String(ssh)).toBe('connected');
      // one line, each thing once (the hop and the host may say the same)
      expect(state.note?.split('; ').sort(), String(ssh)).toEqual([...expected].sort());
    }
  });
});
