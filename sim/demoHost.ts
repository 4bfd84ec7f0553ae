import { createHash, timingSafeEqual } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel } from 'ssh2';
import { silentLogger, type Logger } from '../common/logger';
import { systemClock, type Clock } from './clock';
import { runDemoCommand } from './demoCommand';
import { DEMO_SECRETS, DemoHostModel, type DemoHostFactsScript } from './demoHostModel';
import { runDemoShell } from './demoShell';
import type { ScenarioName } from './scenarios';
import { startSimServer, type SimServer } from './simServer';
import { generateEd25519KeyPair } from './sshKeys';

// ssh2 is CommonJS: its named exports are only reachable through the default import under ESM.
const { Server, utils } = ssh2;

/** Inside a demo host the health API listens where it does on a real one: localhost:8000. */
export const DEMO_API_PORT = 8000;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1']);

export interface DemoFleetOptions {
  /** number of demo hosts (1..20), all in one deployment served by one simulator */
  hosts?: number;
  /** cycle the simulator through the runbook-area scenarios, seconds each */
  cycleSeconds?: number | null;
  scenario?: ScenarioName;
  clock?: Clock;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** how often running units write a journal line (ms); 0 turns it off */
  journalIntervalMs?: number;
  /**
   * the console's catalog scripts by name (action id, `<id>:precheck`): the demo hosts answer
   * exactly these texts (sim/demoScripts.ts); without them every catalog script exits 127
   */
  scripts?: ReadonlyMap<string, string>;
  /**
   * the console's host facts script (main/core/hosts/hostFactsScript.ts) and what it was made
   * from: the demo hosts answer exactly this text (sim/demoHostFacts.ts); any other facts script,
   * or all of them without this, exits 127
   */
  hostFacts?: DemoHostFactsScript;
}

export interface DemoHostInfo {
  /** e.g. demo-1: also its hostname */
  id: string;
  label: string;
  address: '127.0.0.1';
  port: number;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…`: a known_hosts line for this run's host key */
  hostKeyLine: string;
  /** `SHA256:…` as OpenSSH prints it */
  hostKeyFingerprint: string;
}

export interface DemoFleet {
  hosts: DemoHostInfo[];
  /** OpenSSH-format private key (PEM armour) the demo hosts accept; made fresh each run */
  clientKeyPem: string;
  clientPublicKey: string;
  /** the simulator, reachable directly and, through any demo host, at localhost:8000 */
  simUrl: string;
  sim: SimServer;
  models: DemoHostModel[];
  /** the secrets the demo services write to their journal and logs, for the redactor to hide */
  secrets: readonly string[];
  stop(): Promise<void>;
}

interface ParsedKey {
  type: string;
  getPublicSSH(): Buffer;
  verify(data: Buffer, signature: Buffer, hashAlgo?: string): boolean | Error;
}

function parsePublicKey(text: string): ParsedKey {
  const parsed = utils.parseKey(text);
  if (parsed instanceof Error) throw parsed;
  return (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey;
}

/**
 * The built-in demo fleet: in-process SSH servers (ssh2's Server) on 127.0.0.1, one per demo
 * host, each with a host key made for this run and accepting only this run's client key. The
 * console reaches them through its ordinary SSH client path (host-key check, exec, port
 * forwards), so the demo exercises the product rather than a bypass. Commands run against an
 * in-memory host model (sim/demoHostModel.ts); nothing runs on the user's machine. See
 * docs/demo.md.
 */
export async function startDemoFleet(options: DemoFleetOptions = {}): Promise<DemoFleet> {
  const count = options.hosts ?? 2;
  if (!Number.isInteger(count) || count < 1 || count > 20) throw new Error(`demo fleet hosts must be an integer 1..20, got ${count}`);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const sim = await startSimServer({ clock, scenario: options.scenario ?? 'normal', cycleSeconds: options.cycleSeconds ?? null, logger });

  const clientKeys = generateEd25519KeyPair('opsdeck-demo-client');
  const allowedKey = parsePublicKey(clientKeys.public);
  const allowedBlob = allowedKey.getPublicSSH();

  const servers: InstanceType<typeof Server>[] = [];
  const connections = new Set<Connection>();
  const models: DemoHostModel[] = [];
  const hosts: DemoHostInfo[] = [];
  const timers: NodeJS.Timeout[] = [];

  for (let i = 1; i <= count; i++) {
    const id = `demo-${i}`;
    const model = new DemoHostModel({
      hostname: id,
      clock,
      sim: sim.model,
      seed: i,
      apiUrl: sim.url,
      ...(options.scripts ? { scripts: options.scripts } : {}),
      ...(options.hostFacts ? { hostFacts: options.hostFacts } : {}),
    });
    models.push(model);
    const hostKeys = generateEd25519KeyPair();
    const server = new Server({ hostKeys: [hostKeys.private], ident: 'OpsdeckDemo_1.0' }, (client: Connection) => {
      connections.add(client);
      // Nagle off, or every exec reply waits on a delayed ACK (~40 ms); missing from @types/ssh2
      (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
      client.on('close', () => connections.delete(client));
      client.on('error', (error: Error) => logger.warn('demo host connection error', { host: id, error: error.message }));
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
        const offered = ctx.key.data;
        const same = ctx.key.algo === allowedKey.type && offered.length === allowedBlob.length && timingSafeEqual(offered, allowedBlob);
        if (!same) return ctx.reject(['publickey']);
        // without a signature the client is only asking whether this key would do
        if (ctx.signature && ctx.blob && allowedKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
        ctx.accept();
      });
      client.on('ready', () => {
        client.on('session', (acceptSession) => {
          const session = acceptSession();
          let pty: { cols: number; rows: number } | null = null;
          session.on('env', (accept) => accept?.());
          session.on('pty', (accept, _reject, info) => {
            pty = { cols: info.cols, rows: info.rows };
            accept?.();
          });
          session.on('window-change', (accept) => accept?.());
          const abort = new AbortController();
          const signalled = { value: false };
          session.on('signal', (accept) => {
            accept?.();
            signalled.value = true;
            abort.abort();
          });
          session.on('exec', (accept, _reject, info) => {
            const channel = accept();
            runExec(model, clock, info.command, channel, abort, signalled, logger, id);
          });
          session.on('shell', (accept) => {
            const channel = accept();
            runDemoShell(model, clock, channel, pty !== null).catch((error: unknown) => logger.warn('demo shell failed', { host: id, error: String(error) }));
          });
        });
        client.on('tcpip', (accept, reject, info) => {
          const toSim = LOOPBACK_NAMES.has(info.destIP) && (info.destPort === sim.port || info.destPort === DEMO_API_PORT);
          if (!toSim) {
            logger.warn('demo host refused a forward', { host: id, to: `${info.destIP}:${info.destPort}` });
            return reject();
          }
          const upstream = netConnect({ host: sim.host, port: sim.port, noDelay: true });
          upstream.once('error', () => reject());
          upstream.once('connect', () => {
            const channel = accept();
            upstream.removeAllListeners('error');
            upstream.on('error', () => channel.destroy());
            channel.on('error', () => upstream.destroy());
            channel.pipe(upstream).pipe(channel);
          });
        });
        client.on('request', (_accept, reject) => reject?.());
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    const port = (server.address() as AddressInfo).port;
    const publicParts = hostKeys.public.trim().split(/\s+/);
    const blob = Buffer.from(publicParts[1] ?? '', 'base64');
    hosts.push({
      id,
      label: `Demo host ${i}`,
      address: '127.0.0.1',
      port,
      hostKeyLine: `[127.0.0.1]:${port} ${publicParts[0]} ${publicParts[1]}`,
      hostKeyFingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    });
    const interval = options.journalIntervalMs ?? 4000;
    if (interval > 0) {
      const timer = setInterval(() => model.tick(), interval);
      timer.unref();
      timers.push(timer);
    }
  }

  return {
    hosts,
    clientKeyPem: clientKeys.private,
    clientPublicKey: clientKeys.public,
    simUrl: sim.url,
    sim,
    models,
    secrets: Object.values(DEMO_SECRETS),
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const client of connections) client.end();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
            }),
        ),
      );
      await sim.close();
    },
  };
}

function runExec(
  model: DemoHostModel,
  clock: Clock,
  command: string,
  channel: ServerChannel,
  abort: AbortController,
  signalled: { value: boolean },
  logger: Pick<Logger, 'warn'>,
  id: string,
): void {
  channel.on('close', () => abort.abort());
  // The console's spare wrapper (main/core/ssh/execWrapper.ts) prints its end line ("ready"),
  // then waits for its command on stdin, up to that end line; closed before that, it exits 0.
  const spare = command.startsWith('sh -c ') ? / opsdeck-spare ([0-9a-f]{16,})$/.exec(command) : null;
  if (spare) {
    channel.write(`${spare[1]}\n`);
    const end = `\n${spare[1]}\n`;
    let input = '';
    const onData = (chunk: Buffer) => {
      input += chunk.toString('utf8');
      const at = input.indexOf(end);
      if (at < 0) return;
      channel.removeListener('data', onData);
      channel.removeListener('end', onEnd);
      runExec(model, clock, input.slice(0, at), channel, abort, signalled, logger, id);
    };
    const onEnd = () => {
      if (channel.destroyed) return;
      channel.exit(0);
      channel.end();
    };
    channel.on('data', onData);
    channel.once('end', onEnd);
    return;
  }
  // the console's exec wrapper stops a command when its stdin closes; so does the demo
  channel.on('end', () => abort.abort());
  channel.resume();
  const io = {
    stdout: (text: string) => {
      if (!channel.destroyed) channel.write(text);
    },
    stderr: (text: string) => {
      if (!channel.destroyed) channel.stderr.write(text);
    },
    signal: abort.signal,
  };
  runDemoCommand(model, clock, command, io)
    .catch((error: unknown) => {
      logger.warn('demo command failed', { host: id, error: String(error) });
      io.stderr(`opsdeck demo host: internal error: ${String(error)}\n`);
      return 1;
    })
    .then((code) => {
      if (channel.destroyed) return;
      // killed by a `signal` request: report it the way sshd does, as an exit signal
      if (signalled.value) channel.exit('TERM', false, '');
      else channel.exit(code);
      channel.end();
    });
}
