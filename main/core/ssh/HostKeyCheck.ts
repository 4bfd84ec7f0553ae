// The host-key check: the key a server presents during the handshake against known_hosts and
// the hop's policy (OpenSSH's StrictHostKeyChecking), with the keys the user accepted for this
// session only. A changed or revoked key is always refused; an unknown one is pinned, asked
// about or refused as the policy says.
import type { HostId } from '../../../common/contract';
import { appendKnownHost, assertHostKey, fingerprintSha256, keyTypeOf, knownKeyTypes, loadKnownHosts, verifyHostKey, type KnownHosts } from './knownHosts';
import type { HostKeyPrompt, HostKeyQuestion, JumpHop, SshLogger } from './types';

export interface HostKeyCheckDeps {
  logger: SshLogger;
  /** asked when a host key is unknown and the policy is 'ask'; true pins it (TOFU) */
  confirmHostKey?: (prompt: HostKeyPrompt) => Promise<boolean>;
  /** told (without waiting) about a key the user must decide on; see SessionPoolDeps */
  hostKeyQuestion?: (question: HostKeyQuestion) => void;
}

/**
 * The name and port host keys are looked up under: HostKeyAlias alone (ssh adds no port to an
 * alias), else the address and port.
 */
export function hostKeyIdentity(hop: Pick<JumpHop, 'address' | 'port' | 'hostKeyAlias'>): { name: string; port: number } {
  return hop.hostKeyAlias ? { name: hop.hostKeyAlias, port: 22 } : { name: hop.address, port: hop.port };
}

/** Every known_hosts file of the hop, in ssh's order, read as one (a key in any of them is known). */
export async function loadHopKnownHosts(hop: Pick<JumpHop, 'knownHostsPath' | 'otherKnownHostsPaths'>): Promise<KnownHosts> {
  const paths = [hop.knownHostsPath, ...(hop.otherKnownHostsPaths ?? []).filter((p) => p !== hop.knownHostsPath)];
  if (paths.length === 1) return loadKnownHosts(paths[0]!);
  const all = await Promise.all(
    paths.map((p) =>
      loadKnownHosts(p).catch((err: Error) => {
        // an unreadable global file is skipped, as ssh skips it
        if (p === hop.knownHostsPath) throw err;
        return { source: p, entries: [], errors: [] } as KnownHosts;
      }),
    ),
  );
  return { source: paths.join(' '), entries: all.flatMap((k) => k.entries), errors: all.flatMap((k) => k.errors) };
}

/** Every host-key algorithm ssh2 offers, in OpenSSH's order of preference. */
const ALL_HOST_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

export class HostKeyCheck {
  /** host keys the user accepted for this session only ("Accept once"): never written */
  private readonly acceptedOnce = new Set<string>();

  constructor(private readonly deps: HostKeyCheckDeps) {}

  /** Accept this key for host:port until the pool closes, without writing known_hosts. */
  acceptOnce(address: string, port: number, key: Buffer): void {
    this.acceptedOnce.add(`${address}\0${port}\0${key.toString('base64')}`);
  }

  /**
   * The host-key algorithms to offer, the pinned types first, as OpenSSH does, so a host with
   * several keys presents the one we know rather than tripping the changed-key refusal;
   * undefined when nothing is pinned (ssh2's own order).
   */
  preferredAlgorithms(known: KnownHosts, hop: JumpHop): string[] | undefined {
    const id = hostKeyIdentity(hop);
    const preferred = knownKeyTypes(known, id.name, id.port);
    if (!preferred.length) return undefined;
    const pinned = preferred.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
    return [...new Set([...pinned, ...ALL_HOST_KEY_TYPES])];
  }

  /** Resolves when the key may be used; rejects with a HostKeyError (or the pinning's failure) otherwise. */
  async check(hop: JumpHop, hostId: HostId | null, label: string, known: KnownHosts, key: Buffer): Promise<void> {
    // with HostKeyAlias the key is looked up, asked about and pinned under the alias
    const { name, port } = hostKeyIdentity(hop);
    const verdict = verifyHostKey(known, name, port, key);
    if (verdict.status === 'match') return;
    if (verdict.status !== 'revoked' && this.acceptedOnce.has(`${name}\0${port}\0${key.toString('base64')}`)) return;
    const ask = this.deps.hostKeyQuestion;
    const policy = hop.hostKeyPolicy ?? 'yes';
    if (ask && (verdict.status === 'changed' || (verdict.status === 'unknown' && policy === 'ask' && !this.deps.confirmHostKey))) {
      ask({
        kind: verdict.status,
        hostId,
        address: name,
        port,
        keyType: keyTypeOf(key),
        fingerprint: verdict.fingerprint,
        key,
        knownHostsPath: hop.knownHostsPath,
        expected:
          verdict.status === 'changed' ? verdict.expected.map((e) => ({ line: e.line, keyType: e.keyType, fingerprint: fingerprintSha256(e.key) })) : [],
      });
    }
    if (verdict.status === 'unknown') {
      const keyType = keyTypeOf(key);
      const accepted =
        policy === 'accept-new' ||
        (policy === 'ask' &&
          !!this.deps.confirmHostKey &&
          (await this.deps.confirmHostKey({ hostId, address: name, port, keyType, fingerprint: fingerprintSha256(key) })));
      if (accepted) {
        await appendKnownHost(hop.knownHostsPath, name, port, key);
        this.deps.logger.warn(`ssh ${label}: pinned new host key ${keyType} ${verdict.fingerprint} in ${hop.knownHostsPath}`);
        return;
      }
    }
    assertHostKey(verdict, name, port, key, known.source);
  }
}
