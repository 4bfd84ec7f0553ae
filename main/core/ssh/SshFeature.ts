// The SSH calls in one place: the ssh_config import picker, the import itself, and the
// passphrase / host-key questions between the session pool and the views.
import type { CallHandlers, HostId } from '../../../common/contract';
import { OpsFailure } from '../../../common/result';
import type { Logger } from '../../../common/logger';
import type { EventHub } from '../bridge/EventHub';
import { loadConfig } from '../config/loadConfig';
import { importSshHosts } from './importSshHosts';
import type { SessionPool, SessionPoolDeps } from './SessionPool';
import type { SshConfigEnv } from './sshConfigEnv';
import { listSshConfigHosts } from './sshConfigHosts';
import { SshResolver } from './SshResolver';
import { SshPrompts, type SshPromptsDeps } from './SshPrompts';

export interface SshFeatureDeps {
  hub: EventHub;
  /** the Opsdeck YAML config (null: none, import is refused) */
  configPath: string | null;
  /** the ssh_config every host resolves through (already ~-expanded) */
  sshConfigPath: string;
  sshEnv?: Pick<SshConfigEnv, 'homeDir' | 'readFile' | 'readDir'>;
  /** resolves the picker's hosts (the fleet's own: `ssh -G` where a client exists); default in process, as `ssh -F sshConfigPath` */
  resolver?: SshResolver;
  randomHex: (bytes: number) => string;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** applies the config's hosts to the running console (OpsApp.reloadFleet); absent: restart needed */
  reloadFleet?: () => Promise<{ restartNeeded: string | null }>;
  /**
   * the running fleet's built-in demo deployments (none on a configured fleet): they live in no
   * config file, so an import aimed at one is refused by name
   */
  demoDeployments?: () => ReadonlyArray<{ readonly id: string; readonly name: string }>;
  /** ssh.rememberPassphrases on and an OS secret store available (desktop shell): bootstrap builds it */
  passphraseStore?: SshPromptsDeps['store'];
}

type SshHandlers = Pick<CallHandlers, 'listSshConfigHosts' | 'importSshHosts' | 'listSshPrompts' | 'answerSshPrompt' | 'connectHost'>;

export class SshFeature {
  readonly prompts: SshPrompts;
  readonly handlers: SshHandlers;
  private pool: SessionPool | null = null;
  private resolver: SshResolver | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: SshFeatureDeps) {
    this.prompts = new SshPrompts({
      emit: (prompts) => deps.hub.emit('onSshPrompt', { prompts }),
      newId: () => `sshp-${deps.randomHex(8)}`,
      acceptHostKeyOnce: (address, port, key) => this.pool?.acceptHostKeyOnce(address, port, key),
      retryFailed: () => this.pool?.retryFailed(),
      logger: deps.logger,
      ...(deps.passphraseStore ? { store: deps.passphraseStore } : {}),
    });
    this.handlers = {
      listSshConfigHosts: () => this.listHosts(),
      importSshHosts: async (request) => {
        const configPath = this.requireConfig();
        const demo = request.deploymentId ? deps.demoDeployments?.().find((d) => d.id === request.deploymentId) : undefined;
        if (demo)
          throw new OpsFailure(
            'bad-request',
            `"${demo.name}" (${demo.id}) is the built-in demo deployment: it is not in ${configPath} and takes no hosts; import them without a deployment and they replace the demo on the next start`,
          );
        const known = new Set((await this.listHosts()).hosts.map((h) => h.alias));
        const unknown = request.aliases.filter((a) => !known.has(a));
        if (unknown.length) throw new OpsFailure('not-found', `not a Host alias in ${deps.sshConfigPath}: ${unknown.join(', ')}`);
        const result = await importSshHosts(configPath, { aliases: request.aliases, ...(request.deploymentId ? { deploymentId: request.deploymentId } : {}) });
        deps.logger.info(`imported ${result.added.length} host(s) from ${deps.sshConfigPath} into ${configPath}`);
        // the file is written either way; a reload that fails leaves the hosts for the next start
        const reload = deps.reloadFleet
          ? await deps.reloadFleet().catch((err: Error) => ({ restartNeeded: `the config could not be applied now (${err.message})` }))
          : { restartNeeded: 'this console applies the config on its next start' };
        const note = reload.restartNeeded ? `Restart the console to connect to them: ${reload.restartNeeded}.` : 'They are connecting now.';
        return {
          added: result.added.map((a) => ({ alias: a.alias, hostId: a.hostId as HostId })),
          configPath,
          backupPath: result.backupPath,
          restartNeeded: !!reload.restartNeeded,
          note,
        };
      },
      listSshPrompts: async () => ({ prompts: this.prompts.list() }),
      answerSshPrompt: (request) => this.prompts.answer(request),
      connectHost: async ({ hostId }) => this.connectHost(hostId),
    };
  }

  /** What the pool needs from here; pass into its constructor, then attach(). */
  poolDeps(): Pick<SessionPoolDeps, 'passphrase' | 'passphraseAccepted' | 'hostKeyQuestion'> {
    return { passphrase: this.prompts.passphrase, passphraseAccepted: this.prompts.passphraseAccepted, hostKeyQuestion: this.prompts.hostKeyQuestion };
  }

  attach(pool: SessionPool): void {
    this.pool = pool;
    // a wrong passphrase asks again (the prompt says it was wrong); refusing ends it
    this.unsubscribe = pool.onState((s) => {
      const wrong = s.state === 'failed' && s.error ? /wrong passphrase for key (.+)$/.exec(s.error) : null;
      if (!wrong) return;
      void this.prompts.wrongPassphrase(wrong[1]!).then(() => pool.connect(s.hostId).catch(() => {}));
    });
  }

  /**
   * Retry / Connect from the views: a host failed on a refused key, a cancelled or mistyped
   * passphrase or a refused host key is tried again now, and those questions are asked again.
   */
  connectHost(hostId: HostId): { started: boolean } {
    const pool = this.pool;
    if (!pool) throw new OpsFailure('unavailable', 'SSH is not started yet');
    let hops: ReturnType<SessionPool['hopsOf']>;
    try {
      hops = pool.hopsOf(hostId);
    } catch {
      throw new OpsFailure('not-found', `no host "${hostId}"`);
    }
    this.prompts.forgetRefusals(hops);
    const started = pool.retry(hostId);
    if (started) this.deps.logger.info(`ssh ${hostId}: connect asked for by the user`);
    return { started };
  }

  close(): void {
    this.unsubscribe?.();
    this.prompts.dispose();
  }

  private requireConfig(): string {
    if (!this.deps.configPath) throw new OpsFailure('unavailable', 'no Opsdeck config file to import into');
    return this.deps.configPath;
  }

  private async listHosts() {
    const { sshConfigPath, sshEnv } = this.deps;
    let entries: Awaited<ReturnType<typeof listSshConfigHosts>>;
    try {
      entries = await listSshConfigHosts(sshConfigPath, sshEnv ?? {});
    } catch (err) {
      throw new OpsFailure('not-found', (err as Error).message);
    }
    let inFleet = new Set<string>();
    if (this.deps.configPath) {
      // the file, not the running fleet: hosts imported since start-up count as in it
      const config = await loadConfig(this.deps.configPath).catch(() => null);
      inFleet = new Set((config?.hosts ?? []).flatMap((h) => (h.sshAlias ? [h.sshAlias] : [])));
    }
    const hosts = await Promise.all(
      entries.map(async (e) => {
        try {
          this.resolver ??= this.deps.resolver ?? new SshResolver({ files: { user: sshConfigPath, system: null }, ssh: null, env: sshEnv ?? {} });
          const r = await this.resolver.resolve(e.alias);
          return { alias: e.alias, hostName: r.hostName, user: r.user, port: r.port, groups: e.groups, inFleet: inFleet.has(e.alias), error: null };
        } catch (err) {
          return { alias: e.alias, hostName: '', user: '', port: 22, groups: e.groups, inFleet: inFleet.has(e.alias), error: (err as Error).message };
        }
      }),
    );
    return { configFile: sshConfigPath, hosts };
  }
}
