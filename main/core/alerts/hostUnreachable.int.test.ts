// A host that cannot be reached is an alert like any other, on a real sshd: the console is
// started by bootstrap from a real config; the sshd is killed (its port refuses), and after the
// configured pending time the host's alert fires with the link's own error and the next attempt,
// reaches the list, the notifications and the incident export; sshd started again on the same
// port, the console's scheduled reconnect finds it and the alert resolves.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeploymentId, EventPayload } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import type { OpsApp } from '../app';
import { bootstrap } from '../bootstrap';

let dir: string;
let sshd: Sshd;
let ops: OpsApp | null = null;
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const PENDING_S = 2;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), `opsdeck-unreachable-${process.pid}-`));
  sshd = await startSshd();
});
afterAll(async () => {
  await ops?.close();
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('a killed sshd raises the host alert after its pending time with the link error; started again, it resolves', async () => {
  const sshConfig = join(dir, 'ssh_config');
  await writeFile(
    sshConfig,
    [
      'Host lab-a',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      `  User ${sshd.user}`,
      `  IdentityFile ${sshd.clientKeyPath}`,
      `  UserKnownHostsFile ${sshd.knownHostsPath}`,
      '',
    ].join('\n'),
  );
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    [
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${sshConfig}, knownHostsPolicy: "yes" }`,
      `alerts: { hostUnreachableSeconds: ${PENDING_S} }`,
      'hosts:',
      '  - { id: lab-a, label: Lab A, sshAlias: lab-a }',
      'deployments:',
      '  - { id: lab, name: Lab, hosts: [lab-a], health: { url: "http://127.0.0.1:9" } }',
      '',
    ].join('\n'),
  );
  ops = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir, SSH_AUTH_SOCK: '' }, logger: quiet, pushWindowMs: 50 });
  const app = ops;
  const notes: EventPayload<'onAlertNotification'>[] = [];
  app.hub.subscribe((name, payload) => name === 'onAlertNotification' && notes.push(payload as EventPayload<'onAlertNotification'>));
  const state = () => app.pool.states().find((s) => s.hostId === 'lab-a');
  const hostAlerts = async (): Promise<AlertRecord[]> => (await app.handlers.listAlerts({})).alerts.filter((a) => a.hostId === 'lab-a');
  await expect.poll(() => state()?.state, { timeout: 15_000 }).toBe('connected');
  expect(await hostAlerts()).toEqual([]);

  await sshd.kill();
  const killedAt = Date.now();
  // a host with nothing to do is still watched: the link's loss is a failure with a next attempt
  await expect.poll(() => state()?.error ?? null, { timeout: 20_000 }).not.toBeNull();
  const pending = (await hostAlerts())[0];
  // before its pending time it is pending (or, on a slow machine, already firing: never absent)
  expect(pending?.state).toMatch(/pending|firing/);

  await expect.poll(async () => (await hostAlerts())[0]?.state, { timeout: 20_000 }).toBe('firing');
  const firing = (await hostAlerts())[0]!;
  expect(Date.parse(firing.firedAt!) - Date.parse(firing.pendingSince)).toBeGreaterThanOrEqual(PENDING_S * 1000);
  expect(Date.parse(firing.pendingSince)).toBeGreaterThanOrEqual(killedAt - 1000);
  expect(firing).toMatchObject({
    hostId: 'lab-a',
    deploymentId: null,
    endpoint: null,
    section: null,
    item: 'Lab A',
    title: 'cannot be reached',
    severity: 'critical',
  });
  // the link's own words (connection refused, as OpenSSH would say) and when it tries again
  expect(firing.reason).toMatch(/^Lab A cannot be reached: .*(refused|ECONNREFUSED).*; (next attempt \d\d:\d\d:\d\d UTC|trying now) \(attempt \d+\)$/i);
  expect(notes.filter((n) => n.alertId === firing.id)).toEqual([
    expect.objectContaining({ title: 'CRITICAL: host Lab A: cannot be reached', severity: 'critical', section: null, hostId: 'lab-a' }),
  ]);
  // it belongs to the incident of the deployment the host serves
  const incident = await app.handlers.exportIncidentTimeline({ deploymentId: 'lab' as DeploymentId });
  expect(incident.markdown).toContain('critical alert `cannot be reached` on `Lab A` (host lab-a) **fired**');
  // acknowledged like any other
  const acked = await app.handlers.acknowledgeAlert({ id: firing.id as AlertRecord['id'] });
  expect(acked.acknowledgedAt).not.toBeNull();

  await sshd.start();
  await expect.poll(() => state()?.state, { timeout: 60_000 }).toBe('connected');
  await expect.poll(async () => (await app.handlers.listAlerts({})).alerts.find((a) => a.id === firing.id)?.state, { timeout: 10_000 }).toBe('resolved');
  const resolved = (await app.handlers.listAlerts({})).alerts.find((a) => a.id === firing.id)!;
  expect(resolved.reason).toBe('Lab A answers again');
}, 120_000);
