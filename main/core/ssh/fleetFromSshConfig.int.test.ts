// A host named only by its ssh_config alias connects to a real loopback sshd: the address,
// port, user, key and known_hosts all come from an Include'd file and a Host pattern.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { parseConfig } from '../config/loadConfig';
import { fleetFromConfig } from '../fleet';
import { SessionPool } from './SessionPool';

let sshd: Sshd;
let home: string;
let pool: SessionPool | null = null;

beforeAll(async () => {
  sshd = await startSshd();
  home = await mkdtemp(join(tmpdir(), 'opsdeck-alias-'));
  await mkdir(join(home, '.ssh/conf.d'), { recursive: true });
  await writeFile(join(home, '.ssh/config'), 'Include conf.d/*.conf\n\nHost *\n  ServerAliveInterval 5\n');
  await writeFile(
    join(home, '.ssh/conf.d/lab.conf'),
    [
      `Host lab-* !lab-skip`,
      `  HostName ${sshd.address}`,
      `  Port ${sshd.port}`,
      `  User ${sshd.user}`,
      `  IdentityFile ${sshd.clientKeyPath}`,
      `  UserKnownHostsFile ${sshd.knownHostsPath}`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await pool?.close();
  await sshd?.stop();
  await rm(home, { recursive: true, force: true });
});

it('connects by alias through Include and a Host pattern, and runs a command', async () => {
  const fleet = await fleetFromConfig(parseConfig('ssh: { knownHostsPolicy: yes }\nhosts:\n  - { id: web, sshAlias: lab-web }\n', 't.yaml'), {
    homeDir: home,
    authSock: '',
  });
  expect(fleet.targets[0]).toMatchObject({ address: sshd.address, port: sshd.port, keepaliveIntervalMs: 5000 });
  pool = new SessionPool();
  pool.setHosts([...fleet.targets]);
  let out = '';
  await pool.exec('web' as HostId, 'echo "$USER via alias"', { onStdout: (c) => (out += c) });
  expect(out).toBe(`${sshd.user} via alias\n`);
  expect(pool.states()[0]).toMatchObject({ hostId: 'web', state: 'connected' });
});

it('a negated alias gets none of the pattern: the console says which address it tried', async () => {
  const fleet = await fleetFromConfig(parseConfig('hosts:\n  - { id: skip, sshAlias: lab-skip, connectTimeoutSeconds: 2 }\n', 't.yaml'), {
    homeDir: home,
    authSock: '',
  });
  expect(fleet.targets[0]).toMatchObject({ address: 'lab-skip', port: 22 });
});
