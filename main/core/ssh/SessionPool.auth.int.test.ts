// Authentication and trust against a real loopback sshd: a real ssh-agent, encrypted keys,
// trust on first use read back by the OpenSSH client, and a dead link found by keepalive.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { hostTargetFromSshConfig } from './hostTargetFromSshConfig';
import { SessionPool, type HostTarget } from './SessionPool';
import { createForwardDispatcher } from './forwardDispatcher';
import { startDelayProxy } from '../../../testbed/delay-proxy';

const run = promisify(execFile);
const H = 'app1' as HostId;
let scratch: string;
const pools: SessionPool[] = [];
const fixtures: Sshd[] = [];

async function sshd(opts: Parameters<typeof startSshd>[0] = {}): Promise<Sshd> {
  const s = await startSshd(opts);
  fixtures.push(s);
  return s;
}

function newPool(deps: ConstructorParameters<typeof SessionPool>[0] = {}): SessionPool {
  const pool = new SessionPool({ backoff: { initialMs: 100, maxMs: 500 }, ...deps });
  pools.push(pool);
  return pool;
}

function target(s: Sshd, extra: Partial<HostTarget> = {}): HostTarget {
  return { id: H, address: s.address, port: s.port, user: s.user, privateKeyPath: s.clientKeyPath, knownHostsPath: s.knownHostsPath, ...extra };
}

async function echo(pool: SessionPool, text: string): Promise<string> {
  let out = '';
  await pool.exec(H, `echo ${text}`, { onStdout: (c) => (out += c) });
  return out;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-auth-'));
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(fixtures.splice(0).map((s) => s.stop()));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('ssh-agent', () => {
  let agent: ChildProcess | null = null;
  afterEach(() => {
    agent?.kill();
    agent = null;
  });

  async function startAgent(): Promise<string> {
    const sock = join(scratch, `agent-${Date.now()}.sock`);
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (
        await run('test', ['-S', sock]).then(
          () => true,
          () => false,
        )
      )
        return sock;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('ssh-agent did not create its socket');
  }

  it('authenticates with a key held only by a real ssh-agent', async () => {
    const s = await sshd({ clientKeyPassphrase: 'agent-holds-it' });
    const sock = await startAgent();
    // ssh-add reads the passphrase from SSH_ASKPASS when there is no terminal
    const askpass = join(scratch, 'askpass.sh');
    await writeFile(askpass, '#!/bin/sh\necho agent-holds-it\n', { mode: 0o700 });
    await run('ssh-add', [s.clientKeyPath], {
      env: { ...process.env, SSH_AUTH_SOCK: sock, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
    });
    const pool = newPool();
    pool.setHosts([target(s, { privateKeyPath: undefined, agent: sock })]);
    expect(await echo(pool, 'via-agent')).toBe('via-agent\n');
  });

  it('says which agent it tried when the agent holds no accepted key', async () => {
    const s = await sshd();
    const sock = await startAgent();
    const pool = newPool();
    pool.setHosts([target(s, { privateKeyPath: undefined, agent: sock })]);
    await expect(pool.connect(H)).rejects.toThrow(`authentication refused by the server (tried the agent at ${sock})`);
  });
});

describe('encrypted keys', () => {
  it('asks for the passphrase once and keeps it in memory across reconnects', async () => {
    const s = await sshd({ clientKeyPassphrase: 'correct horse' });
    const asked: string[] = [];
    const pool = newPool({ passphrase: async (path) => (asked.push(path), 'correct horse') });
    pool.setHosts([target(s)]);
    expect(await echo(pool, 'one')).toBe('one\n');
    await s.restart();
    await new Promise((r) => setTimeout(r, 50));
    expect(await echo(pool, 'two')).toBe('two\n');
    expect(asked).toEqual([s.clientKeyPath]);
    // and the key file on disk is still encrypted: nothing was written in clear
    expect(await readFile(s.clientKeyPath, 'utf8')).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
    await expect(run('ssh-keygen', ['-y', '-P', '', '-f', s.clientKeyPath])).rejects.toThrow(/incorrect passphrase/);
  });

  it('names the key when the passphrase is wrong or missing, and does not retry by itself', async () => {
    const s = await sshd({ clientKeyPassphrase: 'right' });
    const wrong = newPool({ passphrase: async () => 'wrong' });
    wrong.setHosts([target(s)]);
    await expect(wrong.connect(H)).rejects.toThrow(`wrong passphrase for key ${s.clientKeyPath}`);
    expect(wrong.states()[0]).toMatchObject({ state: 'failed', nextRetryAt: null });
    const none = newPool();
    none.setHosts([target(s)]);
    await expect(none.connect(H)).rejects.toThrow(`key ${s.clientKeyPath} is encrypted and no passphrase was given`);
  });
});

describe('keyboard-interactive', () => {
  it('answers the prompts of a host that demands a second factor after the key, through real PAM', async () => {
    const s = await sshd({ kbdInteractivePassword: '424242' });
    // the server really demands it: the OpenSSH client with the key alone is refused
    const refused = await run('ssh', [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${s.knownHostsPath}`,
      '-i',
      s.clientKeyPath,
      '-p',
      String(s.port),
      `${s.user}@127.0.0.1`,
      'true',
    ]).then(
      () => 'accepted',
      (e: { stderr: string }) => e.stderr,
    );
    expect(refused).toMatch(/Permission denied/);
    const prompts: string[] = [];
    const pool = newPool({ keyboardInteractive: async (req) => (prompts.push(...req.prompts.map((p) => p.prompt)), req.prompts.map(() => '424242')) });
    pool.setHosts([target(s)]);
    expect(await echo(pool, 'two-factor')).toBe('two-factor\n');
    expect(prompts.length).toBeGreaterThan(0);
    expect(prompts[0]).toMatch(/Password/i);
  });

  it('names what it tried when the answer is wrong', async () => {
    const s = await sshd({ kbdInteractivePassword: '424242' });
    const pool = newPool({ keyboardInteractive: async (req) => req.prompts.map(() => '000000') });
    pool.setHosts([target(s)]);
    await expect(pool.connect(H)).rejects.toThrow(`authentication refused by the server (tried key ${s.clientKeyPath} and keyboard-interactive)`);
  });
});

describe('several identity files', () => {
  it('offers every IdentityFile of the ssh_config in order, skipping missing ones, until the server accepts one', async () => {
    const s = await sshd();
    const stranger = join(scratch, 'stranger');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const cfg = join(scratch, 'multi_config');
    await writeFile(
      cfg,
      `Host multi\n  HostName 127.0.0.1\n  Port ${s.port}\n  IdentityFile ${join(scratch, 'missing_key')}\n  IdentityFile ${stranger}\n  IdentityFile ${s.clientKeyPath}\n  IdentityAgent none\n  UserKnownHostsFile ${s.knownHostsPath}\n  StrictHostKeyChecking yes\n`,
    );
    const t = await hostTargetFromSshConfig(H, cfg, 'multi');
    expect([t.privateKeyPath, t.extraPrivateKeyPaths, t.agent, t.hostKeyPolicy]).toEqual([stranger, [s.clientKeyPath], undefined, 'yes']);
    const pool = newPool();
    pool.setHosts([t]);
    expect(await echo(pool, 'second-key')).toBe('second-key\n');
  });
});

describe('trust on first use', () => {
  it('pins an unknown key in OpenSSH format that ssh -o StrictHostKeyChecking=yes then accepts', async () => {
    const s = await sshd();
    const kh = join(scratch, 'tofu', 'known_hosts');
    const pool = newPool();
    pool.setHosts([target(s, { knownHostsPath: kh, hostKeyPolicy: 'accept-new' })]);
    expect(await echo(pool, 'pinned')).toBe('pinned\n');
    expect((await readFile(kh, 'utf8')).trim()).toBe(s.hostKeyLine);
    const { stdout } = await run('ssh', [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${kh}`,
      '-i',
      s.clientKeyPath,
      '-p',
      String(s.port),
      `${s.user}@127.0.0.1`,
      'echo openssh-accepts',
    ]);
    expect(stdout).toBe('openssh-accepts\n');
    // and the pin is enforced: a new key on the same host is refused, not re-pinned
    const { hostKeyFingerprint } = await s.replaceHostKey();
    await pool.disconnect(H);
    await expect(pool.connect(H)).rejects.toThrow(new RegExp(`has CHANGED.*${hostKeyFingerprint.replace(/[+/]/g, '\\$&')}`));
    expect((await readFile(kh, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it("asks before pinning under 'ask', showing the fingerprint as OpenSSH does", async () => {
    const s = await sshd();
    const kh = join(scratch, 'ask_known_hosts');
    const prompts: unknown[] = [];
    let answer = false;
    const pool = newPool({ confirmHostKey: async (p) => (prompts.push(p), answer) });
    pool.setHosts([target(s, { knownHostsPath: kh, hostKeyPolicy: 'ask' })]);
    await expect(pool.connect(H)).rejects.toThrow(`is not known: ssh-ed25519 ${s.hostKeyFingerprint}`);
    expect(prompts).toEqual([{ hostId: H, address: '127.0.0.1', port: s.port, keyType: 'ssh-ed25519', fingerprint: s.hostKeyFingerprint }]);
    answer = true;
    await pool.connect(H);
    expect((await readFile(kh, 'utf8')).trim()).toBe(s.hostKeyLine);
  });
});

describe('dead links', () => {
  it('notices a silent link within the keepalive window and reconnects when it comes back', async () => {
    const s = await sshd();
    const pool = newPool();
    pool.setHosts([target(s, { keepaliveIntervalMs: 200, keepaliveCountMax: 2, connectTimeoutMs: 1000 })]);
    await pool.connect(H);
    // SIGSTOP the sshd and its sessions: the TCP link stays up but nothing answers
    await s.freeze();
    const frozenAt = Date.now();
    const lost = await waitState(pool, (st) => st.state !== 'connected', 3000);
    const detectMs = Date.now() - frozenAt;
    expect(lost.error).toMatch(/Keepalive timeout/);
    // interval x (count + 1) plus scheduling slack
    expect(detectMs).toBeLessThan(1500);
    await s.thaw();
    await waitState(pool, (st) => st.state === 'connected', 5000);
    expect(await echo(pool, 'alive-again')).toBe('alive-again\n');
  });
});

describe('a WAN link cut and healed', () => {
  it('detects the cut by keepalive at 25 ms RTT, reconnects after the heal, and polls through the forward resume', async () => {
    const s = await sshd();
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const httpPort = (server.address() as { port: number }).port;
    const link = await startDelayProxy({ target: { host: '127.0.0.1', port: s.port }, delayMs: 12.5 });
    const kh = join(scratch, 'wan_known_hosts');
    await writeFile(kh, `[127.0.0.1]:${link.port} ${s.hostKeyLine.split(' ').slice(1).join(' ')}\n`);
    const pool = newPool();
    pool.setHosts([target(s, { port: link.port, knownHostsPath: kh, keepaliveIntervalMs: 300, keepaliveCountMax: 2, connectTimeoutMs: 1500 })]);
    const dispatcher = createForwardDispatcher(pool, H, '127.0.0.1', httpPort);
    const poll = async () => (await request(`http://127.0.0.1:${httpPort}/`, { dispatcher, headersTimeout: 1000, bodyTimeout: 1000 })).body.text();
    try {
      expect(await poll()).toBe('ok');
      link.cut();
      const cutAt = Date.now();
      const lost = await waitState(pool, (st) => st.state !== 'connected', 8000);
      expect(lost.error).toMatch(/Keepalive timeout/);
      // interval x (count + 1) = 900 ms plus the round trip; a cut link without keepalive is
      // never noticed at all (the proxy holds the socket open), so a loose bound still tells
      expect(Date.now() - cutAt).toBeLessThan(6000);
      await expect(poll()).rejects.toThrow();
      link.heal();
      await waitState(pool, (st) => st.state === 'connected', 8000);
      const deadline = Date.now() + 5000;
      let body: string | null = null;
      while (!body && Date.now() < deadline) body = await poll().catch(() => null);
      expect(body).toBe('ok');
    } finally {
      await dispatcher.close();
      await link.stop();
      await new Promise((r) => server.close(r));
    }
  });
});

async function waitState(pool: SessionPool, pred: (s: ReturnType<SessionPool['states']>[number]) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = pool.states()[0]!;
    if (pred(st)) return st;
    if (Date.now() > deadline) throw new Error(`state stayed ${JSON.stringify(st)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
