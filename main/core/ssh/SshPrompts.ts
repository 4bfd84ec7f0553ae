// The questions SSH asks a person: a key's passphrase, an unknown host key, a changed host key.
// Secrets flow one way: a passphrase arrives in answer() and goes only to the pool's waiting
// callback (which keeps it in memory); no prompt, event or log line ever holds one.
import type { HostId, SshPrompt } from '../../../common/contract';
import type { Logger } from '../../../common/logger';
import { appendKnownHost, replaceKnownHost } from './knownHosts';
import type { PassphraseStore } from './PassphraseStore';
import type { HostKeyQuestion } from './SessionPool';

export interface SshPromptsDeps {
  /** pushes the whole list of open prompts to every view */
  emit: (prompts: SshPrompt[]) => void;
  /** `sshp-` + 16 hex */
  newId: () => string;
  acceptHostKeyOnce: (address: string, port: number, key: Buffer) => void;
  retryFailed: () => void;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** only when the user opted in (ssh.rememberPassphrases) and the OS can encrypt: passphrases kept between sessions */
  store?: Pick<PassphraseStore, 'get' | 'set' | 'forget'>;
}

export type SshAnswer = { promptId: string; passphrase?: string; decision?: 'accept-once' | 'trust' | 'refuse' | 'replace'; typedHost?: string };

interface Open {
  prompt: SshPrompt;
  /** dedupe key: one question per key file / host key at a time */
  key: string;
  resolvePassphrase?: (answer: string | null) => void;
  question?: HostKeyQuestion;
}

export class SshPrompts {
  private readonly open = new Map<string, Open>();
  private readonly waiting = new Map<string, Promise<string | null>>();
  private readonly failedKeys = new Set<string>();
  /** what the user refused: not asked again this session (host tools retry every few seconds) */
  private readonly refused = new Set<string>();
  /** key files whose passphrase came from the store on the last try (a wrong one is dropped, not blamed on the user) */
  private readonly fromStore = new Set<string>();

  constructor(private readonly deps: SshPromptsDeps) {}

  list(): SshPrompt[] {
    return [...this.open.values()].map((o) => o.prompt);
  }

  /** SessionPool's passphrase callback: one prompt per key file however many hosts wait on it. */
  passphrase = (keyPath: string, hostId: HostId | null): Promise<string | null> => {
    const pending = this.waiting.get(keyPath);
    if (pending) return pending;
    if (this.refused.has(`passphrase\0${keyPath}`)) return Promise.resolve(null);
    const ask = () =>
      new Promise<string | null>((resolve) => {
        const prompt: SshPrompt = {
          promptId: this.deps.newId(),
          kind: 'passphrase',
          hostId,
          keyPath,
          retry: this.failedKeys.has(keyPath),
          remember: !!this.deps.store,
        };
        this.add({ prompt, key: `passphrase\0${keyPath}`, resolvePassphrase: resolve });
      });
    const answer = (async () => {
      const store = this.deps.store;
      const remembered = store ? await store.get(keyPath).catch(() => null) : null;
      if (remembered !== null) {
        this.fromStore.add(keyPath);
        return remembered;
      }
      this.fromStore.delete(keyPath);
      return ask();
    })().finally(() => this.waiting.delete(keyPath));
    this.waiting.set(keyPath, answer);
    return answer;
  };

  /**
   * The pool says a wrong passphrase was given: the next prompt for this key says so. A
   * remembered one that no longer opens the key (its passphrase was changed) is dropped and the
   * user is asked as if for the first time.
   */
  async wrongPassphrase(keyPath: string): Promise<void> {
    if (this.fromStore.delete(keyPath)) {
      this.deps.logger.warn(`ssh: the remembered passphrase no longer opens ${keyPath}; forgetting it and asking again`);
      await this.deps.store?.forget(keyPath).catch((err: Error) => this.deps.logger.warn(`ssh: cannot forget the passphrase of ${keyPath}: ${err.message}`));
      return;
    }
    this.failedKeys.add(keyPath);
  }

  /** SessionPool's passphraseAccepted hook: a passphrase that opened its key is remembered, if the user opted in. */
  passphraseAccepted = (keyPath: string, passphrase: string): void => {
    const store = this.deps.store;
    if (!store || this.fromStore.has(keyPath)) return;
    store.set(keyPath, passphrase).then(
      () => this.deps.logger.info(`ssh: passphrase for ${keyPath} remembered, encrypted by the OS secret store`),
      (err: Error) => this.deps.logger.warn(`ssh: cannot remember the passphrase of ${keyPath}: ${err.message}`),
    );
  };

  /**
   * The user asked to connect a host again: what they cancelled or refused on its way (a key's
   * passphrase, a host key of any hop) is asked again rather than refused from memory.
   */
  forgetRefusals(hops: { address: string; port: number; keyPaths: string[] }[]): void {
    for (const hop of hops) {
      for (const path of hop.keyPaths) this.refused.delete(`passphrase\0${path}`);
      for (const kind of ['unknown', 'changed']) {
        const prefix = `${kind}\0${hop.address}\0${hop.port}\0`;
        for (const key of this.refused) if (key.startsWith(prefix)) this.refused.delete(key);
      }
    }
  }

  /** SessionPool's hostKeyQuestion hook. */
  hostKeyQuestion = (q: HostKeyQuestion): void => {
    const key = `${q.kind}\0${q.address}\0${q.port}\0${q.fingerprint}`;
    if (this.refused.has(key) || [...this.open.values()].some((o) => o.key === key)) return;
    const base = {
      promptId: this.deps.newId(),
      hostId: q.hostId,
      host: q.address,
      port: q.port,
      keyType: q.keyType,
      fingerprint: q.fingerprint,
      knownHostsPath: q.knownHostsPath,
    };
    const prompt: SshPrompt = q.kind === 'unknown' ? { ...base, kind: 'host-key-unknown' } : { ...base, kind: 'host-key-changed', expected: q.expected };
    this.add({ prompt, key, question: q });
  };

  async answer(a: SshAnswer): Promise<{ accepted: boolean; message: string }> {
    const o = this.open.get(a.promptId);
    if (!o) return { accepted: false, message: 'this question is no longer open (answered elsewhere or the host is gone)' };
    const p = o.prompt;
    if (p.kind === 'passphrase') {
      if (a.decision === 'refuse') {
        this.refused.add(o.key);
        this.close(o);
        o.resolvePassphrase!(null);
        return { accepted: true, message: `no passphrase given for ${p.keyPath}` };
      }
      if (a.passphrase === undefined || a.decision !== undefined)
        return { accepted: false, message: 'a passphrase prompt takes a passphrase (or decision "refuse")' };
      this.close(o);
      this.failedKeys.delete(p.keyPath);
      o.resolvePassphrase!(a.passphrase);
      return { accepted: true, message: `passphrase for ${p.keyPath} kept in memory for this session` };
    }
    if (a.passphrase !== undefined) return { accepted: false, message: 'a host-key question takes no passphrase' };
    const q = o.question!;
    const where = `${p.host}:${p.port}`;
    if (a.decision === 'refuse') {
      this.refused.add(o.key);
      this.close(o);
      this.deps.logger.warn(
        `ssh: the user refused the ${p.kind === 'host-key-changed' ? 'changed' : 'unknown'} host key ${p.keyType} ${p.fingerprint} of ${where}`,
      );
      return { accepted: true, message: `refused ${where}: it stays disconnected` };
    }
    if (p.kind === 'host-key-unknown') {
      if (a.decision === 'accept-once') {
        this.deps.acceptHostKeyOnce(q.address, q.port, q.key);
      } else if (a.decision === 'trust') {
        await appendKnownHost(q.knownHostsPath, q.address, q.port, q.key);
      } else {
        return { accepted: false, message: 'an unknown host key takes "accept-once", "trust" or "refuse"' };
      }
      this.close(o);
      this.deps.logger.warn(
        `ssh: the user ${a.decision === 'trust' ? `trusted (pinned in ${q.knownHostsPath})` : 'accepted for this session'} the host key ${p.keyType} ${p.fingerprint} of ${where}`,
      );
      this.deps.retryFailed();
      return { accepted: true, message: a.decision === 'trust' ? `pinned in ${q.knownHostsPath}` : 'accepted for this session only' };
    }
    // a changed key: the only way through is the host name typed exactly, checked here and not
    // only in the page, so a hostile or buggy view cannot click past it
    if (a.decision !== 'replace') return { accepted: false, message: 'a changed host key takes "replace" (with the host name typed) or "refuse"' };
    if (a.typedHost !== p.host) return { accepted: false, message: `the typed name does not match ${p.host}: the key stays refused` };
    await replaceKnownHost(q.knownHostsPath, q.address, q.port, q.key);
    this.close(o);
    this.deps.logger.warn(`ssh: the user replaced the pinned host key of ${where} with ${p.keyType} ${p.fingerprint} in ${q.knownHostsPath}`);
    this.deps.retryFailed();
    return { accepted: true, message: `replaced the pinned key in ${q.knownHostsPath}` };
  }

  /** On shutdown: nobody will answer, so the pool's waits end now. */
  dispose(): void {
    for (const o of this.open.values()) o.resolvePassphrase?.(null);
    this.open.clear();
  }

  private add(o: Open): void {
    this.open.set(o.prompt.promptId, o);
    this.deps.emit(this.list());
  }

  private close(o: Open): void {
    this.open.delete(o.prompt.promptId);
    this.deps.emit(this.list());
  }
}
