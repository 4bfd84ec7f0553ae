// Turns the config (or the demo fleet) into what the services need: SSH targets, the hosts
// and deployments shown to the renderer, and the pollers' schedule.
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import type { Dashboard, DemoScenarioState, DeploymentId, DeploymentInfo, HostId, HostInfo } from '../../common/contract';
import { ENDPOINTS, type Endpoint } from '../../common/health';
import { visibleText } from '../../common/visibleText';
import type { Logger } from '../../common/logger';
import type { OpsdeckConfig } from './config/configSchema';
import { expandHome } from './config/loadConfig';
import type { PolledDeployment } from './health/HealthPoller';
import { hostTargetFromSshConfig, type TargetOverrides } from './ssh/hostTargetFromSshConfig';
import { findOpenSsh, SshResolver } from './ssh/SshResolver';
import type { HostTarget } from './ssh/SessionPool';
import { recordFrom } from '../../common/emptyRecord';

export interface FleetDashboards {
  readonly dashboards: readonly Dashboard[];
  readonly note: string;
}

export interface Fleet {
  readonly demo: boolean;
  readonly hosts: readonly HostInfo[];
  readonly targets: readonly HostTarget[];
  readonly deployments: readonly DeploymentInfo[];
  readonly polled: readonly PolledDeployment[];
  /**
   * deployment id -> the dashboards its hosts really serve, in place of the config's (the demo's
   * hosts serve no Operations dashboard or Grafana), and the note that tells the engineer why
   */
  readonly dashboards?: Readonly<Record<string, FleetDashboards>>;
  /** ends whatever the fleet itself runs (the demo's in-process hosts) */
  readonly stop: () => Promise<void>;
  /** the demo fleet's scenario control (main/demo builds it on sim/; the core never imports sim/) */
  readonly demoScenarios?: DemoScenarioControl;
}

/** What the console may do with the demo's simulator: list its scenarios, show one. */
export interface DemoScenarioControl {
  state(): DemoScenarioState;
  /** throws on a name that is not one of `state().scenarios` */
  set(name: string): DemoScenarioState;
}

export function pollSchedule(id: DeploymentId, health: OpsdeckConfig['deployments'][number]['health']): PolledDeployment {
  const intervalsMs = recordFrom(ENDPOINTS.map((endpoint) => [endpoint, Math.round((health.intervals[endpoint] ?? health.intervalSeconds) * 1000)])) as Record<
    Endpoint,
    number
  >;
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
  /** the system-wide file read after ~/.ssh/config (default /etc/ssh/ssh_config; tests point it at fixtures) */
  readonly systemConfigPath?: string;
  /**
   * the OpenSSH client that resolves hosts (`ssh -G`); null: the in-process resolver. Default:
   * `ssh` on PATH, unless homeDir is not the account's home (ssh reads the passwd home, not ours)
   */
  readonly ssh?: string | null;
  /** a resolver kept across reloads (its cache spares an `ssh -G` per unchanged host) */
  readonly resolver?: SshResolver;
}

const DEFAULT_SSH_CONFIG = '~/.ssh/config';

/** The resolver for a config: `ssh -G` where a client exists, the in-process one where not. */
export async function sshResolverFor(config: OpsdeckConfig, opts: FleetFromConfigOptions = {}): Promise<SshResolver> {
  const home = opts.homeDir ?? homedir();
  const user = expandHome(config.ssh.configFile, home);
  const ownHome = (() => {
    try {
      return userInfo().homedir;
    } catch {
      return null;
    }
  })();
  const ssh = opts.ssh !== undefined ? opts.ssh : opts.homeDir !== undefined && opts.homeDir !== ownHome ? null : await findOpenSsh();
  // the default file is read with the system one, as `ssh HOST` does; any other as `ssh -F FILE` does
  const isDefault = config.ssh.configFile === DEFAULT_SSH_CONFIG;
  const exists = await readFile(user, 'utf8').then(
    () => true,
    () => false,
  );
  if (!isDefault && !exists) opts.logger?.warn(`ssh.configFile ${user} does not exist: resolving hosts without it`);
  return new SshResolver({
    files: { user: isDefault || exists ? user : '/dev/null', system: isDefault ? (opts.systemConfigPath ?? '/etc/ssh/ssh_config') : null },
    ssh,
    env: { homeDir: home },
  });
}

/**
 * Every host is resolved through the user's ssh_config, as `ssh ALIAS` (or `ssh ADDRESS`)
 * would: keys, agent, ProxyJump/ProxyCommand, keepalive and known_hosts come from it; what the
 * Opsdeck entry sets itself wins. A missing ssh_config counts as empty, as it does for ssh.
 */
export async function fleetFromConfig(config: OpsdeckConfig, opts: FleetFromConfigOptions = {}): Promise<Fleet> {
  const home = opts.homeDir ?? homedir();
  const sshConfigPath = expandHome(config.ssh.configFile, home);
  const resolver = opts.resolver ?? (await sshResolverFor(config, opts));
  const targets = await Promise.all(
    config.hosts.map(async (host) => {
      const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
      const knownHostsFile = host.knownHostsFile ?? (host.sshAlias === undefined ? config.knownHostsFile : undefined);
      const overrides: TargetOverrides = recordFrom(
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
        return await hostTargetFromSshConfig(host.id as HostId, resolver, alias, {
          homeDir: home,
          overrides,
          ...(opts.authSock !== undefined ? { authSock: opts.authSock } : {}),
        });
      } catch (err) {
        // one host whose ssh_config is refused does not stop the console: it shows failed, with ssh's words
        const why = `cannot resolve ${host.sshAlias !== undefined ? `sshAlias "${alias}"` : `"${alias}"`} through ${sshConfigPath}: ${(err as Error).message}`;
        opts.logger?.warn(`host ${host.id}: ${why}`);
        const unresolved: HostTarget = {
          id: host.id as HostId,
          address: /^[A-Za-z0-9._:-]+$/.test(alias) ? alias : 'unresolved.invalid',
          port: host.port ?? 22,
          user: host.user ?? 'root',
          knownHostsPath: expandHome('~/.ssh/known_hosts', home),
          unresolved: why,
        };
        return unresolved;
      }
    }),
  );
  const targetOf = new Map(targets.map((t) => [t.id as string, t]));
  return {
    demo: false,
    hosts: config.hosts.map((host) => {
      const t = targetOf.get(host.id)!;
      // a label is shown in every view, action dialog and palette: a bidi override pasted into
      // it would reorder them all, so it becomes a visible escape here, once
      return { id: host.id as HostId, label: visibleText(host.label ?? host.id).text, address: t.address, port: t.port, user: t.user, demo: false };
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
