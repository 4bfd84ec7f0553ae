// ~/.ssh/config resolution, the way `ssh -G HOST` resolves it. The `ssh-config` package (MIT,
// maintained, no dependencies) does the tokenising: quotes, `=` separators, Host/Match
// sections. Its own compute() is not used: it ignores Include, lets `?` match zero characters
// and runs `Match exec` commands. The resolution below follows OpenSSH's readconf.c instead,
// and a test compares it field by field with the real `ssh -G` for a corpus of configs.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { hostname as osHostname, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { lookupTable } from '../../../common/emptyRecord';

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface ResolvedSshHost {
  /** the name asked for, as typed (Host patterns match it case-sensitively, as in ssh) */
  host: string;
  hostName: string;
  user: string;
  port: number;
  /** as written, tokens unexpanded (what `ssh -G` prints); OpenSSH's defaults when none is set */
  identityFilesRaw: string[];
  /** with `~` and %-tokens expanded */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** expanded socket path; null when unset (use SSH_AUTH_SOCK) or `none` */
  identityAgent: string | null;
  identityAgentNone: boolean;
  /** ProxyJump as written, null when unset or `none` */
  proxyJump: string | null;
  proxyCommand: string | null;
  serverAliveInterval: number;
  serverAliveCountMax: number;
  /** seconds; null = none */
  connectTimeout: number | null;
  strictHostKeyChecking: StrictHostKeyChecking;
  /** expanded */
  userKnownHostsFiles: string[];
  /** files read, in order (config plus Includes) */
  files: string[];
  /** settings seen but not honoured (Match exec, unknown Match criteria, bad values) */
  warnings: string[];
}

export interface SshConfigEnv {
  homeDir?: string;
  localUser?: string;
  localHostName?: string;
  uid?: number;
  readFile?: (path: string) => Promise<string>;
  readDir?: (path: string) => Promise<string[]>;
}

const DEFAULT_IDENTITY_FILES = ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ecdsa_sk', '~/.ssh/id_ed25519', '~/.ssh/id_ed25519_sk', '~/.ssh/id_xmss', '~/.ssh/id_dsa'];
const MAX_INCLUDE_DEPTH = 16;

interface Line {
  param: string;
  value: string | { val: string; quoted?: boolean }[];
  config?: Line[];
  type: number;
}

const values = (line: Line): string[] => (Array.isArray(line.value) ? line.value.map((v) => v.val) : [line.value]);

/** OpenSSH match_pattern: `*` any run, `?` exactly one character. */
export function matchPattern(text: string, pattern: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 's');
  return re.test(text);
}

/** OpenSSH match_pattern_list: any negated match vetoes; otherwise any positive match. */
export function matchPatternList(text: string, patterns: string[], foldCase = true): boolean {
  let positive = false;
  for (const raw of patterns.flatMap((p) => p.split(','))) {
    const negated = raw.startsWith('!');
    const body = negated ? raw.slice(1) : raw;
    const pattern = foldCase ? body.toLowerCase() : body;
    if (!pattern) continue;
    if (matchPattern(foldCase ? text.toLowerCase() : text, pattern)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/** The parsed settings, first value wins, as readconf.c keeps them. */
type Settings = Map<string, string[]>;

class Resolver {
  readonly settings: Settings = new Map();
  readonly identityFiles: string[] = [];
  readonly files: string[] = [];
  readonly warnings: string[] = [];

  constructor(
    private readonly env: Required<SshConfigEnv>,
    private readonly original: string,
  ) {}

  private sshDir(): string {
    return join(this.env.homeDir, '.ssh');
  }

  currentHostName(): string {
    const hn = this.settings.get('hostname')?.[0];
    // ssh matches Host patterns against the name as typed but lowercases the host name it uses
    return (hn ? hn.replace(/%(.)/g, (_m, c: string) => (c === 'h' ? this.original : c === '%' ? '%' : `%${c}`)) : this.original).toLowerCase();
  }

  set(key: string, vals: string[]): void {
    if (key === 'identityfile') {
      this.identityFiles.push(...vals);
      return;
    }
    // ProxyJump and ProxyCommand exclude each other, first one wins; `ProxyJump none` does not
    // block a later ProxyCommand but `ProxyCommand none` blocks a later ProxyJump (as ssh -G shows)
    if (key === 'proxyjump' && this.settings.has('proxycommand')) return;
    if (key === 'proxycommand' && this.settings.get('proxyjump') && this.settings.get('proxyjump')![0]!.toLowerCase() !== 'none') return;
    if (!this.settings.has(key)) this.settings.set(key, vals);
  }

  async readFileLines(path: string, depth: number): Promise<void> {
    let text: string;
    try {
      text = await this.env.readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && depth > 0) return;
      throw new Error(`cannot read ssh config ${path}: ${(err as Error).message}`);
    }
    this.files.push(path);
    let parsed: Line[];
    try {
      parsed = SSHConfig.parse(text) as unknown as Line[];
    } catch (err) {
      throw new Error(`cannot parse ssh config ${path}: ${(err as Error).message}`);
    }
    // top-level lines are active; each Host/Match section decides for its own lines
    await this.apply(parsed, true, depth, path);
  }

  private async apply(lines: Line[], active: boolean, depth: number, path: string): Promise<void> {
    for (const line of lines) {
      if (line.type !== 1) continue;
      const key = line.param.toLowerCase();
      if (key === 'host') {
        // Host patterns are case-sensitive against the name as typed
        await this.apply(line.config ?? [], matchPatternList(this.original, values(line), false), depth, path);
      } else if (key === 'match') {
        await this.apply(line.config ?? [], this.match(values(line), path), depth, path);
      } else if (!active) {
        continue;
      } else if (key === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) throw new Error(`ssh config ${path}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
        for (const pattern of values(line)) {
          let full = pattern.startsWith('~/') ? join(this.env.homeDir, pattern.slice(2)) : pattern;
          if (!isAbsolute(full)) full = join(this.sshDir(), full);
          for (const file of await this.glob(full)) await this.readFileLines(file, depth + 1);
        }
      } else {
        this.set(key, values(line));
      }
    }
  }

  private match(words: string[], path: string): boolean {
    let result = true;
    for (let i = 0; i < words.length; i++) {
      const raw = words[i]!;
      const negated = raw.startsWith('!');
      const criterion = (negated ? raw.slice(1) : raw).toLowerCase();
      if (criterion === 'all') continue;
      if (criterion === 'canonical' || criterion === 'final') {
        // no canonicalisation pass here: these sections never apply
        if (!negated) result = false;
        continue;
      }
      const arg = words[++i];
      if (arg === undefined) {
        this.warnings.push(`${path}: Match ${criterion} needs an argument; section ignored`);
        return false;
      }
      let hit: boolean;
      switch (criterion) {
        case 'host':
          hit = matchPatternList(this.currentHostName(), [arg]);
          break;
        case 'originalhost':
          hit = matchPatternList(this.original, [arg]);
          break;
        case 'user':
          hit = matchPatternList(this.settings.get('user')?.[0] ?? this.env.localUser, [arg]);
          break;
        case 'localuser':
          hit = matchPatternList(this.env.localUser, [arg]);
          break;
        case 'exec':
          // never run commands from a config file to decide a match: treated as false
          this.warnings.push(`${path}: Match exec is not run by Opsdeck; treated as not matching`);
          hit = false;
          break;
        default:
          this.warnings.push(`${path}: Match ${criterion} is not supported; section ignored`);
          return false;
      }
      if (hit === negated) result = false;
    }
    return result;
  }

  private glob(pattern: string): Promise<string[]> {
    return globPaths(pattern, this.env.readDir);
  }
}

/** glob(3) over each path component; results sorted, dotfiles only when asked for. */
export async function globPaths(pattern: string, readDirFn: (path: string) => Promise<string[]>): Promise<string[]> {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    if (!part) continue;
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
      for (const name of names.sort()) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (matchPattern(name, part)) next.push(join(base, name));
      }
    }
    bases = next;
  }
  return bases;
}

export interface SshConfigHostEntry {
  /** a concrete Host name (no wildcard, no negation) */
  alias: string;
  /** the wildcard Host patterns that also apply to it, for grouping (e.g. `web*`, `*.prod`) */
  groups: string[];
  /** file that names it */
  file: string;
}

/**
 * The hosts a config names, for the import picker: every concrete `Host` name, with the
 * wildcard patterns that apply to it as groups. Includes are followed, in or out of Host blocks.
 */
export async function listSshConfigHosts(configPath: string, envIn: Pick<SshConfigEnv, 'homeDir' | 'readFile' | 'readDir'> = {}): Promise<SshConfigHostEntry[]> {
  const homeDir = envIn.homeDir ?? userInfo().homedir;
  const read = envIn.readFile ?? ((p: string) => readFile(p, 'utf8'));
  const readDirFn = envIn.readDir ?? ((p: string) => readdir(p));
  const concrete = new Map<string, string>();
  const patterns: string[][] = [];
  const visit = async (path: string, depth: number, required: boolean): Promise<void> => {
    if (depth > MAX_INCLUDE_DEPTH) throw new Error(`ssh config ${path}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
    let text: string;
    try {
      text = await read(path);
    } catch (err) {
      if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`cannot read ssh config ${path}: ${(err as Error).message}`);
    }
    const walk = async (lines: Line[]): Promise<void> => {
      for (const line of lines) {
        if (line.type !== 1) continue;
        const key = line.param.toLowerCase();
        if (key === 'host') {
          const names = values(line);
          const wild = names.filter((n) => /[*?!]/.test(n));
          for (const n of names) if (!/[*?!]/.test(n) && !concrete.has(n)) concrete.set(n, path);
          if (wild.length) patterns.push(names);
          await walk(line.config ?? []);
        } else if (key === 'match') {
          await walk(line.config ?? []);
        } else if (key === 'include') {
          for (const pattern of values(line)) {
            let full = pattern.startsWith('~/') ? join(homeDir, pattern.slice(2)) : pattern;
            if (!isAbsolute(full)) full = join(homeDir, '.ssh', full);
            for (const file of await globPaths(full, readDirFn)) await visit(file, depth + 1, false);
          }
        }
      }
    };
    await walk(SSHConfig.parse(text) as unknown as Line[]);
  };
  await visit(configPath, 0, true);
  return [...concrete].map(([alias, file]) => ({
    alias,
    file,
    groups: patterns.filter((p) => p.some((n) => /[*?]/.test(n)) && matchPatternList(alias, p, false)).map((p) => p.join(' ')).filter((g) => g !== '*'),
  }));
}

export interface TokenContext {
  hostName: string;
  original: string;
  port: number;
  remoteUser: string;
  localUser: string;
  homeDir: string;
  localHostName: string;
  uid: number;
  jump: string;
}

/** OpenSSH percent_expand for the tokens its path-like options accept. */
export function expandTokens(value: string, t: TokenContext, what: string): string {
  const map: Record<string, string> = lookupTable({
    '%': '%',
    h: t.hostName,
    n: t.original,
    p: String(t.port),
    r: t.remoteUser,
    u: t.localUser,
    d: t.homeDir,
    l: t.localHostName,
    L: t.localHostName.split('.')[0]!,
    i: String(t.uid),
    k: t.original,
    j: t.jump,
    C: createHash('sha1').update(`${t.localHostName}${t.hostName}${String(t.port)}${t.remoteUser}${t.jump}`).digest('hex'),
  });
  return value.replace(/%(.?)/g, (_m, c: string) => {
    const v = map[c];
    if (v === undefined) throw new Error(`${what}: unknown token %${c} in ${JSON.stringify(value)}`);
    return v;
  });
}

export function expandTilde(value: string, homeDir: string): string {
  if (value === '~') return homeDir;
  if (value.startsWith('~/')) return join(homeDir, value.slice(2));
  return value;
}

function yesNo(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return /^(yes|true)$/i.test(value);
}

/**
 * Resolve one host through a config file (and its Includes), the way `ssh -G -F FILE HOST` does.
 * Only the settings in ResolvedSshHost are honoured; docs/ssh.md lists them.
 */
export async function resolveSshConfig(configPath: string, hostArg: string, envIn: SshConfigEnv = {}): Promise<ResolvedSshHost> {
  if (!hostArg || /[\s/]/.test(hostArg)) throw new Error(`bad host name ${JSON.stringify(hostArg)}`);
  const info = (() => {
    try {
      return userInfo();
    } catch {
      return { username: process.env.USER ?? '', homedir: process.env.HOME ?? '/', uid: -1 };
    }
  })();
  const env: Required<SshConfigEnv> = {
    homeDir: envIn.homeDir ?? info.homedir,
    localUser: envIn.localUser ?? info.username,
    localHostName: envIn.localHostName ?? osHostname(),
    uid: envIn.uid ?? info.uid,
    readFile: envIn.readFile ?? ((p) => readFile(p, 'utf8')),
    readDir: envIn.readDir ?? ((p) => readdir(p)),
  };
  const original = hostArg;
  const r = new Resolver(env, original);
  await r.readFileLines(configPath, 0);
  const s = r.settings;
  const one = (k: string) => s.get(k)?.[0];

  const hostName = r.currentHostName();
  const user = one('user') ?? env.localUser;
  const portRaw = one('port');
  const port = portRaw === undefined ? 22 : Number(portRaw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${configPath}: bad Port ${JSON.stringify(portRaw)} for ${hostArg}`);
  const proxyJumpRaw = one('proxyjump');
  const proxyJump = proxyJumpRaw && proxyJumpRaw.toLowerCase() !== 'none' ? (s.get('proxyjump') ?? []).join(',') : null;
  const proxyCommandRaw = s.get('proxycommand')?.join(' ');
  const proxyCommand = proxyCommandRaw && proxyCommandRaw.toLowerCase() !== 'none' ? proxyCommandRaw : null;
  const tokens: TokenContext = {
    hostName,
    original,
    port,
    remoteUser: user,
    localUser: env.localUser,
    homeDir: env.homeDir,
    localHostName: env.localHostName,
    uid: env.uid,
    jump: proxyJump ?? '',
  };
  const expandPath = (v: string, what: string) => expandTokens(expandTilde(v, env.homeDir), tokens, what);
  const identityFilesRaw = r.identityFiles.length ? [...r.identityFiles] : [...DEFAULT_IDENTITY_FILES];
  const agentRaw = one('identityagent');
  const agentNone = agentRaw?.toLowerCase() === 'none';
  let identityAgent: string | null = null;
  if (agentRaw && !agentNone) {
    identityAgent = agentRaw === 'SSH_AUTH_SOCK' ? (process.env.SSH_AUTH_SOCK ?? null) : agentRaw.startsWith('$') ? (process.env[agentRaw.slice(1)] ?? null) : expandPath(agentRaw, 'IdentityAgent');
  }
  const strictRaw = (one('stricthostkeychecking') ?? 'ask').toLowerCase();
  const strict: StrictHostKeyChecking = strictRaw === 'yes' || strictRaw === 'true' ? 'yes' : strictRaw === 'no' || strictRaw === 'off' || strictRaw === 'false' ? 'no' : strictRaw === 'accept-new' ? 'accept-new' : 'ask';
  const connectTimeoutRaw = one('connecttimeout');
  const interval = Number(one('serveraliveinterval') ?? 0);
  const countMax = Number(one('serveralivecountmax') ?? 3);
  return {
    host: original,
    hostName,
    user,
    port,
    identityFilesRaw,
    identityFiles: identityFilesRaw.map((f) => expandPath(f, 'IdentityFile')),
    identitiesOnly: yesNo(one('identitiesonly'), false),
    identityAgent,
    identityAgentNone: agentNone,
    proxyJump,
    proxyCommand,
    serverAliveInterval: Number.isFinite(interval) ? interval : 0,
    serverAliveCountMax: Number.isFinite(countMax) ? countMax : 3,
    connectTimeout: connectTimeoutRaw === undefined || connectTimeoutRaw === 'none' ? null : Number(connectTimeoutRaw),
    strictHostKeyChecking: strict,
    userKnownHostsFiles: (s.get('userknownhostsfile') ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((f) => expandPath(f, 'UserKnownHostsFile')),
    files: r.files,
    warnings: r.warnings,
  };
}

/** One ProxyJump hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export function parseJumpSpec(spec: string): { user: string | null; host: string; port: number | null } {
  const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw new Error(`bad ProxyJump hop ${JSON.stringify(spec)}: expected [user@]host[:port]`);
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) throw new Error(`bad ProxyJump hop ${JSON.stringify(spec)}: port out of range`);
  return { user: m[1] ?? null, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}
