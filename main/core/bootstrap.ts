// Start-up shared by both shells: find the config (creating the commented example on first
// run), build the fleet from it or, when it names no hosts, from the built-in demo the entry
// point hands in (the demo lives in sim/, which the core never imports), and wire the app.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogFile, type Catalog } from './actions/Catalog';
import { alertsSettingsFromConfig } from './config/alertsSettings';
import type { Logger } from '../../common/logger';
import { OpsApp } from './app';
import { hostToolsFromConfig, monitorSettingsFromConfig } from './hosts/hostToolsSettings';
import type { OpsdeckConfig } from './config/configSchema';
import { writeExampleConfig } from './config/exampleConfig';
import { expandHome, loadConfig } from './config/loadConfig';
import { platformPaths } from './config/platformPaths';
import { fleetFromConfig, sshResolverFor, type Fleet } from './fleet';
import type { SshResolver } from './ssh/SshResolver';
import { RunbookLibrary } from './runbooks/RunbookLibrary';
import { fileAuditKey } from './audit/auditKey';
import { PassphraseStore, type SecretCipher } from './ssh/PassphraseStore';

export interface BootstrapOptions {
  /** --config FILE; else $OPSDECK_CONFIG; else the platform's default location */
  readonly configPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly pushWindowMs?: number;
  /** the action catalog; defaults to the bundled resources/actions.yaml */
  readonly catalogPath?: string;
  /**
   * the OS's secret encryption for ssh.rememberPassphrases: Electron's safeStorage in the
   * desktop shell (main/electron/safeStorageCipher.ts); the browser shell has none
   */
  readonly secretCipher?: SecretCipher;
  /**
   * starts the built-in demo fleet, used when the config names no hosts; the shells pass
   * main/demo's startDemoFleetForConsole. Without it a config with no hosts is refused.
   */
  readonly startDemoFleet?: DemoFleetStarter;
  /** test-only: made-up hours of chart history (main/core/health/history/backfillHistory.ts) */
  readonly testHistoryHours?: number;
}

/** What the demo needs from the console: where its state goes, the catalog its hosts emulate, the Hosts view's probes. */
export interface DemoFleetRequest {
  readonly stateDir: string;
  readonly catalog: Catalog;
  readonly hostFacts: { readonly units: readonly string[]; readonly processes: Readonly<Record<string, string>> };
}

export type DemoFleetStarter = (request: DemoFleetRequest) => Promise<Fleet>;

/**
 * The bundled resources/ folder: found by walking up from this module, because the module may
 * be the source file (main/core/), or a bundle chunk (out/main/ or out/main/chunks/).
 */
export function resourcesDir(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 5; depth++) {
    const candidate = new URL('resources/', dir);
    if (existsSync(fileURLToPath(new URL('actions.yaml', candidate)))) return fileURLToPath(candidate);
    dir = new URL('..', dir);
  }
  throw new Error('cannot find the bundled resources/ folder (resources/actions.yaml)');
}

const defaultCatalogPath = (): string => `${resourcesDir()}actions.yaml`;

export async function bootstrap(options: BootstrapOptions): Promise<OpsApp> {
  const env = options.env ?? process.env;
  const paths = platformPaths(process.platform, env, homedir());
  const explicit = options.configPath ?? (env.OPSDECK_CONFIG || undefined);
  const configPath = explicit ?? paths.configFile;
  if (!explicit && (await writeExampleConfig(configPath))) {
    options.logger.info(`wrote a commented example config to ${configPath}`);
  }
  const config: OpsdeckConfig = await loadConfig(configPath);
  await mkdir(paths.stateDir, { recursive: true });

  // one resolver per ssh.configFile, kept across reloads: its cache spares an `ssh -G` per unchanged host
  const resolvers = new Map<string, SshResolver>();
  const resolverOf = async (c: OpsdeckConfig): Promise<SshResolver> => {
    let r = resolvers.get(c.ssh.configFile);
    if (!r) resolvers.set(c.ssh.configFile, (r = await sshResolverFor(c, { logger: options.logger })));
    return r;
  };
  const catalog = await loadCatalogFile(options.catalogPath ?? defaultCatalogPath());
  let fleet: Fleet;
  if (config.hosts.length === 0) {
    if (!options.startDemoFleet) throw new Error(`${configPath}: no hosts are configured, and this shell has no built-in demo fleet to start instead`);
    options.logger.info('no hosts configured: starting the built-in DEMO fleet');
    const { units, processes } = monitorSettingsFromConfig(config);
    fleet = await options.startDemoFleet({ stateDir: paths.stateDir, catalog, hostFacts: { units, processes } });
  } else {
    fleet = await fleetFromConfig(config, { logger: options.logger, resolver: await resolverOf(config) });
  }
  const user = config.user ?? env.OPSDECK_USER ?? safeUserName();
  // Runbooks: the bundled set, then the folders the config names; a bad file is reported, not fatal.
  const runbooks = new RunbookLibrary({
    folders: [
      { path: `${resourcesDir()}runbooks`, source: 'bundled' },
      ...(config.runbooks?.folders ?? []).map((folder) => ({ path: expandHome(folder), source: folder })),
    ],
    catalog,
    logger: options.logger,
  });
  // not awaited: a large folder must not hold up the window; the runbook calls wait for it
  void runbooks.load();
  const auditFile = config.auditFile ? expandHome(config.auditFile) : paths.auditFile;
  const passphraseStore = await rememberedPassphrases(config, options, join(paths.stateDir, PASSPHRASE_FILE));
  const app = new OpsApp({
    fleet,
    alerts: alertsSettingsFromConfig(config),
    hostTools: hostToolsFromConfig(
      config,
      auditFile,
      fleet.deployments.map((deployment) => deployment.id),
      fleet.dashboards,
    ),
    catalog,
    runbooks,
    configPath,
    user,
    auditFile,
    auditKey: fileAuditKey(join(paths.stateDir, AUDIT_KEY_FILE), options.secretCipher),
    maxConcurrency: config.actions.maxConcurrency,
    blastRadius: config.actions.blastRadius,
    logger: options.logger,
    sshConfigPath: expandHome(config.ssh.configFile),
    handshakes: { max: config.ssh.maxConcurrentHandshakes, lagLimitMs: config.ssh.handshakeLagLimitMs },
    // an ssh_config import applies the file's hosts without a restart
    ...(passphraseStore ? { passphraseStore } : {}),
    loadFleet: async () => {
      const next = await loadConfig(configPath);
      return fleetFromConfig(next, { logger: options.logger, resolver: await resolverOf(next) });
    },
    ...(options.pushWindowMs ? { pushWindowMs: options.pushWindowMs } : {}),
    ...(options.testHistoryHours ? { testHistoryHours: options.testHistoryHours } : {}),
  });
  await app.start();
  return app;
}

/** The audit key's file, in the state folder (apart from a log the config puts elsewhere). */
export const AUDIT_KEY_FILE = 'audit.key';

/** The encrypted passphrases' file, in the state folder beside the audit log. */
export const PASSPHRASE_FILE = 'ssh-passphrases.json';

/** ssh.rememberPassphrases only with an OS secret store that can encrypt now; otherwise said why, once. */
async function rememberedPassphrases(config: OpsdeckConfig, options: BootstrapOptions, file: string): Promise<PassphraseStore | undefined> {
  if (!config.ssh.rememberPassphrases) {
    // opting out takes back what an earlier opt-in kept
    if (
      await rm(file).then(
        () => true,
        () => false,
      )
    )
      options.logger.info(`ssh.rememberPassphrases is off: removed the remembered passphrases (${file})`);
    return undefined;
  }
  const cipher = options.secretCipher;
  const why = cipher
    ? cipher.unavailableReason()
    : "this shell has no OS secret store (Electron's safeStorage exists only in the desktop app, not in the browser shell)";
  if (why) {
    options.logger.warn(`ssh.rememberPassphrases is on, but ${why}: key passphrases are kept in memory for this session only`);
    return undefined;
  }
  return new PassphraseStore({ file, cipher: cipher!, logger: options.logger });
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export const consoleLogger: Logger = {
  info: (message) => console.log(`[opsdeck] ${message}`),
  warn: (message) => console.warn(`[opsdeck] warning: ${message}`),
  error: (message, error) => console.error(`[opsdeck] error: ${message}`, error instanceof Error ? error.message : (error ?? '')),
};
