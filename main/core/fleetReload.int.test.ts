// Issue 5: an ssh_config import takes effect without a restart. The console is started by
// bootstrap from a real config file against real loopback sshds; the import adds a host that
// appears (onFleet, getFleet) and connects, and a host removed from the file is disconnected,
// as seen from the server's side.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeploymentId, FleetInfo } from '../../common/contract';
import { startSshd, type Sshd } from '../../testbed/sshd';
import type { OpsApp } from './app';
import { bootstrap } from './bootstrap';

const run = promisify(execFile);
let dir: string;
let a: Sshd;
let b: Sshd;
let app: OpsApp | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-reload-'));
  [a, b] = await Promise.all([startSshd(), startSshd()]);
});
afterAll(async () => {
  await app?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** established TCP connections the sshd on `port` sees (the server's side of "connected") */
async function serverConnections(port: number): Promise<number> {
  const { stdout } = await run('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]);
  return stdout.split('\n').filter((l) => l.trim()).length;
}

it('imported hosts appear and connect at once; a host removed from the config is disconnected', async () => {
  const sshConfig = join(dir, 'ssh_config');
  await writeFile(
    sshConfig,
    [a, b]
      .map((s, i) => [`Host lab-${'ab'[i]}`, '  HostName 127.0.0.1', `  Port ${s.port}`, `  User ${s.user}`, `  IdentityFile ${s.clientKeyPath}`, `  UserKnownHostsFile ${s.knownHostsPath}`].join('\n'))
      .join('\n') + '\n',
  );
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    [
      '# reload test: comments survive',
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${sshConfig}, knownHostsPolicy: "yes" }`,
      'hosts:',
      '  - { id: lab-a, sshAlias: lab-a }',
      'deployments:',
      '  - { id: lab, name: Lab, hosts: [lab-a], health: { url: "http://127.0.0.1:9" } }',
      '',
    ].join('\n'),
  );
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  app = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir, SSH_AUTH_SOCK: '' }, logger: quiet });
  const fleets: FleetInfo[] = [];
  app.hub.subscribe((name, payload) => name === 'onFleet' && fleets.push(payload as FleetInfo));
  const state = (id: string) => app!.pool.states().find((s) => s.hostId === id)?.state;
  await expect.poll(() => state('lab-a'), { timeout: 15_000 }).toBe('connected');
  await expect.poll(() => serverConnections(a.port), { timeout: 10_000 }).toBe(1);

  const imported = await app.handlers.importSshHosts({ aliases: ['lab-b'], deploymentId: 'lab' as DeploymentId });
  expect(imported).toMatchObject({ added: [{ alias: 'lab-b', hostId: 'lab-b' }], restartNeeded: false, note: 'They are connecting now.' });
  await expect.poll(() => state('lab-b'), { timeout: 15_000 }).toBe('connected');
  await expect.poll(() => serverConnections(b.port), { timeout: 10_000 }).toBe(1);
  const fleet = await app.handlers.getFleet({});
  expect(fleet.hosts.map((h) => h.id)).toEqual(['lab-a', 'lab-b']);
  expect(fleet.deployments[0]!.hosts).toEqual(['lab-a', 'lab-b']);
  expect(fleets.at(-1)).toEqual(fleet);
  // the host view knows it too (facts come once it is connected)
  await expect.poll(async () => (await app!.handlers.getHostFacts({})).hosts.map((h) => h.hostId).sort(), { timeout: 10_000 }).toEqual(['lab-a', 'lab-b']);
  // an action can target it
  let out = '';
  await app.pool.exec('lab-b' as never, 'echo via-b', { onStdout: (c) => (out += c) });
  expect(out).toBe('via-b\n');

  // the engineer deletes lab-a from the file (by hand); the next reload (an import, or reloadFleet) drops it
  const text = await readFile(configPath, 'utf8');
  await writeFile(configPath, text.replace('  - { id: lab-a, sshAlias: lab-a }\n', '').replace(/hosts: \[\s*lab-a,\s*/, 'hosts: ['));
  expect(await app.reloadFleet()).toEqual({ added: [], removed: ['lab-a'], restartNeeded: null });
  await expect.poll(() => serverConnections(a.port), { timeout: 10_000 }).toBe(0);
  expect(app.pool.states().map((s) => s.hostId)).toEqual(['lab-b']);
  expect((await app.handlers.getFleet({})).deployments[0]!.hosts).toEqual(['lab-b']);
  expect(state('lab-b')).toBe('connected');
  expect(await serverConnections(b.port)).toBe(1);
}, 90_000);
