// An ssh_config import takes effect without a restart. The console is started by
// bootstrap from a real config file against real loopback sshds; the import adds a host that
// appears (onFleet, getFleet) and connects, and a host removed from the file is disconnected,
// as seen from the server's side. What is then done on the imported host belongs to its
// deployment's incident: escalation hands it to the next tier.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActionId, DeploymentId, EventPayload, FleetInfo, HostId } from '../../common/contract';
import { startSshd, type Sshd } from '../../testbed/sshd';
import type { OpsApp } from './app';
import { bootstrap } from './bootstrap';

const run = promisify(execFile);
let dir: string;
let a: Sshd;
let b: Sshd;
let app: OpsApp | null = null;
const apps: OpsApp[] = [];
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-reload-'));
  [a, b] = await Promise.all([startSshd(), startSshd()]);
});
afterAll(async () => {
  await Promise.allSettled(apps.map((started) => started.close()));
  await Promise.all([a?.stop(), b?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** an ssh_config naming both loopback sshds (lab-a, lab-b), as an engineer's ~/.ssh/config would */
async function writeSshConfig(path: string): Promise<void> {
  await writeFile(
    path,
    [a, b]
      .map((s, i) =>
        [
          `Host lab-${'ab'[i]}`,
          '  HostName 127.0.0.1',
          `  Port ${s.port}`,
          `  User ${s.user}`,
          `  IdentityFile ${s.clientKeyPath}`,
          `  UserKnownHostsFile ${s.knownHostsPath}`,
        ].join('\n'),
      )
      .join('\n') + '\n',
  );
}

/** The lab in `home`: its ssh_config (lab-a, lab-b), a config with lab-a alone in deployment `lab`, and the console started on them. */
async function startLab(home: string, lines: { head?: string[]; deployment: string[] }): Promise<{ ops: OpsApp; configPath: string }> {
  const sshConfig = join(home, 'ssh_config');
  await writeSshConfig(sshConfig);
  const configPath = join(home, 'config.yaml');
  await writeFile(
    configPath,
    [
      ...(lines.head ?? []),
      `auditFile: ${join(home, 'audit.jsonl')}`,
      `ssh: { configFile: ${sshConfig}, knownHostsPolicy: "yes" }`,
      'hosts:',
      '  - { id: lab-a, sshAlias: lab-a }',
      'deployments:',
      ...lines.deployment,
      '',
    ].join('\n'),
  );
  const ops = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(home, 'state'), HOME: home, SSH_AUTH_SOCK: '' }, logger: quiet });
  apps.push(ops);
  return { ops, configPath };
}

/** established TCP connections the sshd on `port` sees (the server's side of "connected") */
async function serverConnections(port: number): Promise<number> {
  const { stdout } = await run('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]);
  return stdout.split('\n').filter((l) => l.trim()).length;
}

it('imported hosts appear and connect at once; a host removed from the config is disconnected', async () => {
  const started = await startLab(dir, {
    head: ['# reload test: comments survive'],
    deployment: ['  - { id: lab, name: Lab, hosts: [lab-a], health: { url: "http://127.0.0.1:9" } }'],
  });
  app = started.ops;
  const { configPath } = started;
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

it("escalation's timeline holds what was run on a host the import added to the deployment", async () => {
  const home = join(dir, 'escalation');
  await mkdir(home);
  const { ops } = await startLab(home, {
    head: ['user: it-oncall'],
    deployment: [
      '  - id: lab',
      '    name: Lab',
      '    hosts: [lab-a]',
      '    health: { url: "http://127.0.0.1:9" }',
      '    escalation: { ticket: "https://tickets.example.com/new" }',
    ],
  });
  const statuses: EventPayload<'onRunStatus'>[] = [];
  ops.hub.subscribe((name, payload) => name === 'onRunStatus' && statuses.push(payload as EventPayload<'onRunStatus'>));
  const state = (id: string) => ops.pool.states().find((s) => s.hostId === id)?.state;
  await expect.poll(() => state('lab-a'), { timeout: 15_000 }).toBe('connected');

  expect(await ops.handlers.importSshHosts({ aliases: ['lab-b'], deploymentId: 'lab' as DeploymentId })).toMatchObject({
    added: [{ hostId: 'lab-b' }],
    restartNeeded: false,
  });
  await expect.poll(() => state('lab-b'), { timeout: 15_000 }).toBe('connected');

  // a vetted read-only check on both hosts, as the Actions view runs it (its exit code does not matter here)
  const preview = await ops.handlers.previewAction({ actionId: 'check.security' as ActionId, params: {}, hostIds: ['lab-a' as HostId, 'lab-b' as HostId] });
  const { runId } = await ops.handlers.runAction({ token: preview.token });
  const ended = (hostId: string) => statuses.some((s) => s.runId === runId && s.hostId === hostId && s.state !== 'queued' && s.state !== 'running');
  await expect.poll(() => ended('lab-a') && ended('lab-b'), { timeout: 60_000 }).toBe(true);

  const { markdown, url } = await ops.handlers.escalate({ deploymentId: 'lab' as DeploymentId, target: 'ticket' });
  expect(url).toBe('https://tickets.example.com/new');
  expect(markdown).toContain('# Incident timeline: Lab');
  expect(markdown).toContain('Audit log chain: verified.');
  expect(markdown).toContain(`it-oncall ran \`check.security\` on \`lab-a\` (${runId})`);
  // the imported host's part of the incident reaches the next tier too
  expect(markdown).toContain(`it-oncall ran \`check.security\` on \`lab-b\` (${runId})`);
  expect(markdown).toContain('`check.security` on `lab-b` **'); // its result (bold outcome), whatever the check found
  // and the Audit view's export of the deployment says the same
  expect((await ops.handlers.exportIncidentTimeline({ deploymentId: 'lab' as DeploymentId })).markdown).toContain(`ran \`check.security\` on \`lab-b\``);
}, 120_000);
