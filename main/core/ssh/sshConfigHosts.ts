// The ssh_config files as a whole, without resolving any host: every file an Include can reach
// (whatever Host/Match block it sits in) for the resolver's cache, and every concrete Host name
// for the import picker.
import { join } from 'node:path';
import { matchPattern, type SshConfigFiles } from './sshConfig';
import { fullEnv, globPaths, type SshConfigEnv } from './sshConfigEnv';
import { ConfigSyntaxError, parseConfigLine, type ConfigLine } from './sshConfigSyntax';

const MAX_INCLUDE_DEPTH = 16;

export interface ConfigFileWalk {
  /** files read, in order */
  files: string[];
  /** folders an Include glob reads (a file added there changes the answer) */
  dirs: string[];
}

type Visitor = (line: ConfigLine, file: string) => void;

/** Reads every file the configuration can include, in order, calling `visit` per line. Missing files are skipped. */
export async function walkSshConfig(
  files: SshConfigFiles,
  envIn: Pick<SshConfigEnv, 'homeDir' | 'readFile' | 'readDir'>,
  visit: Visitor = () => {},
): Promise<ConfigFileWalk> {
  const env = fullEnv(envIn);
  const out: ConfigFileWalk = { files: [], dirs: [] };
  const systemDir = files.system === null ? '/etc/ssh' : files.system.slice(0, files.system.lastIndexOf('/')) || '/';
  const visitFile = async (path: string, userConf: boolean, depth: number): Promise<void> => {
    if (depth > MAX_INCLUDE_DEPTH) throw new Error(`ssh config ${path}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
    let text: string;
    try {
      text = await env.readFile(path);
    } catch {
      return;
    }
    out.files.push(path);
    const lines = text.split('\n');
    for (let n = 0; n < lines.length; n++) {
      let line: ConfigLine | null;
      try {
        line = parseConfigLine(lines[n]!, path, n + 1);
      } catch (err) {
        if (err instanceof ConfigSyntaxError) continue;
        throw err;
      }
      if (!line) continue;
      visit(line, path);
      if (line.keyword !== 'include') continue;
      for (const a of line.args) {
        let full = a.startsWith('/') || a.startsWith('~') ? a : userConf ? `~/.ssh/${a}` : `${systemDir}/${a}`;
        if (full === '~' || full.startsWith('~/')) full = join(env.homeDir, full.slice(1));
        if (/[*?[]/.test(full)) out.dirs.push(full.slice(0, full.lastIndexOf('/')) || '/');
        for (const f of await globPaths(full, env.readDir)) await visitFile(f, userConf, depth + 1);
      }
    }
  };
  if (files.user !== null) await visitFile(files.user, true, 0);
  if (files.system !== null) await visitFile(files.system, false, 0);
  return out;
}

export interface SshConfigHostEntry {
  /** a Host name ssh can be given as a host (no wildcard, negation or comma) */
  alias: string;
  /** the wildcard Host patterns that also apply to it, for grouping (e.g. `web*`, `*.prod`) */
  groups: string[];
  /** file that names it */
  file: string;
}

/**
 * A Host word that names one host: not a pattern (`*`, `?`, `!`), not a comma list (ssh splits
 * Host on whitespace only, so `Host app1,app2` matches the literal name "app1,app2" and nothing
 * one can connect to), and a plain host name.
 */
export function isConcreteHostName(word: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(word);
}

/**
 * The hosts the user's files name, for the import picker: every concrete `Host` name (Includes
 * followed, in or out of Host blocks), with the wildcard patterns that apply to it as groups.
 */
export async function listSshConfigHosts(
  files: SshConfigFiles | string,
  envIn: Pick<SshConfigEnv, 'homeDir' | 'readFile' | 'readDir'> = {},
): Promise<SshConfigHostEntry[]> {
  const f: SshConfigFiles = typeof files === 'string' ? { user: files, system: null } : files;
  const concrete = new Map<string, string>();
  const patterns: string[][] = [];
  const walk = await walkSshConfig(f, envIn, (line, file) => {
    if (line.keyword !== 'host') return;
    for (const n of line.args) if (isConcreteHostName(n) && !concrete.has(n)) concrete.set(n, file);
    if (line.args.some((n) => /[*?!]/.test(n))) patterns.push(line.args);
  });
  if (f.user !== null && !walk.files.includes(f.user) && f.system === null) throw new Error(`cannot read ssh config ${f.user}`);
  return [...concrete].map(([alias, file]) => ({
    alias,
    file,
    groups: patterns
      .filter((p) => p.some((n) => /[*?]/.test(n)) && hostLineMatches(alias, p))
      .map((p) => p.join(' '))
      .filter((g) => g !== '*'),
  }));
}

/** How a Host line matches a name: words separately, a negated word vetoes. */
function hostLineMatches(name: string, words: string[]): boolean {
  let hit = false;
  for (const w of words) {
    const negated = w.startsWith('!');
    if (matchPattern(name, negated ? w.slice(1) : w)) {
      if (negated) return false;
      hit = true;
    }
  }
  return hit;
}
