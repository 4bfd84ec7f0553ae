// Turns the config (or the demo fleet) into what the services need: SSH targets, the hosts
// and deployments shown to the renderer, and the pollers' schedule.
import { readFile } from 'node:fs/promises';
import type { DeploymentId, DeploymentInfo, HostId, HostInfo } from '../../common/contract';
import { ENDPOINTS, type Endpoint } from '../../common/health';
import type { OpsdeckConfig } from './config/configSchema';
import { expandHome } from './config/loadConfig';
import type { PolledDeployment } from './health/HealthPoller';
import type { HostTarget } from './ssh/SessionPool';

export interface Fleet {
  readonly demo: boolean;
  readonly hosts: readonly HostInfo[];
  readonly targets: readonly HostTarget[];
  readonly deployments: readonly DeploymentInfo[];
  readonly polled: readonly PolledDeployment[];
  /** ends whatever the fleet itself runs (the demo's in-process hosts) */
  readonly stop: () => Promise<void>;
}

export function pollSchedule(
  id: DeploymentId,
  health: OpsdeckConfig['deployments'][number]['health'],
): PolledDeployment {
  const intervalsMs = Object.fromEntries(
    ENDPOINTS.map((endpoint) => [endpoint, Math.round((health.intervals[endpoint] ?? health.intervalSeconds) * 1000)]),
  ) as Record<Endpoint, number>;
  return {
    id,
    url: health.url,
    intervalsMs,
    timeoutMs: Math.round(health.timeoutSeconds * 1000),
    maxBodyBytes: health.maxBodyBytes,
    maxBackoffMs: Math.round(health.maxBackoffSeconds * 1000),
  };
}

/** Read each host's key file once at start-up; a missing key is reported when the host connects. */
export async function fleetFromConfig(config: OpsdeckConfig): Promise<Fleet> {
  const knownHostsPath = expandHome(config.knownHostsFile);
  const targets: HostTarget[] = [];
  for (const host of config.hosts) {
    let privateKey: Buffer | undefined;
    if (host.identityFile) privateKey = await readFile(expandHome(host.identityFile)).catch(() => undefined);
    targets.push({
      id: host.id as HostId,
      address: host.address,
      port: host.port,
      user: host.user,
      ...(privateKey ? { privateKey } : {}),
      ...(host.identityFile ? { privateKeyPath: expandHome(host.identityFile) } : {}),
      knownHostsPath,
      keepaliveIntervalMs: host.keepaliveSeconds * 1000,
      keepaliveCountMax: host.keepaliveCountMax,
      connectTimeoutMs: host.connectTimeoutSeconds * 1000,
    });
  }
  return {
    demo: false,
    hosts: config.hosts.map((host) => ({
      id: host.id as HostId,
      label: host.label ?? host.id,
      address: host.address,
      port: host.port,
      user: host.user,
      demo: false,
    })),
    targets,
    deployments: config.deployments.map((deployment) => ({
      id: deployment.id as DeploymentId,
      name: deployment.name,
      hosts: deployment.hosts as HostId[],
      healthVia: (deployment.health.via ?? null) as HostId | null,
      healthUrl: deployment.health.url,
    })),
    polled: config.deployments.map((deployment) => pollSchedule(deployment.id as DeploymentId, deployment.health)),
    stop: async () => {},
  };
}
