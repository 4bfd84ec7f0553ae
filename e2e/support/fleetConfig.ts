// The config most e2e specs start the browser shell with: one deployment "prod" on the fleet's
// first host (id at-1, label trader-1), its health API polled every second through an SSH
// forward, the fleet's own key and known_hosts. Specs add their own top-level keys.
import type { Fleet } from '../../testbed/fleet';

export function fleetConfigYaml(fleet: Fleet, options: { user: string; auditFile: string; extraLines?: readonly string[] }): string {
  const host = fleet.hosts[0]!;
  return [
    `user: ${options.user}`,
    `knownHostsFile: ${fleet.knownHostsPath}`,
    `auditFile: ${options.auditFile}`,
    'hosts:',
    `  - { id: at-1, label: trader-1, address: ${host.address}, port: ${host.sshPort}, user: root, identityFile: ${fleet.privateKeyPath} }`,
    'deployments:',
    '  - id: prod',
    '    name: Autotrader test fleet',
    '    hosts: [at-1]',
    '    health: { url: "http://127.0.0.1:8000", via: at-1, intervalSeconds: 1 }',
    ...(options.extraLines ?? []),
    '',
  ].join('\n');
}
