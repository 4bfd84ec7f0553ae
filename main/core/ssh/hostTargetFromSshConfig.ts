// From an ssh_config alias to a SessionPool target: the same host name, user, port, keys,
// agent, known_hosts, keepalive and jump chain OpenSSH would use, so an engineer's existing
// ~/.ssh/config works with no second setup. Every host and every jump hop is resolved through
// the SshResolver (`ssh -G` where a client exists), hop by hop as ssh itself does it.
import { access } from 'node:fs/promises';
import type { HostId } from '../../../common/contract';
import type { HostKeyPolicy, HostTarget, JumpHop } from './SessionPool';
import { parseJumpSpec, type ResolvedSshHost } from './sshConfig';
import type { SshConfigEnv } from './sshConfigEnv';
import { SshResolver } from './SshResolver';

export interface SshConfigTargetOptions extends SshConfigEnv {
  /** the agent socket when the config names none (normally process.env.SSH_AUTH_SOCK) */
  authSock?: string;
  exists?: (path: string) => Promise<boolean>;
  /**
   * What the Opsdeck host entry sets itself: it wins over ssh_config, as a command-line option
   * wins over the config file in OpenSSH. Address, port and user are applied before ProxyCommand's
   * tokens are expanded; a key file given here is the only key file offered (the agent still is).
   */
  overrides?: TargetOverrides;
}

export interface TargetOverrides {
  address?: string;
  port?: number;
  user?: string;
  privateKeyPath?: string;
  knownHostsPath?: string;
  /** the Opsdeck policy; ssh_config's `StrictHostKeyChecking yes` still wins (the stricter one) */
  hostKeyPolicy?: HostKeyPolicy;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  connectTimeoutMs?: number;
}

/** More hops than this (counting each hop's own jumps) is taken as a loop. */
const MAX_JUMPS = 8;

const fileExists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** StrictHostKeyChecking=no is taken as accept-new: a changed key is always refused here. */
export function hostKeyPolicyOf(r: Pick<ResolvedSshHost, 'strictHostKeyChecking'>): HostKeyPolicy {
  return r.strictHostKeyChecking === 'yes' ? 'yes' : r.strictHostKeyChecking === 'ask' ? 'ask' : 'accept-new';
}

export type ResolvedHop = JumpHop;

async function hopFrom(r: ResolvedSshHost, opts: SshConfigTargetOptions): Promise<ResolvedHop> {
  const exists = opts.exists ?? fileExists;
  // every IdentityFile that exists, in order, as OpenSSH offers them
  const present: string[] = [];
  for (const f of r.identityFiles) if ((await exists(f)) && !present.includes(f)) present.push(f);
  const privateKeyPath = present[0];
  const agent = r.identityAgentNone ? undefined : (r.identityAgent ?? opts.authSock ?? process.env.SSH_AUTH_SOCK);
  const knownHostsPaths = [...r.userKnownHostsFiles, ...r.globalKnownHostsFiles];
  // UserKnownHostsFile none: a new key has nowhere to go, and ssh then refuses it whatever
  // StrictHostKeyChecking says (it never writes a global file); the global files are only read
  const knownHostsPath = r.userKnownHostsFiles[0] ?? r.globalKnownHostsFiles[0];
  if (!knownHostsPath) throw new Error(`${r.host}: UserKnownHostsFile and GlobalKnownHostsFile are both none: no host key could be checked`);
  const hostKeyPolicy = r.userKnownHostsFiles.length ? hostKeyPolicyOf(r) : 'yes';
  const hop: ResolvedHop = { address: r.hostName, port: r.port, user: r.user, knownHostsPath, hostKeyPolicy };
  if (privateKeyPath) hop.privateKeyPath = privateKeyPath;
  if (present.length > 1) hop.extraPrivateKeyPaths = present.slice(1);
  if (agent) hop.agent = agent;
  // no key and no agent is not fatal here: the pool reports it when the host connects, so one
  // host without a key does not stop the console from starting
  if (r.serverAliveInterval > 0) {
    hop.keepaliveIntervalMs = r.serverAliveInterval * 1000;
    hop.keepaliveCountMax = r.serverAliveCountMax;
  }
  if (r.connectTimeout !== null) hop.connectTimeoutMs = r.connectTimeout * 1000;
  if (r.proxyCommand) hop.proxyCommand = safeProxyCommand(r);
  const others = knownHostsPaths.slice(1);
  if (others.length) hop.otherKnownHostsPaths = others;
  if (r.hostKeyAlias) hop.hostKeyAlias = r.hostKeyAlias;
  if (r.identitiesOnly) hop.identitiesOnly = { identityFiles: r.identityFiles };
  if (r.unsupported.length) hop.notes = r.unsupported;
  return hop;
}

function safeProxyCommand(r: ResolvedSshHost): string {
  // the host name lands in a shell command: refuse anything but a plain name
  for (const [what, value] of [
    ['host name', r.hostName],
    ['alias', r.host],
    ['user', r.user],
  ] as const) {
    if (!/^[A-Za-z0-9._:@-]+$/.test(value)) throw new Error(`${r.host}: ${what} ${JSON.stringify(value)} cannot be used in a ProxyCommand`);
  }
  return expandProxyCommand(r.proxyCommand!, r);
}

/**
 * The hops before `r`, outermost first, as ssh builds them: for `ProxyJump h1,h2,h3` ssh runs
 * `ssh -J h1,h2 h3 -W …`, so h1 is resolved with its own ProxyJump/ProxyCommand (recursively) and
 * each later hop with `-l`/`-p` from its spec and `-J` the hops before it (its own proxy settings
 * then do not apply, as in ssh).
 */
async function chainFor(resolver: SshResolver, r: ResolvedSshHost, opts: SshConfigTargetOptions, budget: { left: number }): Promise<ResolvedHop[]> {
  if (!r.proxyJump) return [];
  const specs = r.proxyJump.split(',');
  const hops: ResolvedHop[] = [];
  for (const [i, spec] of specs.entries()) {
    if (--budget.left < 0) throw new Error(`${r.host}: ProxyJump chain longer than ${MAX_JUMPS} hops (a loop?)`);
    const { user, host, port } = parseJumpSpec(spec);
    const cmdline = { ...(user !== null ? { user } : {}), ...(port !== null ? { port } : {}), ...(i > 0 ? { proxyJump: specs.slice(0, i).join(',') } : {}) };
    const hr = await resolver.resolve(host, cmdline);
    if (i === 0) hops.push(...(await chainFor(resolver, hr, opts, budget)));
    else hr.proxyCommand = null;
    hops.push(await hopFrom(hr, opts));
  }
  return hops;
}

/**
 * Resolve `alias` into a target with id `id`: through `resolver`, or, given a path, as
 * `ssh -F PATH` would (in process). Each ProxyJump hop is resolved in turn as `ssh -J` does.
 */
export async function hostTargetFromSshConfig(
  id: HostId,
  resolverOrPath: SshResolver | string,
  alias: string,
  opts: SshConfigTargetOptions = {},
): Promise<HostTarget> {
  const resolver =
    typeof resolverOrPath === 'string' ? new SshResolver({ files: { user: resolverOrPath, system: null }, ssh: null, env: opts }) : resolverOrPath;
  const o = opts.overrides ?? {};
  // the entry's user and port go in as `-l`/`-p` would: Match user sees them
  const r = await resolver.resolve(alias, { ...(o.user !== undefined ? { user: o.user } : {}), ...(o.port !== undefined ? { port: o.port } : {}) });
  if (o.address !== undefined) r.hostName = o.address;
  if (o.privateKeyPath !== undefined) r.identityFiles = [o.privateKeyPath];
  if (o.knownHostsPath !== undefined) {
    r.userKnownHostsFiles = [o.knownHostsPath];
    r.globalKnownHostsFiles = [];
    r.hostKeyAlias = null;
  }
  const target: HostTarget = { id, ...(await hopFrom(r, opts)) };
  // the key named in the Opsdeck entry is offered even before it exists (the pool then names it)
  if (o.privateKeyPath !== undefined) target.privateKeyPath = o.privateKeyPath;
  if (o.hostKeyPolicy !== undefined && target.hostKeyPolicy !== 'yes') target.hostKeyPolicy = o.hostKeyPolicy;
  if (o.keepaliveIntervalMs !== undefined) target.keepaliveIntervalMs = o.keepaliveIntervalMs;
  if (o.keepaliveCountMax !== undefined) target.keepaliveCountMax = o.keepaliveCountMax;
  if (o.connectTimeoutMs !== undefined) target.connectTimeoutMs = o.connectTimeoutMs;
  const jumps = await chainFor(resolver, r, opts, { left: MAX_JUMPS });
  if (jumps.length) target.jumps = jumps;
  return target;
}

/** ProxyCommand's tokens (%h %k %n %p %r %%), as OpenSSH's sshconnect.c expands them; `exec ` is left to sh. */
export function expandProxyCommand(
  command: string,
  r: Pick<ResolvedSshHost, 'hostName' | 'port' | 'user' | 'host'> & { hostKeyAlias?: string | null },
): string {
  return command.replace(/%(.?)/g, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'h':
        return r.hostName;
      case 'k':
        return r.hostKeyAlias ?? r.host;
      case 'p':
        return String(r.port);
      case 'r':
        return r.user;
      case 'n':
        return r.host;
      default:
        throw new Error(`ProxyCommand: unsupported token %${c} in ${JSON.stringify(command)}`);
    }
  });
}
