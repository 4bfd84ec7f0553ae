// The SSH questions end to end in main, against a real loopback sshd: an encrypted key asks
// for its passphrase through the event hub (and no event ever carries it), an unknown key
// shows OpenSSH's fingerprint and Trust writes a pin the OpenSSH client accepts, and a changed
// key stays refused until the host name is typed exactly.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { HostId, SshPrompt } from '../../../common/contract';
import { startSshd, type Sshd } from '../../../testbed/sshd';
import { EventHub } from '../bridge/EventHub';
import { SessionPool, type HostTarget } from './SessionPool';
import { SshFeature } from './SshFeature';

const run = promisify(execFile);
const H = 'app1' as HostId;
let scratch: string;
let n = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-prompts-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function setup(sshdOpts: Parameters<typeof startSshd>[0], knownHosts: string | ((s: Sshd) => string), targetExtra: Partial<HostTarget> = {}) {
  const sshd = await startSshd(sshdOpts);
  const knownHostsPath = typeof knownHosts === 'string' ? knownHosts : knownHosts(sshd);
  const hub = new EventHub();
  const events: string[] = [];
  let prompts: SshPrompt[] = [];
  hub.subscribe((name, payload) => {
    events.push(JSON.stringify({ name, payload }));
    if (name === 'onSshPrompt') prompts = (payload as { prompts: SshPrompt[] }).prompts;
  });
  const feature = new SshFeature({
    hub,
    configPath: null,
    sshConfigPath: '/nonexistent',
    randomHex: (b) => (++n).toString(16).padStart(b * 2, '0'),
    logger: { info: () => {}, warn: () => {} },
  });
  const logs: string[] = [];
  const pool = new SessionPool({
    ...feature.poolDeps(),
    backoff: { initialMs: 100, maxMs: 300 },
    logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
  });
  pool.onState((s) => hub.emit('onConnection', { updates: [s] }));
  feature.attach(pool);
  pool.setHosts([
    {
      id: H,
      address: sshd.address,
      port: sshd.port,
      user: sshd.user,
      privateKeyPath: sshd.clientKeyPath,
      knownHostsPath,
      hostKeyPolicy: 'ask',
      ...targetExtra,
    },
  ]);
  cleanups.push(async () => {
    feature.close();
    await pool.close();
    await sshd.stop();
  });
  const state = () => pool.states()[0]!;
  return { sshd, pool, feature, events, logs, state, prompts: () => prompts };
}

describe('passphrase', () => {
  it('asks once through the hub, connects, and the passphrase is in no event and no log line', async () => {
    const secret = 'pass-Ω-6f1c2d9e';
    // the fixture's own known_hosts: only the passphrase is asked
    const t = await setup({ clientKeyPassphrase: secret }, (s) => s.knownHostsPath);
    const connected = t.pool.connect(H);
    await expect.poll(() => t.prompts().length, { timeout: 5000 }).toBe(1);
    const p = t.prompts()[0]!;
    expect(p).toMatchObject({ kind: 'passphrase', keyPath: t.sshd.clientKeyPath, hostId: H, retry: false });
    // a wrong one first: the prompt comes back saying so
    expect(await t.feature.handlers.answerSshPrompt({ promptId: p.promptId, passphrase: 'wrong' })).toMatchObject({ accepted: true });
    await expect(connected).rejects.toThrow(/wrong passphrase for key/);
    await expect.poll(() => t.prompts()[0]?.kind === 'passphrase' && (t.prompts()[0] as { retry: boolean }).retry, { timeout: 10_000 }).toBe(true);
    expect(await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, passphrase: secret })).toMatchObject({ accepted: true });
    await expect.poll(() => t.state().state, { timeout: 15_000 }).toBe('connected');
    expect(t.events.length).toBeGreaterThan(3);
    for (const e of t.events) expect(e).not.toContain(secret);
    for (const l of t.logs) expect(l).not.toContain(secret);
    // a second connection after a drop does not ask again (kept in memory for the session)
    await t.sshd.restart();
    await t.pool.exec(H, 'true');
    expect(t.prompts()).toEqual([]);
  }, 40_000);
});

describe('host keys', () => {
  it('unknown: shows the fingerprint as OpenSSH does; Trust pins it where ssh -o StrictHostKeyChecking=yes accepts it', async () => {
    const kh = join(scratch, 'kh-unknown');
    const t = await setup({}, kh);
    await expect(t.pool.connect(H)).rejects.toThrow(/not known/);
    expect(t.state()).toMatchObject({ state: 'failed' });
    expect(t.prompts()).toEqual([
      expect.objectContaining({
        kind: 'host-key-unknown',
        host: t.sshd.address,
        port: t.sshd.port,
        fingerprint: t.sshd.hostKeyFingerprint,
        keyType: 'ssh-ed25519',
        knownHostsPath: kh,
      }),
    ]);
    expect(await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, decision: 'trust' })).toMatchObject({ accepted: true });
    await expect.poll(() => t.state().state, { timeout: 10_000 }).toBe('connected');
    expect(await readFile(kh, 'utf8')).toBe(`${t.sshd.hostKeyLine}\n`);
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
      t.sshd.clientKeyPath,
      '-p',
      String(t.sshd.port),
      `${t.sshd.user}@${t.sshd.address}`,
      'echo ok',
    ]);
    expect(stdout).toBe('ok\n');
  }, 30_000);

  it('unknown: Refuse keeps it failed and is not asked again on the next attempt', async () => {
    const t = await setup({}, join(scratch, 'kh-refuse'));
    await t.pool.connect(H).catch(() => {});
    expect(await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, decision: 'refuse' })).toMatchObject({ accepted: true });
    await expect(t.pool.connect(H)).rejects.toThrow(/not known/);
    expect(t.prompts()).toEqual([]);
    expect(t.state().state).toBe('failed');
  }, 30_000);

  it('unknown: Accept once connects without writing known_hosts', async () => {
    const kh = join(scratch, 'kh-once');
    const t = await setup({}, kh);
    await t.pool.connect(H).catch(() => {});
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, decision: 'accept-once' });
    await expect.poll(() => t.state().state, { timeout: 10_000 }).toBe('connected');
    await expect(readFile(kh, 'utf8')).rejects.toThrow(/ENOENT/);
  }, 30_000);

  it('changed: refused; a wrong typed name keeps it refused; the exact name replaces the pin', async () => {
    const kh = join(scratch, 'kh-changed');
    const t = await setup({}, kh);
    await t.pool.connect(H).catch(() => {});
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, decision: 'trust' });
    await expect.poll(() => t.state().state, { timeout: 10_000 }).toBe('connected');
    const old = t.sshd.hostKeyFingerprint;
    const oldLine = t.sshd.hostKeyLine;
    const next = await t.sshd.replaceHostKey();
    await expect.poll(() => t.prompts()[0]?.kind, { timeout: 15_000 }).toBe('host-key-changed');
    const p = t.prompts()[0]!;
    expect(p).toMatchObject({ fingerprint: next.hostKeyFingerprint, expected: [{ line: 1, fingerprint: old }] });
    expect(t.state()).toMatchObject({ state: 'failed', error: expect.stringMatching(/has CHANGED/) });
    // neither a click-through nor a near miss gets past it
    expect(await t.feature.handlers.answerSshPrompt({ promptId: p.promptId, decision: 'trust' })).toMatchObject({ accepted: false });
    expect(await t.feature.handlers.answerSshPrompt({ promptId: p.promptId, decision: 'replace', typedHost: `${t.sshd.address} ` })).toMatchObject({
      accepted: false,
      message: expect.stringMatching(/does not match/),
    });
    expect(await t.feature.handlers.answerSshPrompt({ promptId: p.promptId, decision: 'replace' })).toMatchObject({ accepted: false });
    expect(await readFile(kh, 'utf8')).toBe(`${oldLine}\n`);
    expect(t.state().state).toBe('failed');
    expect(await t.feature.handlers.answerSshPrompt({ promptId: p.promptId, decision: 'replace', typedHost: t.sshd.address })).toMatchObject({
      accepted: true,
    });
    await expect.poll(() => t.state().state, { timeout: 10_000 }).toBe('connected');
    expect(await readFile(kh, 'utf8')).toBe(`${next.hostKeyLine}\n`);
  }, 40_000);
});

// an engineer who mistyped a passphrase and then cancelled, or who fixed their agent,
// connects again from the UI (connectHost) without restarting the console
describe('Retry (connectHost)', () => {
  const connectionStates = (events: string[]) =>
    events.flatMap((e) => {
      const { name, payload } = JSON.parse(e) as { name: string; payload: { updates?: { state: string; error: string | null }[] } };
      return name === 'onConnection' ? (payload.updates ?? []) : [];
    });

  it('wrong passphrase, then Cancel: failed with the key named; Retry asks again and the right passphrase connects', async () => {
    const secret = 'retry-Pass-31c9';
    const t = await setup({ clientKeyPassphrase: secret }, (s) => s.knownHostsPath);
    const keyPath = t.sshd.clientKeyPath;
    const first = t.pool.connect(H);
    await expect.poll(() => t.prompts().length, { timeout: 10_000 }).toBe(1);
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, passphrase: 'mistyped' });
    await expect(first).rejects.toThrow(`wrong passphrase for key ${keyPath}`);
    expect(connectionStates(t.events)).toContainEqual(
      expect.objectContaining({ state: 'failed', error: expect.stringContaining(`wrong passphrase for key ${keyPath}`) }),
    );
    // asked again at once; the engineer gives up for now
    await expect.poll(() => (t.prompts()[0] as { retry?: boolean } | undefined)?.retry, { timeout: 10_000 }).toBe(true);
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, decision: 'refuse' });
    await expect
      .poll(() => t.state(), { timeout: 10_000 })
      .toMatchObject({ state: 'failed', error: expect.stringContaining(`key ${keyPath} is encrypted and no passphrase was given`) });
    // what the console did before: another attempt is refused from memory, nobody is asked
    await expect(t.pool.connect(H)).rejects.toThrow(/no passphrase was given/);
    expect(t.prompts()).toEqual([]);

    expect(await t.feature.handlers.connectHost({ hostId: H })).toEqual({ started: true });
    await expect.poll(() => t.prompts()[0]?.kind, { timeout: 10_000 }).toBe('passphrase');
    expect(t.state().state).toBe('connecting');
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, passphrase: secret });
    await expect.poll(() => t.state().state, { timeout: 15_000 }).toBe('connected');
    expect(await t.feature.handlers.connectHost({ hostId: H })).toEqual({ started: false });
    for (const e of t.events) expect(e).not.toContain(secret);
    for (const l of t.logs) expect(l).not.toContain(secret);
  }, 60_000);

  it('a key the server refuses: failed naming the agent tried and the refusal; after ssh-add, Retry connects', async () => {
    const sock = join(scratch, `agent-${++n}.sock`);
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    cleanups.push(async () => void agent.kill());
    await expect
      .poll(
        () =>
          run('test', ['-S', sock]).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    const t = await setup({}, (s) => s.knownHostsPath, { privateKeyPath: undefined, agent: sock });
    await expect(t.pool.connect(H)).rejects.toThrow(/authentication refused/);
    expect(t.state()).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(
        new RegExp(`authentication refused by the server \\(tried the agent at ${sock}\\): All configured authentication methods failed`),
      ),
    });
    // the engineer fixes their agent
    await run('ssh-add', [t.sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    expect(await t.feature.handlers.connectHost({ hostId: H })).toEqual({ started: true });
    await expect.poll(() => t.state().state, { timeout: 15_000 }).toBe('connected');
  }, 40_000);

  it('a refused unknown host key is asked again on Retry', async () => {
    const t = await setup({}, join(scratch, 'kh-retry'));
    await t.pool.connect(H).catch(() => {});
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, decision: 'refuse' });
    expect(t.prompts()).toEqual([]);
    await t.feature.handlers.connectHost({ hostId: H });
    await expect.poll(() => t.prompts()[0]?.kind, { timeout: 10_000 }).toBe('host-key-unknown');
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, decision: 'accept-once' });
    await expect.poll(() => t.state().state, { timeout: 10_000 }).toBe('connected');
  }, 30_000);

  it('a key whose passphrase was changed mid-session is asked again, not failed for good on the old one', async () => {
    const t = await setup({ clientKeyPassphrase: 'first-pass' }, (s) => s.knownHostsPath);
    const connecting = t.pool.connect(H);
    await expect.poll(() => t.prompts().length, { timeout: 10_000 }).toBe(1);
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, passphrase: 'first-pass' });
    await connecting;
    await run('ssh-keygen', ['-q', '-p', '-P', 'first-pass', '-N', 'second-pass', '-f', t.sshd.clientKeyPath]);
    // the link drops; the reconnect reads the re-encrypted key file
    await t.sshd.restart();
    await expect.poll(() => t.prompts()[0]?.kind, { timeout: 20_000 }).toBe('passphrase');
    await t.feature.handlers.answerSshPrompt({ promptId: t.prompts()[0]!.promptId, passphrase: 'second-pass' });
    await expect.poll(() => t.state().state, { timeout: 20_000 }).toBe('connected');
  }, 60_000);

  it('names an unknown host', async () => {
    const t = await setup({}, (s) => s.knownHostsPath);
    await expect(t.feature.handlers.connectHost({ hostId: 'nope' as HostId })).rejects.toThrow('no host "nope"');
  }, 20_000);
});
