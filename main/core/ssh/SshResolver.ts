// Resolves hosts through OpenSSH itself where a client is installed: `ssh -G` prints the
// configuration ssh would use, so the console connects where, as whom and through what `ssh`
// would, whatever the files say. Where no client exists, the in-process resolver (sshConfig.ts)
// answers instead; a corpus test holds both to ssh's answers. Each host (and each jump hop, with
// its own `-l`/`-p`/`-J`) is resolved once and cached until one of the configuration files, or a
// folder an Include glob reads, changes: a warm connect spawns nothing.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolveSshConfig, unsupportedOf, type CommandLineOptions, type ResolvedSshHost, type SshConfigFiles, type StrictHostKeyChecking } from './sshConfig';
import { expandTilde, fullEnv, type SshConfigEnv } from './sshConfigEnv';
import { expandTokens } from './sshConfigTokens';
import { walkSshConfig } from './sshConfigHosts';
import { lookupTable } from '../../../common/emptyRecord';

export interface SshGResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SshResolverDeps {
  /**
   * user: the user's file; system: /etc/ssh/ssh_config, or null when the user file is given to
   * ssh with -F (ssh then reads no system file). With a system file, `ssh -G` runs without -F and
   * reads ssh's own defaults (~/.ssh/config of the passwd home and /etc/ssh/ssh_config); the
   * paths here are then what the cache watches and what the fallback reads.
   */
  files: SshConfigFiles;
  /** the OpenSSH client to ask; null: resolve in process */
  ssh: string | null;
  env?: SshConfigEnv;
  /** runs `ssh ARGS` (tests run it in a mount namespace with a home and /etc/ssh of their own) */
  runSsh?: (ssh: string, args: string[]) => Promise<SshGResult>;
  /** mtime and size of a path, null when missing */
  statPath?: (path: string) => Promise<string | null>;
  /** `ssh -G` runs at once at most (default 4: a fleet resolves in parallel without flooding 2 cores) */
  maxConcurrent?: number;
}

const defaultRunSsh = (ssh: string, args: string[]): Promise<SshGResult> =>
  new Promise((resolve) => {
    execFile(ssh, args, { timeout: 15_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === null ? err.message : '') });
    });
  });

const defaultStat = (path: string): Promise<string | null> =>
  stat(path).then(
    (s) => `${s.mtimeMs}:${s.size}:${s.ino}`,
    () => null,
  );

export class SshResolver {
  readonly via: 'openssh' | 'in-process';
  private readonly env: Required<SshConfigEnv>;
  private readonly runSsh: NonNullable<SshResolverDeps['runSsh']>;
  private readonly statPath: NonNullable<SshResolverDeps['statPath']>;
  private readonly cache = new Map<string, Promise<ResolvedSshHost>>();
  /** the files and folders the cache depends on, with what they looked like when it was filled */
  private watched: Map<string, string | null> | null = null;
  private checking: Promise<void> | null = null;
  private running = 0;
  private readonly queue: (() => void)[] = [];
  /** `ssh -G` processes started, for tests and the bench */
  spawns = 0;

  constructor(private readonly deps: SshResolverDeps) {
    this.via = deps.ssh ? 'openssh' : 'in-process';
    this.env = fullEnv(deps.env ?? {});
    this.runSsh = deps.runSsh ?? defaultRunSsh;
    this.statPath = deps.statPath ?? defaultStat;
  }

  get files(): SshConfigFiles {
    return this.deps.files;
  }

  /** Resolve `host` as `ssh -G [-l user] [-p port] [-J jumps] host`; cached until a config file changes. */
  async resolve(host: string, cmdline: CommandLineOptions = {}): Promise<ResolvedSshHost> {
    await this.checkFiles();
    const key = JSON.stringify([host, cmdline.user ?? null, cmdline.port ?? null, cmdline.proxyJump ?? null]);
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.deps.ssh ? this.viaOpenSsh(this.deps.ssh, host, cmdline) : resolveSshConfig(this.deps.files, host, this.deps.env ?? {}, cmdline);
      // a refusal is cached too: the same files give the same error, no need to ask again
      this.cache.set(key, hit);
    }
    const r = await hit;
    return structuredClone(r);
  }

  /** Drops the cache when a watched file or folder changed since it was filled (a few stats, no process). */
  private checkFiles(): Promise<void> {
    this.checking ??= (async () => {
      try {
        if (this.watched) {
          let same = true;
          for (const [path, sig] of this.watched) {
            if ((await this.statPath(path)) !== sig) {
              same = false;
              break;
            }
          }
          if (same) return;
        }
        this.cache.clear();
        const walk = await walkSshConfig(this.deps.files, this.deps.env ?? {}).catch(() => ({ files: [], dirs: [] }));
        const paths = [
          ...new Set([
            ...(this.deps.files.user ? [this.deps.files.user] : []),
            ...(this.deps.files.system ? [this.deps.files.system] : []),
            ...walk.files,
            ...walk.dirs,
          ]),
        ];
        const watched = new Map<string, string | null>();
        for (const p of paths) watched.set(p, await this.statPath(p));
        this.watched = watched;
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  private async slot(): Promise<() => void> {
    const max = this.deps.maxConcurrent ?? 4;
    if (this.running >= max) await new Promise<void>((r) => this.queue.push(r));
    this.running++;
    return () => {
      this.running--;
      this.queue.shift()?.();
    };
  }

  private async viaOpenSsh(ssh: string, host: string, cmdline: CommandLineOptions): Promise<ResolvedSshHost> {
    if (!host || host.startsWith('-')) throw new Error(`ssh -G ${host}: hostname contains invalid characters`);
    const args = ['-G', '-T'];
    if (this.deps.files.system === null && this.deps.files.user !== null) args.push('-F', this.deps.files.user);
    if (cmdline.user !== undefined) args.push('-l', cmdline.user);
    if (cmdline.port !== undefined) args.push('-p', String(cmdline.port));
    if (cmdline.proxyJump !== undefined) args.push('-J', cmdline.proxyJump);
    args.push('--', host);
    const release = await this.slot();
    let out: SshGResult;
    try {
      this.spawns++;
      out = await this.runSsh(ssh, args);
    } finally {
      release();
    }
    if (out.code !== 0) {
      const why = out.stderr.trim().split('\n').filter(Boolean).join('; ') || `exit status ${out.code}`;
      throw new Error(`ssh -G ${host}: ${why}`);
    }
    return fromSshG(out.stdout, host, this.env, out.stderr);
  }
}

/** `ssh -G` output in the console's terms; identity files expanded as ssh expands them when it loads them. */
export function fromSshG(stdout: string, host: string, env: Required<SshConfigEnv>, stderr = ''): ResolvedSshHost {
  const one = new Map<string, string>();
  const many = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const k = line.slice(0, sp).toLowerCase();
    const v = line.slice(sp + 1);
    if (!one.has(k)) one.set(k, v);
    many.set(k, [...(many.get(k) ?? []), v]);
  }
  const need = (k: string): string => {
    const v = one.get(k);
    if (v === undefined) throw new Error(`ssh -G ${host}: no "${k}" in its output`);
    return v;
  };
  const words = (k: string): string[] => {
    const v = one.get(k);
    return v === undefined || v === 'none' ? [] : v.split(' ').filter(Boolean);
  };
  const hostName = need('hostname');
  const user = need('user');
  const port = Number(need('port'));
  const hostKeyAlias = one.get('hostkeyalias') ?? null;
  const tokens = {
    hostName,
    original: host,
    port,
    remoteUser: user,
    localUser: env.localUser,
    homeDir: env.homeDir,
    localHostName: env.localHostName,
    uid: env.uid,
    hostKeyAlias,
    vars: env.vars,
  };
  const identityFilesRaw = many.get('identityfile') ?? [];
  const agentRaw = one.get('identityagent');
  const agentNone = agentRaw === 'none';
  let identityAgent: string | null = null;
  if (agentRaw && !agentNone)
    identityAgent =
      agentRaw === 'SSH_AUTH_SOCK' ? (env.vars.SSH_AUTH_SOCK ?? null) : agentRaw.startsWith('$') ? (env.vars[agentRaw.slice(1)] ?? null) : agentRaw;
  const strictMap: Record<string, StrictHostKeyChecking> = lookupTable({ true: 'yes', false: 'no', ask: 'ask', 'accept-new': 'accept-new' });
  const ct = one.get('connecttimeout');
  const certificateFiles = many.get('certificatefile') ?? [];
  const pkcs11Provider = one.get('pkcs11provider') ?? null;
  const gssapiAuthentication = one.get('gssapiauthentication') === 'yes';
  const canon = one.get('canonicalizehostname');
  const unsupported = unsupportedOf({ certificateFiles, pkcs11Provider, gssapiAuthentication });
  // ssh -G reports what it ran into (a Match exec that failed, an unreadable Include) on stderr
  for (const l of stderr.split('\n')) if (l.trim() && !/Pseudo-terminal/.test(l)) unsupported.push(`ssh -G said: ${l.trim()}`);
  return {
    host,
    hostName,
    user,
    port,
    identityFilesRaw,
    identityFiles: identityFilesRaw.map((f) => expandTokens(expandTilde(f, env.homeDir), tokens, 'IdentityFile')),
    identitiesOnly: one.get('identitiesonly') === 'yes',
    identityAgent,
    identityAgentNone: agentNone,
    identityAgentRaw: agentRaw && !agentNone ? agentRaw : null,
    proxyJump: one.get('proxyjump') ?? null,
    proxyCommand: one.get('proxycommand') ?? null,
    serverAliveInterval: Number(one.get('serveraliveinterval') ?? 0),
    serverAliveCountMax: Number(one.get('serveralivecountmax') ?? 3),
    connectTimeout: ct === undefined || ct === 'none' ? null : Number(ct),
    strictHostKeyChecking: strictMap[one.get('stricthostkeychecking') ?? 'ask'] ?? 'ask',
    userKnownHostsFiles: words('userknownhostsfile'),
    globalKnownHostsFiles: words('globalknownhostsfile'),
    hostKeyAlias,
    canonicalizeHostname: canon === 'true' ? 'yes' : canon === 'always' ? 'always' : 'no',
    canonicalDomains: words('canonicaldomains'),
    certificateFiles,
    pkcs11Provider,
    gssapiAuthentication,
    files: [],
    unsupported,
  };
}

/** The OpenSSH client on PATH, or null. */
export async function findOpenSsh(pathVar = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of pathVar.split(process.platform === 'win32' ? ';' : ':')) {
    if (!dir) continue;
    const candidate = `${dir}/${process.platform === 'win32' ? 'ssh.exe' : 'ssh'}`;
    if (
      await stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return candidate;
  }
  return null;
}
