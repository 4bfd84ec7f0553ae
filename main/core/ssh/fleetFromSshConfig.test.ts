// fleetFromConfig resolves every host through a real ssh_config on disk (Include, a Host
// pattern, IdentityFile, ProxyJump), and what the Opsdeck entry sets wins over the file.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/loadConfig';
import { fleetFromConfig } from '../fleet';

let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'opsdeck-fleet-sshcfg-'));
  await mkdir(join(home, '.ssh/conf.d'), { recursive: true });
  await writeFile(join(home, '.ssh/id_prod'), 'not read by this test');
  await writeFile(join(home, '.ssh/id_bastion'), 'not read by this test');
  await writeFile(
    join(home, '.ssh/config'),
    [
      'Include conf.d/*.conf',
      '',
      'Host prod-*',
      '  User trader',
      '  IdentityFile ~/.ssh/id_prod',
      '  ServerAliveInterval 7',
      '  ProxyJump bastion',
      '  UserKnownHostsFile ~/.ssh/known_prod',
      '',
      'Host bastion',
      '  HostName 10.9.0.1',
      '  User jump',
      '  IdentityFile ~/.ssh/id_bastion',
      '',
    ].join('\n'),
  );
  await writeFile(join(home, '.ssh/conf.d/prod.conf'), ['Host prod-1', '  HostName 10.20.0.11', '  Port 2201', ''].join('\n'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const config = (yaml: string) => parseConfig(yaml, 'test.yaml');

describe('fleetFromConfig through ssh_config', () => {
  it('takes address, port, user, key, keepalive, known_hosts and the jump chain from the alias', async () => {
    const fleet = await fleetFromConfig(config('ssh: { knownHostsPolicy: accept-new }\nhosts:\n  - { id: p1, sshAlias: prod-1 }\n'), {
      homeDir: home,
      authSock: '',
    });
    const t = fleet.targets[0]!;
    expect(t).toMatchObject({
      id: 'p1',
      address: '10.20.0.11',
      port: 2201,
      user: 'trader',
      privateKeyPath: join(home, '.ssh/id_prod'),
      keepaliveIntervalMs: 7000,
      knownHostsPath: join(home, '.ssh/known_prod'),
      hostKeyPolicy: 'accept-new',
    });
    expect(t.jumps).toEqual([expect.objectContaining({ address: '10.9.0.1', user: 'jump', port: 22, privateKeyPath: join(home, '.ssh/id_bastion') })]);
    // what the header and host view show is what the connection uses
    expect(fleet.hosts[0]).toMatchObject({ address: '10.20.0.11', port: 2201, user: 'trader' });
  });

  it('lets the Opsdeck entry win field by field', async () => {
    const fleet = await fleetFromConfig(
      config('hosts:\n  - { id: p1, sshAlias: prod-1, port: 2222, user: ops, identityFile: ~/k, knownHostsFile: ~/kh, keepaliveSeconds: 3 }\n'),
      { homeDir: home, authSock: '' },
    );
    expect(fleet.targets[0]).toMatchObject({
      address: '10.20.0.11',
      port: 2222,
      user: 'ops',
      privateKeyPath: join(home, 'k'),
      knownHostsPath: join(home, 'kh'),
      keepaliveIntervalMs: 3000,
      hostKeyPolicy: 'ask',
    });
    expect(fleet.targets[0]!.extraPrivateKeyPaths).toBeUndefined();
  });

  it('keeps the old defaults for a host given by address, still through the file', async () => {
    const fleet = await fleetFromConfig(config('hosts:\n  - { id: a, address: prod-9, identityFile: /keys/a }\n'), { homeDir: home, authSock: '' });
    // prod-* matches the address as typed: its ProxyJump applies, as `ssh prod-9` would do;
    // user and port keep Opsdeck's defaults (root, 22) and the top-level known_hosts
    expect(fleet.targets[0]).toMatchObject({
      address: 'prod-9',
      port: 22,
      user: 'root',
      privateKeyPath: '/keys/a',
      knownHostsPath: join(home, '.ssh/known_hosts'),
    });
    expect(fleet.targets[0]!.jumps).toHaveLength(1);
  });

  it('uses the agent from SSH_AUTH_SOCK or IdentityAgent', async () => {
    const fleet = await fleetFromConfig(config('hosts:\n  - { id: p1, sshAlias: prod-1 }\n'), { homeDir: home, authSock: '/run/agent.sock' });
    expect(fleet.targets[0]!.agent).toBe('/run/agent.sock');
  });

  it('treats a missing ssh_config as empty and names the host when an alias cannot be resolved', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'opsdeck-fleet-nocfg-'));
    const fleet = await fleetFromConfig(config('hosts:\n  - { id: a, address: 10.0.0.5 }\n'), { homeDir: empty, authSock: '' });
    expect(fleet.targets[0]).toMatchObject({ address: '10.0.0.5', port: 22, user: 'root' });
    await expect(
      fleetFromConfig(config('ssh: { configFile: ~/.ssh/config }\nhosts:\n  - { id: bad, sshAlias: "prod-1" }\n'), {
        homeDir: home,
        authSock: '',
        logger: { warn: () => {} },
      }).then((f) => f.targets.length),
    ).resolves.toBe(1);
    await writeFile(join(empty, 'broken'), 'Host x\n  Port notaport\n');
    // a refused config fails that host with the resolver's words; the console still starts
    const warned: string[] = [];
    const broken = await fleetFromConfig(config('ssh: { configFile: ~/broken }\nhosts:\n  - { id: bad, sshAlias: x }\n'), {
      homeDir: empty,
      authSock: '',
      logger: { warn: (m) => warned.push(m) },
    });
    expect(broken.targets[0]!.unresolved).toMatch(/cannot resolve sshAlias "x" through .*broken: .*line 2: Bad port 'notaport'/);
    expect(warned.at(-1)).toMatch(/^host bad: cannot resolve sshAlias "x"/);
    await rm(empty, { recursive: true, force: true });
  });

  it('refuses an entry with neither address nor sshAlias, naming the field', () => {
    expect(() => config('hosts:\n  - { id: a }\n')).toThrow(/hosts\.0\.address: needs "address" or "sshAlias"/);
  });
});
