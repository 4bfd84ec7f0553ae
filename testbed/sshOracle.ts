// Test support: OpenSSH's own answer for a home folder and a system folder of the test's making.
// `ssh -G` reads ~/.ssh/config from the passwd home and /etc/ssh/ssh_config, so it runs in a
// private mount namespace (`unshare -m -n`: no network, so DNS fails fast) with the case's home
// bind-mounted over the account's home, its etc folder over /etc/ssh and, when given, its hosts
// file over /etc/hosts. Used by the corpus and resolver tests only.
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import type { SshGResult } from '../main/core/ssh/SshResolver';

export interface OracleRoot {
  home: string;
  etcSsh: string;
  hostsFile?: string;
  vars?: Record<string, string>;
}

export function sshInNamespace(root: OracleRoot): (ssh: string, args: string[]) => Promise<SshGResult> {
  const realHome = userInfo().homedir;
  return (ssh, args) =>
    new Promise((resolve) => {
      const mounts = [`mount --bind "$1" "${realHome}"`, 'mount --bind "$2" /etc/ssh', ...(root.hostsFile ? ['mount --bind "$3" /etc/hosts'] : [])].join(' && ');
      const envArgs = Object.entries({ HOME: realHome, PATH: process.env.PATH ?? '/usr/bin:/bin', ...(root.vars ?? {}) }).map(([k, v]) => `${k}=${v}`);
      execFile(
        'unshare',
        ['-m', '-n', '--propagation', 'private', 'sh', '-c', `${mounts} && shift 3 && exec env -i "$@"`, 'sh', root.home, root.etcSsh, root.hostsFile ?? '', ...envArgs, ssh, ...args],
        { timeout: 20_000 },
        (err, stdout, stderr) => {
          const code = err ? ((err as unknown as { code?: unknown }).code as number | null) : 0;
          resolve({ code: typeof code === 'number' ? code : null, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
}
