// What the resolver reads of the machine it runs on: the user, home and host name that tokens
// expand to, the environment ${VAR} comes from, and the files and folders (Include globs). Tests
// and the corpus pass their own; the console takes the process's.
import { lookup as dnsLookup } from 'node:dns/promises';
import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname as osHostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { matchPattern } from './sshConfigSyntax';

export interface SshConfigEnv {
  homeDir?: string;
  localUser?: string;
  localHostName?: string;
  uid?: number;
  /** the environment ${VAR} and $VAR are taken from (default process.env) */
  vars?: Record<string, string | undefined>;
  readFile?: (path: string) => Promise<string>;
  readDir?: (path: string) => Promise<string[]>;
  /** owner uid and mode, for ssh's permission check on user files; absent: not checked */
  statFile?: (path: string) => Promise<{ uid: number; mode: number }>;
  /** whether a name resolves (CanonicalizeHostname); default the system resolver */
  resolves?: (name: string) => Promise<boolean>;
}

export function expandTilde(value: string, homeDir: string): string {
  if (value === '~') return homeDir;
  if (value.startsWith('~/')) return join(homeDir, value.slice(2));
  return value;
}

export function fullEnv(envIn: SshConfigEnv): Required<SshConfigEnv> {
  const info = (() => {
    try {
      return userInfo();
    } catch {
      return { username: process.env.USER ?? '', homedir: process.env.HOME ?? '/', uid: -1 };
    }
  })();
  return {
    homeDir: envIn.homeDir ?? info.homedir,
    localUser: envIn.localUser ?? info.username,
    localHostName: envIn.localHostName ?? osHostname(),
    uid: envIn.uid ?? info.uid,
    vars: envIn.vars ?? process.env,
    readFile: envIn.readFile ?? ((p) => readFile(p, 'utf8')),
    readDir: envIn.readDir ?? ((p) => readdir(p)),
    statFile: envIn.statFile ?? (async (p) => stat(p)),
    resolves:
      envIn.resolves ??
      ((name) =>
        dnsLookup(name).then(
          () => true,
          () => false,
        )),
  };
}

/** glob(3) over each path component; results sorted, dotfiles only when asked for. */
export async function globPaths(pattern: string, readDirFn: (path: string) => Promise<string[]>): Promise<string[]> {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]!];
  let dirOnly = false;
  for (const [index, part] of parts.slice(1).entries()) {
    if (!part) {
      dirOnly = index === parts.length - 2;
      continue;
    }
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?[]/.test(part)) {
        next.push(join(base, part));
        continue;
      }
      let names: string[] = [];
      try {
        names = await readDirFn(base);
      } catch {
        continue;
      }
      for (const name of [...names].sort()) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (matchPattern(name, part)) next.push(join(base, name));
      }
    }
    bases = next;
  }
  return dirOnly ? [] : bases;
}
