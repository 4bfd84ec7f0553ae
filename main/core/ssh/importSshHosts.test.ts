// Importing ssh_config aliases into a real YAML config file on disk: comments survive, the file
// is replaced atomically with a .bak, the result loads, and bad requests change nothing.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../config/exampleConfig';
import { loadConfig } from '../config/loadConfig';
import { hostIdFor, importSshHosts } from './importSshHosts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CONFIG = `# my fleet, edited by hand
user: alice # on call

hosts:
  # the old box
  - { id: legacy, address: 10.0.0.9 }

deployments:
  - id: prod
    name: Production # keep me
    hosts: [legacy]
`;

describe('importSshHosts', () => {
  it('appends sshAlias hosts, keeps every comment, writes a .bak and adds them to a deployment', async () => {
    const file = join(dir, 'a.yaml');
    await writeFile(file, CONFIG, { mode: 0o600 });
    const result = await importSshHosts(file, { aliases: ['Prod-DB', 'web1.example.com'], deploymentId: 'prod' });
    expect(result.added).toEqual([
      { alias: 'Prod-DB', hostId: 'prod-db' },
      { alias: 'web1.example.com', hostId: 'web1.example.com' },
    ]);
    const text = await readFile(file, 'utf8');
    for (const comment of ['# my fleet, edited by hand', '# on call', '# the old box', '# keep me']) expect(text).toContain(comment);
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(CONFIG);
    const config = await loadConfig(file);
    expect(config.hosts.map((h) => [h.id, h.sshAlias])).toEqual([
      ['legacy', undefined],
      ['prod-db', 'Prod-DB'],
      ['web1.example.com', 'web1.example.com'],
    ]);
    expect(config.deployments[0]!.hosts).toEqual(['legacy', 'prod-db', 'web1.example.com']);
  });

  it('imports into the first-run example (hosts: []) and it still loads', async () => {
    const file = join(dir, 'example.yaml');
    await writeFile(file, EXAMPLE_CONFIG);
    await importSshHosts(file, { aliases: ['bastion'] });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# OpenSSH known_hosts file used to check every host key.');
    expect((await loadConfig(file)).hosts).toEqual([expect.objectContaining({ id: 'bastion', sshAlias: 'bastion', label: 'bastion' })]);
  });

  it('refuses an alias already imported or an unknown deployment, and writes nothing', async () => {
    const file = join(dir, 'b.yaml');
    await writeFile(file, CONFIG);
    await importSshHosts(file, { aliases: ['db'] });
    const after = await readFile(file, 'utf8');
    await expect(importSshHosts(file, { aliases: ['db'] })).rejects.toThrow(/"db" is already in .*b\.yaml/);
    await expect(importSshHosts(file, { aliases: ['x'], deploymentId: 'nope' })).rejects.toThrow(/no deployment "nope"/);
    expect(await readFile(file, 'utf8')).toBe(after);
  });

  it('gives ids unique in the file, in the id alphabet', () => {
    const taken = new Set(['db']);
    expect(hostIdFor('db', taken)).toBe('db-2');
    expect(hostIdFor('DB', taken)).toBe('db-3');
    expect(hostIdFor('-user@host:22', taken)).toBe('user-host-22');
  });
});
