// The `ssh -G` resolver's cache against the real client: one process per host and hop, none on
// the warm path, and a new answer as soon as the user file, an Included file or a folder an
// Include glob reads changes (the system file and its ssh_config.d too); ssh's refusal reaches
// the caller in ssh's words.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sshInNamespace } from '../../../testbed/sshOracle';
import { SshResolver } from './SshResolver';

let dir: string;
let cfg: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-resolver-'));
  cfg = join(dir, 'config');
  await mkdir(join(dir, 'conf.d'));
  await writeFile(cfg, `Include ${dir}/conf.d/*.conf ${dir}/fixed.conf\nHost web\n  HostName web.example.com\n`);
  await writeFile(join(dir, 'fixed.conf'), 'Host web\n  Port 2200\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Bumps a file's mtime past the filesystem's resolution, as an edit a second later would. */
async function touchLater(path: string, text: string, seconds: number): Promise<void> {
  await writeFile(path, text);
  const t = new Date(Date.now() + seconds * 1000);
  await utimes(path, t, t);
}

it('runs ssh -G once per host and hop, and not again while the files stay the same', async () => {
  const r = new SshResolver({ files: { user: cfg, system: null }, ssh: 'ssh' });
  expect((await r.resolve('web')).port).toBe(2200);
  expect((await r.resolve('web', { user: 'alice', port: 2246 })).user).toBe('alice');
  expect(r.spawns).toBe(2);
  for (let i = 0; i < 50; i++) await r.resolve('web');
  expect(r.spawns).toBe(2);
});

it('asks again when the user file, an Included file or an Include folder changes', async () => {
  const r = new SshResolver({ files: { user: cfg, system: null }, ssh: 'ssh' });
  expect((await r.resolve('web')).port).toBe(2200);
  await touchLater(join(dir, 'fixed.conf'), 'Host web\n  Port 2201\n', 2);
  expect((await r.resolve('web')).port).toBe(2201);
  // a new file where a glob looks: the folder's mtime changes
  await writeFile(join(dir, 'conf.d', '00-first.conf'), 'Host web\n  Port 2300\n');
  const folder = new Date(Date.now() + 4000);
  await utimes(join(dir, 'conf.d'), folder, folder);
  expect((await r.resolve('web')).port).toBe(2300);
  await touchLater(cfg, `Host web\n  Port 2400\nInclude ${dir}/conf.d/*.conf\n`, 6);
  expect((await r.resolve('web')).port).toBe(2400);
  expect(r.spawns).toBe(4);
});

it("gives ssh's own refusal, once, until the file is fixed", async () => {
  const bad = join(dir, 'bad');
  await writeFile(bad, 'Host x\n  UseKeychain yes\n');
  const r = new SshResolver({ files: { user: bad, system: null }, ssh: 'ssh' });
  await expect(r.resolve('x')).rejects.toThrow(/ssh -G x: .*line 2: Bad configuration option: usekeychain/);
  await expect(r.resolve('x')).rejects.toThrow(/usekeychain/);
  expect(r.spawns).toBe(1);
  await touchLater(bad, 'IgnoreUnknown UseKeychain\nHost x\n  UseKeychain yes\n  User fixed\n', 2);
  expect((await r.resolve('x')).user).toBe('fixed');
});

it('asks again when the system file or a file in its ssh_config.d changes', async () => {
  // ssh reads /etc/ssh: it runs with the test's folder there (and an empty home over the account's)
  const home = join(dir, 'syshome');
  const etc = join(dir, 'sysetc');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(join(etc, 'ssh_config.d'), { recursive: true });
  await writeFile(join(home, '.ssh/config'), '');
  await writeFile(join(etc, 'ssh_config'), 'Include ssh_config.d/*.conf\nHost db\n  User fromsystem\n');
  const r = new SshResolver({
    files: { user: join(home, '.ssh/config'), system: join(etc, 'ssh_config') },
    ssh: 'ssh',
    env: { homeDir: home },
    runSsh: sshInNamespace({ home, etcSsh: etc }),
  });
  expect((await r.resolve('db')).user).toBe('fromsystem');
  expect((await r.resolve('db')).user).toBe('fromsystem');
  expect(r.spawns).toBe(1);
  // the company drops a bastion rule into ssh_config.d
  await writeFile(join(etc, 'ssh_config.d', '50-corp.conf'), 'Host db\n  ProxyJump bastion.corp\n');
  const folder = new Date(Date.now() + 2000);
  await utimes(join(etc, 'ssh_config.d'), folder, folder);
  expect((await r.resolve('db')).proxyJump).toBe('bastion.corp');
  await touchLater(join(etc, 'ssh_config'), 'Include ssh_config.d/*.conf\nHost db\n  User changed\n', 4);
  expect((await r.resolve('db')).user).toBe('changed');
  expect(r.spawns).toBe(3);
});
