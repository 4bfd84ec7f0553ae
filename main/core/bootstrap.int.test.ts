// Start-up from a real config file: the ssh settings reach the session pool.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bootstrap } from './bootstrap';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it('hands config.ssh.maxConcurrentHandshakes to the session pool', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bootstrap-'));
  dirs.push(dir);
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    [
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${join(dir, 'no_ssh_config')}, maxConcurrentHandshakes: 5, handshakeLagLimitMs: 0 }`,
      // port 9 on loopback: nothing listens, the host just fails to connect
      `hosts: [{ id: h1, address: 127.0.0.1, port: 9, identityFile: ${join(dir, 'no-key')}, knownHostsFile: ${join(dir, 'kh')} }]`,
      'deployments: []',
      '',
    ].join('\n'),
  );
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const app = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir }, logger: quiet });
  try {
    expect(app.pool.handshakeLoad().cap).toBe(5);
  } finally {
    await app.close();
  }
});
