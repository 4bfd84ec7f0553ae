// Test support: OpenSSH's own answer for a home folder and a system folder of the test's making.
// `ssh -G` reads ~/.ssh/config from the passwd home and /etc/ssh/ssh_config, so it runs in a
// private mount namespace (`unshare -m -n`: no network, so DNS fails fast) with the case's home
// bind-mounted over the account's home, its etc folder over /etc/ssh and, when given, its hosts
// file over /etc/hosts. Used by the corpus and resolver tests only.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
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
      const mounts = [`mount --bind "$1" "${realHome}"`, 'mount --bind "$2" /etc/ssh', ...(root.hostsFile ? ['mount --bind "$3" /etc/hosts'] : [])].join(
        ' && ',
      );
      const envArgs = Object.entries({ HOME: realHome, PATH: process.env.PATH ?? '/usr/bin:/bin', ...(root.vars ?? {}) }).map(([k, v]) => `${k}=${v}`);
      execFile(
        'unshare',
        [
          '-m',
          '-n',
          '--propagation',
          'private',
          'sh',
          '-c',
          `${mounts} && shift 3 && exec env -i "$@"`,
          'sh',
          root.home,
          root.etcSsh,
          root.hostsFile ?? '',
          ...envArgs,
          ssh,
          ...args,
        ],
        { timeout: 20_000 },
        (err, stdout, stderr) => {
          const code = err ? ((err as unknown as { code?: unknown }).code as number | null) : 0;
          resolve({ code: typeof code === 'number' ? code : null, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Several `ssh ARGS` in one namespace (one `unshare` for a whole case instead of one per host):
 * each one's stdout, stderr and exit status, in order.
 */
export async function sshManyInNamespace(root: OracleRoot, scratch: string, runs: string[][]): Promise<SshGResult[]> {
  const out = await mkdtemp(join(scratch, 'oracle-'));
  const script = runs.map((args, i) => `ssh ${args.map(shQuote).join(' ')} >${out}/${i}.out 2>${out}/${i}.err; echo $? >${out}/${i}.rc`).join('\n');
  await writeFile(join(out, 'run.sh'), `${script}\n`);
  const done = await sshInNamespace(root)('sh', [join(out, 'run.sh')]);
  if (done.code !== 0) throw new Error(`oracle script failed: ${done.stderr}`);
  return Promise.all(
    runs.map(async (_args, i) => ({
      code: Number((await readFile(join(out, `${i}.rc`), 'utf8')).trim()),
      stdout: await readFile(join(out, `${i}.out`), 'utf8'),
      stderr: await readFile(join(out, `${i}.err`), 'utf8'),
    })),
  );
}
