// The session pool's public shapes: what a host is (HostTarget, its ProxyJump hops), what an
// exec takes and returns, and what the pool is given (SessionPoolDeps). Callers import these
// through SessionPool.ts.
import type { Client } from 'ssh2';
import type { Duplex } from 'node:stream';
import type { HostId } from '../../../common/contract';
import type { Clock, Timers } from '../clock';
import type { Logger } from '../../../common/logger';
export type { ExecOptions, ExecResult } from '../hostExec';
/** the pool logs through the app's one logger shape */
export type SshLogger = Logger;

/** How an unknown host key is treated (OpenSSH's StrictHostKeyChecking). A changed key is always refused. */
export type HostKeyPolicy = 'yes' | 'accept-new' | 'ask';

/** One hop before the target (ProxyJump). Same fields as a host, without an id. */
export interface JumpHop {
  address: string;
  port: number;
  user: string;
  privateKey?: string | Buffer;
  privateKeyPath?: string;
  /** more key files to offer after the first, in order (ssh_config's later IdentityFiles) */
  extraPrivateKeyPaths?: string[];
  passphrase?: string;
  agent?: string;
  /** where a newly accepted host key is written (ssh_config's first UserKnownHostsFile) */
  knownHostsPath: string;
  /** known_hosts files looked in after knownHostsPath, in order (the rest of UserKnownHostsFile, then GlobalKnownHostsFile) */
  otherKnownHostsPaths?: string[];
  /** ssh_config's HostKeyAlias: the name host keys are looked up and pinned under, instead of address and port */
  hostKeyAlias?: string;
  /**
   * ssh_config's IdentitiesOnly: the agent's keys are offered only when they match one of these
   * IdentityFiles (its `.pub`, or the private key's public half), as ssh does
   */
  identitiesOnly?: { identityFiles: string[] };
  /** what the host's ssh_config asks for that the console cannot do, one line each (shown on its status) */
  notes?: string[];
  /** why the host could not be resolved (ssh -G refused the config): it is shown failed with this, never connected */
  unresolved?: string;
  hostKeyPolicy?: HostKeyPolicy;
  /**
   * ssh_config's ProxyCommand, tokens already expanded: run locally with /bin/sh, its stdin and
   * stdout are the connection. It comes from the user's own config, as with OpenSSH.
   */
  proxyCommand?: string;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  connectTimeoutMs?: number;
}

export interface HostTarget extends JumpHop {
  id: HostId;
  /** ProxyJump chain, outermost bastion first; each hop's connection is shared by every host behind it */
  jumps?: JumpHop[];
}

export interface HostKeyPrompt {
  hostId: HostId | null;
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

export interface HostKeyQuestion extends HostKeyPrompt {
  kind: 'unknown' | 'changed';
  /** the presented key blob, for pinning it if the user says so */
  key: Buffer;
  knownHostsPath: string;
  /** for a changed key: the pinned lines it does not match */
  expected: { line: number; keyType: string; fingerprint: string }[];
}

export interface SessionPoolDeps {
  clock?: Clock;
  timers?: Timers;
  logger?: SshLogger;
  /** a fresh ssh2 Client per attempt */
  createClient?: () => Client;
  /** the TCP socket to the first hop (TCP_NODELAY on: otherwise every exec waits on delayed ACKs) */
  connectSocket?: (host: string, port: number) => Duplex;
  /** handshakes in flight at once (default 16); the most the adaptive cap grows back to */
  maxConcurrentHandshakes?: number;
  /**
   * While handshakes run, the event loop's lag is sampled; a stall longer than this halves the
   * handshake cap (down to 2) and a quiet stretch raises it again by one, up to the maximum.
   * 0 keeps the cap fixed. Default 100 ms, the delay a person starts to notice.
   */
  handshakeLagLimitMs?: number;
  /** close a connection nothing has used for this long (0: never); the next use reopens it */
  idleCloseMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  /** in [0, 1); the jitter source */
  random?: () => number;
  /** asked once per encrypted key file; the answer is kept in memory only */
  passphrase?: (keyPath: string, hostId: HostId | null) => Promise<string | null>;
  /** told when a passphrase from `passphrase` opened its key (so an opted-in store keeps only good ones) */
  passphraseAccepted?: (keyPath: string, passphrase: string) => void;
  /**
   * keyboard-interactive prompts from a host that demands them (e.g. a one-time code after
   * the key); resolve with one answer per prompt, or null to give up. Never logged.
   */
  keyboardInteractive?: (request: {
    hostId: HostId | null;
    name: string;
    instructions: string;
    prompts: { prompt: string; echo: boolean }[];
  }) => Promise<string[] | null>;
  /** asked when a host key is unknown and the policy is 'ask'; true pins it (TOFU) */
  confirmHostKey?: (prompt: HostKeyPrompt) => Promise<boolean>;
  /**
   * Told (without waiting) about a key the user must decide on: unknown under 'ask' (when
   * confirmHostKey is not given) or changed. The attempt is refused at once, so a person
   * reading a fingerprint never holds a handshake slot or runs into the handshake timeout;
   * after their answer, acceptHostKeyOnce / known_hosts and retryFailed() bring the host up.
   */
  hostKeyQuestion?: (question: HostKeyQuestion) => void;
  readFile?: (path: string) => Promise<Buffer>;
  /**
   * keep one spare session started on every connected host (default true), so a warm exec
   * costs one round trip instead of two; see execWrapper.ts and docs/ssh.md
   */
  spareSessions?: boolean;
  /**
   * A host given a second command within this many ms of the one before keeps two spares
   * instead of one, until this long passes without a command: back-to-back commands then find a
   * spare already started. 0 keeps one spare always. Default 5000.
   */
  busySpareWindowMs?: number;
  /**
   * Text that many commands begin with (the team envelope's read-only body): every spare gets it
   * when it starts, and a command that begins with it is sent to a spare without it, since the
   * spare reads its command one byte at a time (execWrapper.ts). Plain execs send it as it is.
   */
  sparePrelude?: string;
  /**
   * How fast a frozen link is noticed (Liveness.ts): a connection silent for probeMs / 2 gets a
   * keepalive probe at the next look (every probeMs, default 2000; 0 turns it off), and one
   * silent for unresponsiveAfterMs (default 6000) is shown "unresponsive" and the commands on
   * it end. The keepalive (keepaliveIntervalMs x keepaliveCountMax) still decides when the
   * connection is given up and reconnected.
   */
  liveness?: { probeMs?: number; unresponsiveAfterMs?: number };
}
