// The demo's scenario calls exist for the demo fleet only: on a config's fleet main refuses them,
// whatever a page sends, and says why.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bootstrap } from './bootstrap';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it("refuses to list or set a demo scenario on a config's fleet", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-demo-calls-'));
  dirs.push(dir);
  const configPath = join(dir, 'config.yaml');
  // one host that never answers (port 9 on loopback): nothing here needs it to
  await writeFile(
    configPath,
    [
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${join(dir, 'no_ssh_config')} }`,
      `hosts: [{ id: h1, address: 127.0.0.1, port: 9, identityFile: ${join(dir, 'no-key')}, knownHostsFile: ${join(dir, 'kh')} }]`,
      'deployments: [{ id: prod, name: Prod, hosts: [h1], health: { url: "http://127.0.0.1:9" } }]',
      '',
    ].join('\n'),
  );
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const app = await bootstrap({ configPath, env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir }, logger: quiet });
  try {
    expect((await app.handlers.getFleet({})).demo).toBe(false);
    const refused = { code: 'not-found', message: 'scenarios exist only on the demo fleet' };
    await expect(app.handlers.getDemoScenarios({})).rejects.toMatchObject(refused);
    await expect(app.handlers.setDemoScenario({ name: 'broker-down' })).rejects.toMatchObject(refused);
  } finally {
    await app.close();
  }
});
