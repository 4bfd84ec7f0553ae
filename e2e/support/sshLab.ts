// The browser shell on an ssh_config lab of loopback sshds (testbed/sshd.ts), as the SSH specs
// run it: hosts named by their ssh_config alias only (`<dir>/ssh_config`, which the spec
// writes), unknown host keys asked about, no ssh-agent unless that ssh_config names one, and
// the shell's state and audit log inside the lab's directory.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startWebShell, type WebShell } from './webShell';

export interface SshLabOptions {
  user: string;
  /** the hosts as `id: alias`; each is labelled and reached by its alias */
  hosts: Readonly<Record<string, string>>;
  /** the deployments as `id: [name, host ids]`; their health API is a closed port */
  deployments: Readonly<Record<string, readonly [string, readonly string[]]>>;
  /** a comment line at the top of the config (a spec that edits the file checks it is kept) */
  comment?: string;
}

/** Writes `<dir>/config.yaml` and starts the browser shell on it. */
export function startSshLabShell(dir: string, options: SshLabOptions): Promise<WebShell> {
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    [
      ...(options.comment ? [`# ${options.comment}`] : []),
      `user: ${options.user}`,
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${join(dir, 'ssh_config')}, knownHostsPolicy: ask }`,
      'hosts:',
      ...Object.entries(options.hosts).map(([id, alias]) => `  - { id: ${id}, label: ${alias}, sshAlias: ${alias} }`),
      'deployments:',
      ...Object.entries(options.deployments).map(
        ([id, [name, hosts]]) => `  - { id: ${id}, name: ${name}, hosts: [${hosts.join(', ')}], health: { url: "http://127.0.0.1:9" } }`,
      ),
      '',
    ].join('\n'),
  );
  return startWebShell(['--config', configFile], { XDG_STATE_HOME: join(dir, 'state'), SSH_AUTH_SOCK: '' });
}
