// The test fleet as tests and benches see it: real Debian hosts (systemd-nspawn) on the
// opsd-br0 bridge, each running sshd, the autotrader units and Redis. fleet.sh does the
// privileged work; this module starts it, hands back what a client needs (addresses, key,
// known_hosts) and makes sure no host outlives the process that started it.
// See docs/testbed.md.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The repository root (fleet.ts lives in testbed/). */
export const REPO_ROOT = resolve(HERE, '..');
export const FLEET_SCRIPT = join(HERE, 'fleet.sh');
export const DEFAULT_SIM_DIR = join(REPO_ROOT, 'out', 'sim');
export const SIM_BUNDLE_NAME = 'autotrader-sim.mjs';

export interface FleetHost {
  /** host name, also what `hostname` prints inside: `${fleet}-${n}` */
  readonly name: string;
  /** the host's address on the bridge, reachable from the machine (10.77.0.x) */
  readonly address: string;
  readonly sshPort: number;
  /** `10.77.0.x ssh-ed25519 AAAA…`, as OpenSSH writes it to known_hosts */
  readonly hostKeyLine: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it */
  readonly hostKeyFingerprint: string;
  /** the simulator's health API on the host (port 8000, reachable from the machine) */
  readonly healthUrl: string;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  /** exit code, or null when the command was killed (timeout) */
  readonly code: number | null;
}

export interface ExecOptions {
  /** default 30 s; the command is killed after it */
  timeoutMs?: number;
  /** written to the command's stdin */
  input?: string;
}

export interface StartFleetOptions {
  /** number of hosts, 1 to 50 */
  hosts: number;
  /** fleet name: 1-16 of [a-z0-9], starting with a letter; unique among running fleets */
  name: string;
  /** folder with autotrader-sim.mjs; default out/sim, built with `npm run build:sim` if missing */
  simDir?: string;
  /** extra simulator flags for every host (letters, digits, spaces and _.,=:/- only) */
  simArgs?: readonly string[];
  /** node binary bind-mounted into the hosts; default: the one running this process */
  nodeBinary?: string;
}

export interface Fleet {
  readonly name: string;
  readonly hosts: readonly FleetHost[];
  readonly user: 'root';
  /** the fleet's client key (ed25519, no passphrase), authorized for root on every host */
  readonly privateKeyPath: string;
  /** known_hosts holding every host's key under its address */
  readonly knownHostsPath: string;
  host(name: string): FleetHost;
  /** runs a command inside the host (nsenter: works while sshd is down); a string goes to sh -c */
  exec(hostName: string, command: string | readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * OpenSSH client arguments (before the command) that reach the host with the fleet key and
   * strict host key checking; `via` connects through a proxy or forward (e.g. the delay proxy)
   * while still checking the host's own key.
   */
  sshArgs(hostName: string, options?: { via?: { host: string; port: number } }): string[];
  /** runs a command over a real OpenSSH connection */
  ssh(hostName: string, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** powers the host off (clean shutdown), or pulls the plug with `{ kill: true }`; its disk stays */
  stopHost(hostName: string, options?: { kill?: boolean }): Promise<void>;
  /** boots a stopped host again (same disk, address and keys) and waits until it has booted */
  startHost(hostName: string): Promise<void>;
  /** stops sshd on the host (existing sessions stay, as with systemctl stop ssh on a real host) */
  stopSshd(hostName: string): Promise<void>;
  startSshd(hostName: string): Promise<void>;
  /** powers every host off and removes the fleet's namespaces, links, mounts and files */
  stop(): Promise<void>;
}

interface FleetJson {
  name: string;
  stateDir: string;
  privateKeyPath: string;
  knownHostsPath: string;
  hosts: { name: string; address: string; sshPort: number; hostKeyLine: string }[];
}

const FLEET_NAME = /^[a-z][a-z0-9]{0,15}$/;
const SIM_ARG = /^[A-Za-z0-9_.,=:/-]+$/;

/** Runs a program without a shell; never throws for a non-zero exit. */
export function runProcess(command: string, args: readonly string[], options: ExecOptions & { cwd?: string } = {}): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // SIGTERM first, so fleet.sh's trap can tear down what it built; SIGKILL if that hangs.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, options.timeoutMs ?? 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code });
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
  });
}

async function runScript(args: readonly string[], timeoutMs: number): Promise<string> {
  const result = await runProcess('bash', [FLEET_SCRIPT, ...args], { timeoutMs });
  if (result.code !== 0) {
    const why = result.code === null ? `timed out after ${timeoutMs} ms` : `exited with ${result.code}`;
    throw new Error(`fleet.sh ${args.join(' ')} ${why}:\n${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** `SHA256:` + unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -l` prints it. */
export function fingerprintOfKeyLine(line: string): string {
  const blob = line.trim().split(/\s+/)[2];
  if (!blob) throw new Error(`not a known_hosts line: ${line}`);
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** Resolves once something at address:port sends an SSH banner. */
export async function waitForSshBanner(address: string, port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect({ host: address, port, noDelay: true });
      const finish = (result: boolean) => {
        socket.destroy();
        done(result);
      };
      socket.setTimeout(1000, () => finish(false));
      socket.once('error', () => finish(false));
      socket.once('data', (chunk: Buffer) => finish(chunk.toString('latin1').startsWith('SSH-')));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no SSH banner from ${address}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Makes sure the simulator bundle exists in `simDir`, building the default one with
 * `npm run build:sim` under a lock (test files start fleets concurrently).
 */
export async function ensureSimBundle(simDir: string = DEFAULT_SIM_DIR): Promise<string> {
  const bundle = join(simDir, SIM_BUNDLE_NAME);
  if (existsSync(bundle)) return bundle;
  if (resolve(simDir) !== DEFAULT_SIM_DIR) throw new Error(`simulator bundle ${bundle} does not exist`);
  const result = await runProcess('flock', ['/tmp/opsdeck-sim-build.lock', 'sh', '-c', `test -f "$1" || npm run --silent build:sim`, 'sh', bundle], {
    cwd: REPO_ROOT,
    timeoutMs: 180_000,
  });
  if (result.code !== 0 || !existsSync(bundle)) {
    throw new Error(`npm run build:sim did not produce ${bundle}:\n${result.stdout}${result.stderr}`);
  }
  return bundle;
}

// Fleets still up in this process, torn down synchronously if the process exits without stop().
// A watchdog started by fleet.sh covers deaths no handler sees (SIGKILL, worker threads).
const live = new Set<string>();
let handlersInstalled = false;

function downSync(name: string): void {
  spawnSync('bash', [FLEET_SCRIPT, 'down', name], { stdio: 'ignore', timeout: 30_000 });
  live.delete(name);
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', () => {
    for (const name of [...live]) downSync(name);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      for (const name of [...live]) downSync(name);
      process.removeListener(signal, handler);
      // Re-raise only if nobody else handles it, so the default (exit) still happens.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}

/** Boots a fleet of real hosts; resolves once every host has booted and answers on SSH. */
export async function startFleet(options: StartFleetOptions): Promise<Fleet> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('startFleet needs root (network namespaces, overlay mounts, systemd-nspawn)');
  }
  if (!FLEET_NAME.test(options.name)) {
    throw new Error(`invalid fleet name ${JSON.stringify(options.name)}: 1-16 of [a-z0-9], starting with a letter`);
  }
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > 50) {
    throw new Error(`invalid host count ${options.hosts}: an integer from 1 to 50`);
  }
  const badArg = options.simArgs?.find((arg) => !SIM_ARG.test(arg));
  if (badArg !== undefined) throw new Error(`invalid simulator argument ${JSON.stringify(badArg)}`);
  const simDir = resolve(options.simDir ?? DEFAULT_SIM_DIR);
  await ensureSimBundle(simDir);

  // Leftovers of crashed runs (owner gone) would hold addresses or the name.
  await runScript(['cleanup'], 60_000);
  installExitHandlers();
  live.add(options.name);
  let json: FleetJson;
  try {
    const args = ['up', options.name, String(options.hosts), '--owner-pid', String(process.pid), '--sim-dir', simDir];
    args.push('--node', options.nodeBinary ?? process.execPath);
    if (options.simArgs?.length) args.push('--sim-args', options.simArgs.join(' '));
    // A first run on a fresh machine also runs debootstrap (about 70 s).
    json = JSON.parse(await runScript(args, 600_000)) as FleetJson;
  } catch (error) {
    live.delete(options.name);
    throw error;
  }
  return createFleet(json);
}

function createFleet(json: FleetJson): Fleet {
  const hosts: FleetHost[] = json.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    sshPort: h.sshPort,
    hostKeyLine: h.hostKeyLine,
    hostKeyFingerprint: fingerprintOfKeyLine(h.hostKeyLine),
    healthUrl: `http://${h.address}:8000`,
  }));
  let stopped = false;

  const host = (name: string): FleetHost => {
    const found = hosts.find((h) => h.name === name);
    if (!found) throw new Error(`fleet ${json.name} has no host ${JSON.stringify(name)} (hosts: ${hosts.map((h) => h.name).join(', ')})`);
    return found;
  };

  const sshArgs = (hostName: string, options: { via?: { host: string; port: number } } = {}): string[] => {
    const h = host(hostName);
    const via = options.via;
    return [
      '-i',
      json.privateKeyPath,
      '-p',
      String(via ? via.port : h.sshPort),
      ...(via ? ['-o', `HostKeyAlias=${h.address}`] : []),
      '-F',
      '/dev/null',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${json.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UpdateHostKeys=no',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      `root@${via ? via.host : h.address}`,
    ];
  };

  return {
    name: json.name,
    hosts,
    user: 'root',
    privateKeyPath: json.privateKeyPath,
    knownHostsPath: json.knownHostsPath,
    host,
    sshArgs,
    exec: async (hostName, command, options = {}) => {
      host(hostName);
      const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
      return runProcess('bash', [FLEET_SCRIPT, 'exec', json.name, hostName, '--', ...argv], options);
    },
    ssh: async (hostName, command, options = {}) => runProcess('ssh', [...sshArgs(hostName), command], options),
    stopHost: async (hostName, options = {}) => {
      host(hostName);
      await runScript(['stop-host', json.name, hostName, ...(options.kill ? ['--kill'] : [])], 60_000);
    },
    startHost: async (hostName) => {
      host(hostName);
      await runScript(['start-host', json.name, hostName], 120_000);
    },
    stopSshd: async (hostName) => {
      const result = await runProcess('bash', [FLEET_SCRIPT, 'exec', json.name, hostName, '--', 'systemctl', 'stop', 'ssh.service']);
      if (result.code !== 0) throw new Error(`stopping sshd on ${hostName} failed: ${result.stderr.trim()}`);
    },
    startSshd: async (hostName) => {
      const h = host(hostName);
      const result = await runProcess('bash', [FLEET_SCRIPT, 'exec', json.name, hostName, '--', 'systemctl', 'start', 'ssh.service']);
      if (result.code !== 0) throw new Error(`starting sshd on ${hostName} failed: ${result.stderr.trim()}`);
      await waitForSshBanner(h.address, h.sshPort);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await runScript(['down', json.name], 60_000);
      } finally {
        live.delete(json.name);
      }
    },
  };
}
