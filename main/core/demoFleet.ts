// The built-in demo: simulated autotrader hosts served by in-process SSH servers (sim/), so the
// console reaches them through exactly the same SSH client, host-key check and port forward
// as real hosts, on a machine with no sshd and no root. See docs/demo.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeploymentId, HostId } from '../../common/contract';
import { DEMO_API_PORT, startDemoFleet } from '../../sim/demoHost';
import type { Fleet } from './fleet';
import { pollSchedule } from './fleet';
import { HealthConfig } from './config/configSchema';

export async function startDemoFleetForConsole(options: { stateDir: string; hosts?: number }): Promise<Fleet> {
  const demo = await startDemoFleet({ hosts: options.hosts ?? 2, cycleSeconds: 45 });
  // The demo hosts' keys are made fresh each run and are trusted because we made them: they
  // go to a known_hosts of the demo's own, never into the user's.
  const demoDir = join(options.stateDir, 'demo');
  await mkdir(demoDir, { recursive: true, mode: 0o700 });
  const knownHostsPath = join(demoDir, 'known_hosts');
  await writeFile(knownHostsPath, demo.hosts.map((host) => host.hostKeyLine).join('\n') + '\n', { mode: 0o600 });
  const hostIds = demo.hosts.map((host) => host.id as HostId);
  const deploymentId = 'demo' as DeploymentId;
  // Each demo host forwards its own localhost:8000 to the simulator, as a real host would.
  const healthUrl = `http://127.0.0.1:${DEMO_API_PORT}`;
  const health = HealthConfig.parse({ url: healthUrl, via: hostIds[0], intervalSeconds: 2, intervals: { overview: 10, security: 5 } });
  return {
    demo: true,
    hosts: demo.hosts.map((host) => ({ id: host.id as HostId, label: host.label, address: '127.0.0.1', port: host.port, user: 'demo', demo: true })),
    targets: demo.hosts.map((host) => ({
      id: host.id as HostId,
      address: '127.0.0.1',
      port: host.port,
      user: 'demo',
      privateKey: Buffer.from(demo.clientKeyPem),
      knownHostsPath,
    })),
    deployments: [{ id: deploymentId, name: 'autotrader (DEMO)', hosts: hostIds, healthVia: hostIds[0]!, healthUrl }],
    polled: [pollSchedule(deploymentId, health)],
    stop: () => demo.stop(),
  };
}
