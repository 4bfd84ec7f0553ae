// The import calls on real files: the picker lists the ssh_config's aliases resolved and marks
// those already imported; an alias the ssh_config does not name is refused (a hostile view
// cannot write arbitrary hosts into the config).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EventHub } from '../bridge/EventHub';
import { SshFeature } from './SshFeature';

let dir: string;
let feature: SshFeature;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-sshfeature-'));
  await writeFile(
    join(dir, 'ssh_config'),
    'Host db-1 db-2\n  User pg\nHost db-*\n  HostName %h.internal\n  Port 2200\nHost web\n  HostName 10.0.0.5\nHost app1,app2 "odd$name" -opt\n  User app\n',
  );
  await writeFile(join(dir, 'config.yaml'), '# mine\nhosts:\n  - { id: db-1, sshAlias: db-1 }\n');
  feature = new SshFeature({
    hub: new EventHub(),
    configPath: join(dir, 'config.yaml'),
    sshConfigPath: join(dir, 'ssh_config'),
    sshEnv: { homeDir: dir },
    randomHex: () => '00'.repeat(8),
    logger: { info: () => {}, warn: () => {} },
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('lists aliases resolved, grouped by pattern, marking the ones already in the config', async () => {
  const { hosts } = await feature.handlers.listSshConfigHosts({});
  expect(hosts).toEqual([
    { alias: 'db-1', hostName: 'db-1.internal', user: 'pg', port: 2200, groups: ['db-*'], inFleet: true, error: null },
    { alias: 'db-2', hostName: 'db-2.internal', user: 'pg', port: 2200, groups: ['db-*'], inFleet: false, error: null },
    expect.objectContaining({ alias: 'web', hostName: '10.0.0.5', port: 22, groups: [], inFleet: false }),
  ]);
});

it('refuses an alias the ssh_config does not name, and writes nothing', async () => {
  const before = await readFile(join(dir, 'config.yaml'), 'utf8');
  await expect(feature.handlers.importSshHosts({ aliases: ['db-2', 'evil'] })).rejects.toThrow(/not a Host alias in .*ssh_config: evil/);
  expect(await readFile(join(dir, 'config.yaml'), 'utf8')).toBe(before);
  const result = await feature.handlers.importSshHosts({ aliases: ['db-2'] });
  expect(result).toMatchObject({ added: [{ alias: 'db-2', hostId: 'db-2' }], restartNeeded: true });
  expect((await feature.handlers.listSshConfigHosts({})).hosts.find((h) => h.alias === 'db-2')!.inFleet).toBe(true);
});

it('offers only names ssh accepts as a host: a comma list is one pattern, not two aliases', async () => {
  const { hosts } = await feature.handlers.listSshConfigHosts({});
  expect(hosts.map((h) => h.alias)).toEqual(['db-1', 'db-2', 'web']);
  const sshG = (alias: string) => promisify(execFile)('ssh', ['-G', '-T', '-F', join(dir, 'ssh_config'), '--', alias]);
  for (const h of hosts) await expect(sshG(h.alias)).resolves.toMatchObject({ stdout: expect.stringContaining(`host ${h.alias}\n`) });
  // what was left out, ssh refuses too
  for (const name of ['app1,app2', 'odd$name', '-opt']) await expect(sshG(name)).rejects.toThrow(/invalid characters/);
  await expect(feature.handlers.importSshHosts({ aliases: ['app1,app2'] })).rejects.toThrow(/not a Host alias in .*ssh_config: app1,app2/);
});
