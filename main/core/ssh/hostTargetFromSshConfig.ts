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
  if (!privateKeyPath && !agent) throw new Error(`${r.host}: none of the identity files exists (${r.identityFiles.join(', ')}) and there is no agent`);
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
  const target: HostTarget = { id, ...(await hopFrom(r, opts)) };
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
