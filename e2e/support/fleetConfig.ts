// The config the e2e specs start the browser shell with: one deployment "prod" ("Autotrader
// test fleet") on the fleet's hosts (ids at-1…, labels trader-1…), its health API polled
// through an SSH forward from at-1, the fleet's own key and known_hosts. Specs choose how many
// of the fleet's hosts it names and add their own keys.
import type { Fleet } from '../../testbed/fleet';

export interface FleetConfigOptions {
  user: string;
  auditFile: string;
  /** how many of the fleet's hosts the deployment names (1 unless a spec needs more) */
  hosts?: number;
  /** extra settings on every host entry, e.g. `keepaliveSeconds: 2` */
  hostSettings?: string;
  /** the health poll interval; null leaves the config's default */
  intervalSeconds?: number | null;
  /** more lines inside the deployment, indented as its keys, e.g. `    escalation: {…}` */
  deploymentLines?: readonly string[];
  /** more top-level keys */
  extraLines?: readonly string[];
}

export function fleetConfigYaml(fleet: Fleet, options: FleetConfigOptions): string {
  const hosts = fleet.hosts.slice(0, options.hosts ?? 1);
  const ids = hosts.map((_, i) => `at-${i + 1}`);
  const interval = options.intervalSeconds === undefined ? 1 : options.intervalSeconds;
  return [
    `user: ${options.user}`,
    `knownHostsFile: ${fleet.knownHostsPath}`,
    `auditFile: ${options.auditFile}`,
    'hosts:',
    ...hosts.map(
      (h, i) =>
        `  - { id: ${ids[i]}, label: trader-${i + 1}, address: ${h.address}, port: ${h.sshPort}, user: root, identityFile: ${fleet.privateKeyPath}${options.hostSettings ? `, ${options.hostSettings}` : ''} }`,
    ),
    'deployments:',
    '  - id: prod',
    '    name: Autotrader test fleet',
    `    hosts: [${ids.join(', ')}]`,
    `    health: { url: "http://127.0.0.1:8000", via: at-1${interval === null ? '' : `, intervalSeconds: ${interval}`} }`,
    ...(options.deploymentLines ?? []),
    ...(options.extraLines ?? []),
    '',
  ].join('\n');
}
