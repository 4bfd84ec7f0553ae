// Turns the config (or the demo fleet) into what the services need: SSH targets, the hosts
// and deployments shown to the renderer, and the pollers' schedule.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { DeploymentId, DeploymentInfo, HostId, HostInfo } from '../../common/contract';
import { ENDPOINTS, type Endpoint } from '../../common/health';
import type { Logger } from '../../common/logger';
import type { OpsdeckConfig } from './config/configSchema';
import { expandHome } from './config/loadConfig';
import type { PolledDeployment } from './health/HealthPoller';
import { hostTargetFromSshConfig, type TargetOverrides } from './ssh/hostTargetFromSshConfig';
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

export interface FleetFromConfigOptions {
  /** where `~` points (tests use a folder of their own) */
  readonly homeDir?: string;
  /** the agent socket when ssh_config names none; default process.env.SSH_AUTH_SOCK */
  readonly authSock?: string;
  readonly logger?: Pick<Logger, 'warn'>;
}

/**
 * Every host is resolved through the user's ssh_config, as `ssh ALIAS` (or `ssh ADDRESS`)
 * would: keys, agent, ProxyJump/ProxyCommand, keepalive and known_hosts come from it; what the
 * Opsdeck entry sets itself wins. A missing ssh_config counts as empty, as it does for ssh.
 */
export async function fleetFromConfig(config: OpsdeckConfig, opts: FleetFromConfigOptions = {}): Promise<Fleet> {
  const home = opts.homeDir ?? homedir();
  const sshConfigPath = expandHome(config.ssh.configFile, home);
  const readSshFile = async (path: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if (path === sshConfigPath && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (config.ssh.configFile !== '~/.ssh/config') opts.logger?.warn(`ssh.configFile ${sshConfigPath} does not exist: resolving hosts without it`);
        return '';
      }
      throw err;
    }
  };
  const targets: HostTarget[] = [];
  for (const host of config.hosts) {
    const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
    const knownHostsFile = host.knownHostsFile ?? (host.sshAlias === undefined ? config.knownHostsFile : undefined);
    const overrides: TargetOverrides = Object.fromEntries(
      Object.entries({
        address: host.address,
        port: host.port,
        user: host.user,
        privateKeyPath: host.identityFile === undefined ? undefined : expandHome(host.identityFile, home),
        knownHostsPath: knownHostsFile === undefined ? undefined : expandHome(knownHostsFile, home),
        hostKeyPolicy: config.ssh.knownHostsPolicy,
        keepaliveIntervalMs: seconds(host.keepaliveSeconds),
        keepaliveCountMax: host.keepaliveCountMax,
        connectTimeoutMs: seconds(host.connectTimeoutSeconds),
      }).filter(([, v]) => v !== undefined),
    );
    const alias = host.sshAlias ?? host.address!;
    try {
      targets.push(
        await hostTargetFromSshConfig(host.id as HostId, sshConfigPath, alias, {
          homeDir: home,
          readFile: readSshFile,
          overrides,
          ...(opts.authSock !== undefined ? { authSock: opts.authSock } : {}),
        }),
      );
    } catch (err) {
      throw new Error(`host ${host.id}: cannot resolve ${host.sshAlias !== undefined ? `sshAlias "${alias}"` : `"${alias}"`} through ${sshConfigPath}: ${(err as Error).message}`);
    }
  }
  const targetOf = new Map(targets.map((t) => [t.id as string, t]));
  return {
    demo: false,
    hosts: config.hosts.map((host) => {
      const t = targetOf.get(host.id)!;
      return { id: host.id as HostId, label: host.label ?? host.id, address: t.address, port: t.port, user: t.user, demo: false };
    }),
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
