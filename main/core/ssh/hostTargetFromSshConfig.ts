// From an ssh_config alias to a SessionPool target: the same host name, user, port, keys,
// agent, known_hosts, keepalive and jump chain OpenSSH would use, so an engineer's existing
// ~/.ssh/config works with no second setup.
import { access } from 'node:fs/promises';
import type { HostId } from '../../../common/contract';
import type { HostKeyPolicy, HostTarget, JumpHop } from './SessionPool';
import { parseJumpSpec, resolveSshConfig, type ResolvedSshHost, type SshConfigEnv } from './sshConfig';

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

async function hopFrom(r: ResolvedSshHost, opts: SshConfigTargetOptions): Promise<JumpHop> {
  const exists = opts.exists ?? fileExists;
  // every IdentityFile that exists, in order, as OpenSSH offers them
  const present: string[] = [];
  for (const f of r.identityFiles) if ((await exists(f)) && !present.includes(f)) present.push(f);
  const privateKeyPath = present[0];
  const agent = r.identityAgentNone ? undefined : (r.identityAgent ?? opts.authSock ?? process.env.SSH_AUTH_SOCK);
  const knownHostsPath = r.userKnownHostsFiles[0];
  if (!knownHostsPath) throw new Error(`${r.host}: no UserKnownHostsFile`);
  const hop: JumpHop = { address: r.hostName, port: r.port, user: r.user, knownHostsPath, hostKeyPolicy: hostKeyPolicyOf(r) };
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
  return hop;
}

/**
 * Resolve `alias` through the config at configPath into a target with id `id`. Each ProxyJump
 * hop is itself resolved through the same config (its User, Port, IdentityFile, known hosts), as
 * `ssh -J` does; explicit `user@` and `:port` in the hop win.
 */
export async function hostTargetFromSshConfig(id: HostId, configPath: string, alias: string, opts: SshConfigTargetOptions = {}): Promise<HostTarget> {
  const r = await resolveSshConfig(configPath, alias, opts);
  const o = opts.overrides ?? {};
  if (o.address !== undefined) r.hostName = o.address;
  if (o.port !== undefined) r.port = o.port;
  if (o.user !== undefined) r.user = o.user;
  if (o.privateKeyPath !== undefined) r.identityFiles = [o.privateKeyPath];
  if (o.knownHostsPath !== undefined) r.userKnownHostsFiles = [o.knownHostsPath];
  const target: HostTarget = { id, ...(await hopFrom(r, opts)) };
  // the key named in the Opsdeck entry is offered even before it exists (the pool then names it)
  if (o.privateKeyPath !== undefined) target.privateKeyPath = o.privateKeyPath;
  if (o.hostKeyPolicy !== undefined && target.hostKeyPolicy !== 'yes') target.hostKeyPolicy = o.hostKeyPolicy;
  if (o.keepaliveIntervalMs !== undefined) target.keepaliveIntervalMs = o.keepaliveIntervalMs;
  if (o.keepaliveCountMax !== undefined) target.keepaliveCountMax = o.keepaliveCountMax;
  if (o.connectTimeoutMs !== undefined) target.connectTimeoutMs = o.connectTimeoutMs;
  if (r.proxyCommand) {
    // the host name lands in a shell command: refuse anything but a plain name
    for (const [what, value] of [['host name', r.hostName], ['alias', r.host], ['user', r.user]] as const) {
      if (!/^[A-Za-z0-9._:@-]+$/.test(value)) throw new Error(`${alias}: ${what} ${JSON.stringify(value)} cannot be used in a ProxyCommand`);
    }
    target.proxyCommand = expandProxyCommand(r.proxyCommand, r);
  }
  if (r.proxyJump) {
    const specs = r.proxyJump.split(',');
    if (specs.length > MAX_JUMPS) throw new Error(`${alias}: ProxyJump has more than ${MAX_JUMPS} hops`);
    target.jumps = [];
    for (const spec of specs) {
      const { user, host, port } = parseJumpSpec(spec);
      const hr = await resolveSshConfig(configPath, host, opts);
      if (user) hr.user = user;
      if (port) hr.port = port;
      target.jumps.push(await hopFrom(hr, opts));
    }
  }
  return target;
}

/** ProxyCommand's tokens (%h %p %r %n %%), as OpenSSH expands them; `exec ` is left to sh. */
export function expandProxyCommand(command: string, r: Pick<ResolvedSshHost, 'hostName' | 'port' | 'user' | 'host'>): string {
  return command.replace(/%(.?)/g, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'h':
        return r.hostName;
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
