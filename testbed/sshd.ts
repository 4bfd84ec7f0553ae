// A real OpenSSH server on loopback for integration tests (see docs/testbed.md).
// Everything it needs (config, host key, client key, known_hosts, pid file) lives in a fresh
// temporary folder; nothing on the machine is changed except `mkdir -p /run/sshd`, which
// sshd insists on for privilege separation.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, readFile, rm, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LineSplitter } from '../main/core/lineSplitter';

const run = promisify(execFile);

export const SSHD_BIN = '/usr/sbin/sshd';

export type SshKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface SshdOptions {
  /** host key type; ed25519 unless a test needs another */
  keyType?: SshKeyType;
  /** client key type; ed25519 by default */
  clientKeyType?: SshKeyType;
  /** passphrase for the generated client key (empty: unencrypted) */
  clientKeyPassphrase?: string;
  /** extra sshd_config lines, appended after the fixture's own (sshd: first value wins) */
  extraConfig?: string;
  /** listen address; 127.0.0.1 unless a test needs a second loopback address */
  listenAddress?: string;
  /** a fixed port (e.g. to bring a server back where clients expect it) */
  port?: number;
  /** more public keys to accept (e.g. the client key of another fixture) */
  authorizedKeys?: string[];
  /** run sshd inside this network namespace (`ip netns exec`), e.g. a host behind a bastion */
  netns?: string;
  /**
   * demand keyboard-interactive after the key (AuthenticationMethods publickey,keyboard-interactive),
   * answered by this password through real PAM: a private /etc/pam.d/sshd (bind-mounted in
   * sshd's own mount namespace only) runs pam_exec with the typed answer
   */
  kbdInteractivePassword?: string;
}

export interface Sshd {
  readonly dir: string;
  readonly port: number;
  readonly address: string;
  readonly user: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…`, as OpenSSH writes it to known_hosts */
  hostKeyLine: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it */
  hostKeyFingerprint: string;
  /** path to the host's public key file */
  hostPublicKeyPath: string;
  readonly clientKeyPath: string;
  readonly clientKeyPem: string;
  readonly clientPublicKey: string;
  /** a known_hosts file holding exactly this server's current host key */
  readonly knownHostsPath: string;
  /** pid of the listening sshd (changes on restart) */
  readonly pid: number;
  /** last lines sshd printed (-e), for failure messages */
  log(): string;
  /** kill sshd and every session it holds, then start it again on the same port */
  restart(): Promise<void>;
  /** kill sshd and every session (the port stays closed until start()) */
  kill(): Promise<void>;
  /** start it again after kill() */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT the listener and all its sessions: a link that goes silent */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** generate a new host key and restart; known_hostsPath is NOT updated (that is the point) */
  replaceHostKey(): Promise<{ hostKeyLine: string; hostKeyFingerprint: string }>;
  stop(): Promise<void>;
}

/** n distinct ports the OS calls free right now (for extra `Port` lines; sshd binds at most 16) */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, host, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((srv) => (srv.address() as { port: number }).port);
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function keygen(path: string, type: SshKeyType, passphrase = '', comment = 'opsdeck-test'): Promise<void> {
  const args = ['-q', '-t', type, '-N', passphrase, '-C', comment, '-f', path];
  if (type === 'rsa') args.push('-b', '2048');
  await run('ssh-keygen', args);
}

export async function fingerprintOf(publicKeyPath: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyPath]);
  const fp = stdout.split(' ')[1];
  if (!fp?.startsWith('SHA256:')) throw new Error(`ssh-keygen -l printed no fingerprint: ${stdout}`);
  return fp;
}

/** Every descendant of pid, deepest first, read from /proc (sessions are in their own process groups). */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // the command name may hold spaces and parentheses: fields start after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(name));
      parents.set(ppid, list);
    } catch {
      // process exited while we read
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      walk(child);
      out.push(child);
    }
  };
  walk(pid);
  return out;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

const ALIVE_CHECK_MS = 20;

async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive: number[] = [];
    for (const pid of pids) {
      // a killed process whose parent does not reap it stays a zombie: that counts as gone
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      if (stat && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') alive.push(pid);
    }
    if (!alive.length || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, ALIVE_CHECK_MS));
  }
}

/**
 * Start a loopback sshd. It runs in the foreground (`-D -e`) in a private mount namespace where
 * an empty folder hides /root, so the machine's slow /root/.bashrc does not run on every exec.
 */
export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const address = opts.listenAddress ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-sshd-'));
  const home = join(dir, 'home');
  await mkdir(home);
  await mkdir('/run/sshd', { recursive: true });
  const hostKey = join(dir, 'host_key');
  const clientKeyPath = join(dir, 'client_key');
  const authorizedKeysPath = join(dir, 'authorized_keys');
  const knownHostsPath = join(dir, 'known_hosts');
  const configPath = join(dir, 'sshd_config');
  const pidFile = join(dir, 'sshd.pid');
  const keyType = opts.keyType ?? 'ed25519';
  const pamFile = join(dir, 'pam_sshd');
  if (opts.kbdInteractivePassword !== undefined) {
    await writeFile(join(dir, 'expected'), opts.kbdInteractivePassword);
    await writeFile(join(dir, 'check.sh'), `#!/bin/sh\nIFS= read -r answer\n[ "$answer" = "$(cat '${join(dir, 'expected')}')" ]\n`, { mode: 0o700 });
    // pam_permit in auth too: pam_exec answers setcred with IGNORE, and a stack of only
    // IGNOREs fails pam_setcred ("Permission denied") after a good login
    await writeFile(
      pamFile,
      [
        `auth required pam_exec.so expose_authtok quiet ${join(dir, 'check.sh')}`,
        'auth optional pam_permit.so',
        'account required pam_permit.so',
        'session required pam_permit.so',
        '',
      ].join('\n'),
    );
  } else {
    await writeFile(pamFile, '');
  }
  const kbd = opts.kbdInteractivePassword !== undefined;
  await Promise.all([
    keygen(hostKey, keyType, '', 'opsdeck-test-host'),
    keygen(clientKeyPath, opts.clientKeyType ?? 'ed25519', opts.clientKeyPassphrase ?? ''),
  ]);
  const clientPublicKey = (await readFile(`${clientKeyPath}.pub`, 'utf8')).trim();
  await writeFile(authorizedKeysPath, [clientPublicKey, ...(opts.authorizedKeys ?? [])].join('\n') + '\n');
  const clientKeyPem = await readFile(clientKeyPath, 'utf8');

  // inside another namespace the host cannot probe for a free port: any high port is free there
  const pickPort = () => (opts.netns ? 20_000 + Math.floor(Math.random() * 40_000) : freePort(address));
  let port = opts.port ?? (await pickPort());
  let child: ChildProcess | null = null;
  let logLines: string[] = [];

  const writeConfig = () =>
    writeFile(
      configPath,
      [
        // Port before anything else: sshd binds a bare ListenAddress to the Ports read before it
        `Port ${port}`,
        // extra lines next: for most keywords sshd keeps the first value it reads
        opts.extraConfig ?? '',
        `ListenAddress ${address}`,
        `HostKey ${hostKey}`,
        `PidFile ${pidFile}`,
        `AuthorizedKeysFile ${authorizedKeysPath}`,
        kbd ? 'UsePAM yes' : 'UsePAM no',
        ...(kbd ? ['AuthenticationMethods publickey,keyboard-interactive'] : []),
        'StrictModes no',
        'PasswordAuthentication no',
        kbd ? 'KbdInteractiveAuthentication yes' : 'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin yes',
        'UseDNS no',
        'MaxSessions 100',
        'MaxStartups 100:30:200',
        'MaxAuthTries 10',
        'AllowTcpForwarding yes',
        'LogLevel INFO',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );

  const hostLine = async () => {
    const pub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ');
    const name = port === 22 ? address : `[${address}]:${port}`;
    return `${name} ${pub[0]} ${pub[1]}`;
  };

  const launch = async (): Promise<void> => {
    await writeConfig();
    try {
      await run(SSHD_BIN, ['-t', '-f', configPath]);
    } catch (err) {
      throw new Error(`sshd -t rejected ${configPath}: ${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
    logLines = [];
    // "$1"/"$2" are positional arguments: no path is ever pasted into the script text
    const script = kbd
      ? 'mount --bind "$1" /root && mount --bind "$4" /etc/pam.d/sshd && exec "$2" -D -e -f "$3"'
      : 'mount --bind "$1" /root && exec "$2" -D -e -f "$3"';
    const inner = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh', home, SSHD_BIN, configPath, pamFile];
    const argv = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...inner] : inner;
    const proc = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      const stderr = new LineSplitter();
      const onData = (chunk: Buffer) => {
        for (const { text: line } of stderr.push(chunk.toString('utf8'))) {
          logLines.push(line);
          if (logLines.length > 200) logLines.shift();
          // with extra Port lines sshd binds several ports: wait for ours
          if (line.includes(`Server listening on ${address} port ${port}.`)) resolve();
        }
      };
      proc.stderr!.on('data', onData);
      proc.once('exit', (code, signal) =>
        reject(new Error(`sshd exited (${code ?? signal}) before listening:\n${logLines.join('\n')}${stderr.end()?.text ?? ''}`)),
      );
      proc.once('error', reject);
    });
  };

  const start = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await launch();
        return;
      } catch (err) {
        // another process may take the port between freePort() and sshd's bind: pick again
        if (attempt < 5 && !opts.port && /Address already in use/.test(String(err))) {
          port = await pickPort();
          continue;
        }
        throw err;
      }
    }
  };

  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
    // sshd first, then what it started (descendants lists children before their parents):
    // killed the other way round, a session's sshd could see its command die and report an exit
    // signal for it before its own KILL landed, which is not what a killed sshd looks like
    const all = [proc.pid, ...(await descendants(proc.pid)).reverse()];
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    signalAll(all, 'SIGCONT');
    signalAll(all, 'SIGKILL');
    await exited;
    await waitGone(all, 2000);
  };

  const signalTree = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc?.pid) throw new Error('sshd is not running');
    signalAll([proc.pid, ...(await descendants(proc.pid))], signal);
  };

  await start();
  const firstLine = await hostLine();
  await writeFile(knownHostsPath, firstLine + '\n');

  const sshd: Sshd = {
    dir,
    get port() {
      return port;
    },
    address,
    user: userInfo().username,
    hostKeyLine: firstLine,
    hostKeyFingerprint: await fingerprintOf(`${hostKey}.pub`),
    hostPublicKeyPath: `${hostKey}.pub`,
    clientKeyPath,
    clientKeyPem,
    clientPublicKey,
    knownHostsPath,
    get pid() {
      return child?.pid ?? 0;
    },
    log: () => logLines.join('\n'),
    restart: async () => {
      await kill();
      await start();
    },
    kill,
    start,
    freeze: () => signalTree('SIGSTOP'),
    thaw: () => signalTree('SIGCONT'),
    replaceHostKey: async () => {
      await kill();
      await rm(hostKey, { force: true });
      await rm(`${hostKey}.pub`, { force: true });
      await keygen(hostKey, keyType, '', 'opsdeck-test-host');
      await start();
      sshd.hostKeyLine = await hostLine();
      sshd.hostKeyFingerprint = await fingerprintOf(`${hostKey}.pub`);
      return { hostKeyLine: sshd.hostKeyLine, hostKeyFingerprint: sshd.hostKeyFingerprint };
    },
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return sshd;
}
