// Start-up from a real config file: the ssh settings reach the session pool, and
// ssh.rememberPassphrases without an OS secret store says so instead of storing anything.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bootstrap } from './bootstrap';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A config with one host that never answers (port 9 on loopback) and these `ssh:` settings. */
async function configWith(ssh: string): Promise<{ dir: string; configPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bootstrap-'));
  dirs.push(dir);
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    [
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${join(dir, 'no_ssh_config')}, ${ssh} }`,
      `hosts: [{ id: h1, address: 127.0.0.1, port: 9, identityFile: ${join(dir, 'no-key')}, knownHostsFile: ${join(dir, 'kh')} }]`,
      'deployments: []',
      '',
    ].join('\n'),
  );
  return { dir, configPath };
}

it('hands config.ssh.maxConcurrentHandshakes to the session pool; with rememberPassphrases off, an old passphrase file is removed', async () => {
  const { dir, configPath } = await configWith('maxConcurrentHandshakes: 5, handshakeLagLimitMs: 0');
  // left by an earlier opt-in to ssh.rememberPassphrases, which is off here
  const remembered = join(dir, 'state', 'opsdeck', 'ssh-passphrases.json');
  await mkdir(dirname(remembered), { recursive: true });
  await writeFile(remembered, '{"version":1,"cipher":"x","keys":{}}\n');
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const app = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir }, logger: quiet });
  try {
    expect(app.pool.handshakeLoad().cap).toBe(5);
    expect(existsSync(remembered)).toBe(false);
  } finally {
    await app.close();
  }
});

it('ssh.rememberPassphrases in the browser shell (no safeStorage): a warning, and passphrases stay in memory', async () => {
  const { dir, configPath } = await configWith('rememberPassphrases: true');
  const warnings: string[] = [];
  const logger = { info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
  const app = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir }, logger });
  await app.close();
  // the audit key: a 0600 file in the state folder, plain here (the browser shell has no keychain)
  const keyFile = join(dir, 'state', 'opsdeck', 'audit.key');
  expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  expect(await readFile(keyFile, 'utf8')).toMatch(/^opsdeck-audit-key v1 plain [0-9a-f]{64}\n$/);
  expect(warnings).toContain(
    "ssh.rememberPassphrases is on, but this shell has no OS secret store (Electron's safeStorage exists only in the desktop app, not in the browser shell): key passphrases are kept in memory for this session only",
  );
  // and a desktop keychain that cannot encrypt (no keyring) is named the same way
  const noKeyring = { name: 'x', unavailableReason: () => 'no OS keyring was found', encrypt: () => Buffer.alloc(0), decrypt: () => '' };
  const again = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir }, logger, secretCipher: noKeyring });
  await again.close();
  // toContain: the host's own connection warning may land before or after it
  expect(warnings).toContain('ssh.rememberPassphrases is on, but no OS keyring was found: key passphrases are kept in memory for this session only');
});

it('a config with no hosts and no demo fleet handed in is refused, naming the config', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bootstrap-'));
  dirs.push(dir);
  const configPath = join(dir, 'config.yaml');
  await writeFile(configPath, `auditFile: ${join(dir, 'audit.jsonl')}\nhosts: []\ndeployments: []\n`);
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  await expect(bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir }, logger: quiet })).rejects.toThrow(
    `${configPath}: no hosts are configured, and this shell has no built-in demo fleet to start instead`,
  );
});
