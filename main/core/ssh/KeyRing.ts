// The key ring and auth: which methods a hop offers (agent, key files, keyboard-interactive),
// with keys decrypted once (asking for a passphrase when needed) and kept in memory for the
// life of the pool, as an agent would hold them.
import { readFile } from 'node:fs/promises';
import ssh2, { type AuthMethod, type IdentityCallback, type KeyboardInteractiveAuthMethod, type ParsedKey } from 'ssh2';
import { PermanentError, connLabel, type Conn } from './Conn';
import type { SessionPoolDeps, SshLogger } from './types';

// ssh2 is CommonJS: Node's ESM loader sees only its default export in the built bundle
const { utils: sshUtils, OpenSSHAgent } = ssh2;

/** An agent that lists only the keys IdentitiesOnly allows; signing goes to the real agent. */
class IdentitiesOnlyAgent extends OpenSSHAgent {
  constructor(
    socketPath: string,
    private readonly allowed: Set<string>,
  ) {
    super(socketPath);
  }

  override getIdentities(cb: IdentityCallback<ParsedKey>): void {
    super.getIdentities((err, keys) => {
      if (err || !keys) return cb(err);
      // the OpenSSH agent answers with parsed keys; anything else is not offered
      cb(
        null,
        keys.filter((k) => 'getPublicSSH' in k && this.allowed.has(k.getPublicSSH().toString('base64'))),
      );
    });
  }
}

/**
 * The public keys of the IdentityFiles, as ssh loads them for IdentitiesOnly: `FILE.pub`, else
 * the public half of an unencrypted FILE. A file that is missing or encrypted without a `.pub`
 * contributes nothing.
 */
async function identityPublicKeys(files: string[], read: (path: string) => Promise<Buffer>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const f of files) {
    for (const path of [`${f}.pub`, f]) {
      const data = await read(path).catch(() => null);
      if (!data) continue;
      const parsed = sshUtils.parseKey(data);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (key && !(key instanceof Error)) {
        out.add(key.getPublicSSH().toString('base64'));
        break;
      }
    }
  }
  return out;
}

export type KeyRingDeps = Pick<SessionPoolDeps, 'passphrase' | 'passphraseAccepted' | 'keyboardInteractive' | 'readFile'> & { logger: SshLogger };

export class KeyRing {
  private readonly passphrases = new Map<string, string>();
  /** decrypted keys, in memory only, for the life of the pool (as an agent would hold them) */
  private readonly parsedKeys = new Map<string, ParsedKey>();
  private readonly logger: SshLogger;

  constructor(private readonly deps: KeyRingDeps) {
    this.logger = deps.logger;
  }

  /**
   * The auth methods to offer, in order: the agent, then the key file. Keys go to ssh2 already
   * parsed (through authHandler): decrypting an OpenSSH key runs bcrypt-pbkdf in JS for seconds,
   * so it happens once per pool, not on every reconnect.
   */
  async authConfig(conn: Conn): Promise<{ authHandler: AuthMethod[]; describe: string }> {
    const hop = conn.hop;
    const label = connLabel(conn);
    const tried: string[] = [];
    const methods: AuthMethod[] = [];
    if (hop.agent && hop.identitiesOnly) {
      // IdentitiesOnly: only the agent's keys that match an IdentityFile, as ssh offers them
      const allowed = await identityPublicKeys(hop.identitiesOnly.identityFiles, this.deps.readFile ?? readFile);
      if (allowed.size) {
        methods.push({ type: 'agent', username: hop.user, agent: new IdentitiesOnlyAgent(hop.agent, allowed) } as AuthMethod);
        tried.push(`the agent at ${hop.agent} (IdentitiesOnly: its keys matching ${hop.identitiesOnly.identityFiles.join(', ')})`);
      }
    } else if (hop.agent) {
      methods.push({ type: 'agent', username: hop.user, agent: hop.agent } as AuthMethod);
      tried.push(`the agent at ${hop.agent}`);
    }
    const keys: { where: string; path: string | null; inline?: string | Buffer; passphrase?: string; optional?: boolean }[] = [];
    if (hop.privateKey !== undefined || hop.privateKeyPath) {
      keys.push({
        where: hop.privateKeyPath ?? 'the configured key',
        path: hop.privateKeyPath ?? null,
        ...(hop.privateKey !== undefined ? { inline: hop.privateKey } : {}),
        ...(hop.passphrase !== undefined ? { passphrase: hop.passphrase } : {}),
      });
    }
    // later keys are offered if usable; one that cannot be read or decrypted is skipped, not fatal
    for (const path of hop.extraPrivateKeyPaths ?? []) keys.push({ where: path, path, optional: true });
    for (const k of keys) {
      try {
        await this.addKey(k, conn, label, methods);
        tried.push(`key ${k.where}`);
      } catch (err) {
        if (!k.optional) throw err;
        this.logger.warn(`ssh ${label}: skipping key ${k.where}: ${(err as Error).message}`);
      }
    }
    if (!methods.length) throw new PermanentError(`${label}: no key file or agent configured`);
    const ask = this.deps.keyboardInteractive;
    if (ask) {
      const kbd: KeyboardInteractiveAuthMethod = {
        type: 'keyboard-interactive',
        username: hop.user,
        prompt: (name, instructions, _lang, prompts, finish) => {
          ask({ hostId: conn.hostId, name, instructions, prompts: prompts.map((p) => ({ prompt: p.prompt, echo: !!p.echo })) }).then(
            (answers) => finish(answers ?? []),
            () => finish([]),
          );
        },
      };
      methods.push(kbd);
      tried.push('keyboard-interactive');
    }
    return { authHandler: methods, describe: tried.join(' and ') };
  }

  private async addKey(
    k: { where: string; path: string | null; inline?: string | Buffer; passphrase?: string },
    conn: Conn,
    label: string,
    methods: AuthMethod[],
  ): Promise<void> {
    const hop = conn.hop;
    {
      const where = k.where;
      let data: Buffer;
      try {
        data = k.inline !== undefined ? Buffer.from(k.inline) : await (this.deps.readFile ?? readFile)(k.path!);
      } catch (err) {
        throw new PermanentError(`${label}: cannot read key file ${where}: ${(err as Error).message}`);
      }
      const cacheKey = `${where}\0${data.toString('base64')}`;
      let key = this.parsedKeys.get(cacheKey);
      if (!key) {
        let passphrase = k.passphrase ?? (k.path ? this.passphrases.get(k.path) : undefined);
        let parsed = sshUtils.parseKey(data, passphrase);
        let asked = false;
        if (parsed instanceof Error && /no passphrase given|encrypted/i.test(parsed.message) && passphrase === undefined) {
          const answer = this.deps.passphrase ? await this.deps.passphrase(where, conn.hostId) : null;
          asked = true;
          if (answer === null || answer === undefined) throw new PermanentError(`${label}: key ${where} is encrypted and no passphrase was given`);
          passphrase = answer;
          parsed = sshUtils.parseKey(data, passphrase);
        }
        if (parsed instanceof Error) {
          const bad = /bad decrypt|integrity check|passphrase/i.test(parsed.message) && passphrase !== undefined;
          // a kept passphrase that no longer opens the file (its passphrase was changed): forget
          // it, so the next attempt asks instead of failing on it for the rest of the session
          if (bad && k.path) this.passphrases.delete(k.path);
          throw new PermanentError(bad ? `${label}: wrong passphrase for key ${where}` : `${label}: cannot use key ${where}: ${parsed.message}`);
        }
        const first = Array.isArray(parsed) ? parsed[0] : parsed;
        if (!first || !first.isPrivateKey()) throw new PermanentError(`${label}: ${where} holds no private key`);
        if (passphrase !== undefined && k.path) this.passphrases.set(k.path, passphrase);
        if (asked && passphrase !== undefined) this.deps.passphraseAccepted?.(where, passphrase);
        key = first as ParsedKey;
        this.parsedKeys.set(cacheKey, first as ParsedKey);
      }
      methods.push({ type: 'publickey', username: hop.user, key } as AuthMethod);
    }
  }
}
