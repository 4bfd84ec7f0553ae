// Our ssh_config resolution against the real `ssh -G`, field by field, for a corpus of configs.
// ssh reads `~` and relative Includes from the passwd home (not $HOME), so each case runs
// `ssh -G` in a private mount namespace with the case's folder bind-mounted over /root.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../../common/contract';
import { hostTargetFromSshConfig } from './hostTargetFromSshConfig';
import { listSshConfigHosts, parseJumpSpec, resolveSshConfig, type ResolvedSshHost } from './sshConfig';

const run = promisify(execFile);
const FIELDS = ['hostname', 'user', 'port', 'identityfile', 'identitiesonly', 'identityagent', 'proxyjump', 'proxycommand', 'serveraliveinterval', 'serveralivecountmax', 'connecttimeout', 'stricthostkeychecking', 'userknownhostsfile'] as const;
type Fields = Partial<Record<(typeof FIELDS)[number], string>>;

interface Case {
  name: string;
  /** files under the home folder; `.ssh/config` is the one passed with -F */
  files: Record<string, string>;
  hosts: string[];
}

const corpus: Case[] = [
  {
    name: 'first match wins, negation, ? and *, global defaults at the end',
    files: {
      '.ssh/config': `
Host web? !web9
  HostName %h.prod.example.com
  User deploy
  Port 2201
Host web*
  User other
  ServerAliveInterval 10
  ServerAliveCountMax 5
Host db-*.internal
  HostName 10.0.0.%h
  IdentityFile ~/.ssh/db_%r_%h
  IdentityFile %d/keys/%u@%p
  IdentitiesOnly yes
Host *
  User fallback
  ConnectTimeout 7
  StrictHostKeyChecking accept-new
  UserKnownHostsFile ~/.ssh/known_hosts_%h %d/kh/%r@%p
`,
    },
    hosts: ['web1', 'web', 'web9', 'web10', 'WEB2', 'db-7.internal', 'other', 'we'],
  },
  {
    name: 'host names as typed: case-sensitive Host patterns, %n and %h',
    files: { '.ssh/config': 'Host WEB*\n  HostName %h.Example.COM\n  UserKnownHostsFile /k/%n/%h\nMatch originalhost WEB3\n  User typed\n' },
    hosts: ['WEB1', 'web1', 'WEB3'],
  },
  {
    name: 'Include with globs, relative paths, nested, and Include inside a Host block',
    files: {
      '.ssh/config': `
Include conf.d/*.conf
Include ~/.ssh/extra
Host bastion
  Include bastion.d/*
Host *
  Port 2222
  ProxyJump jump.example.com
`,
      '.ssh/conf.d/10-web.conf': 'Host web*\n  User webuser\n  IdentityFile ~/.ssh/web_key\n',
      // relative Includes are relative to ~/.ssh, wherever the including file is
      '.ssh/conf.d/20-db.conf': 'Host db\n  HostName db.internal\n  Include nested\n  Include ../home-level\n',
      'home-level': 'ConnectTimeout 9\n',
      '.ssh/conf.d/.hidden.conf': 'Host *\n  User hidden\n',
      '.ssh/conf.d/notes.txt': 'Host *\n  User notes\n',
      '.ssh/nested': 'Host db\n  User dbadmin\n  ProxyJump none\n',
      '.ssh/extra': 'Host app\n  HostName app.example.com\n  ProxyJump alice@b1:2200,b2\n',
      '.ssh/bastion.d/a': '  User ops\n  StrictHostKeyChecking yes\n',
    },
    hosts: ['web1', 'db', 'app', 'bastion', 'elsewhere'],
  },
  {
    name: 'Match host / originalhost / user / all, ProxyCommand vs ProxyJump, IdentityAgent',
    files: {
      '.ssh/config': `
Host short
  HostName long.example.com
Match host long.example.com
  User matched
  IdentityAgent ~/.ssh/agent-%u.sock
Match originalhost short !user nobody
  Port 2022
Host pc
  ProxyCommand nc %h %p
  ProxyJump ignored
Host pcnone
  ProxyCommand none
  ProxyJump ignored-too
Host pjnone
  ProxyJump none
  ProxyCommand nc -x proxy %h %p
Host noagent
  IdentityAgent none
  StrictHostKeyChecking no
Match all
  ServerAliveInterval 30
`,
    },
    hosts: ['short', 'long.example.com', 'pc', 'pcnone', 'pjnone', 'noagent'],
  },
];

let root: string;
const me = userInfo().username;

async function sshG(home: string, host: string): Promise<Fields> {
  const { stdout } = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /root && exec ssh -G -F /root/.ssh/config "$2"', 'sh', home, host]);
  const out: Fields = {};
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp) as (typeof FIELDS)[number];
    if (!FIELDS.includes(key)) continue;
    out[key] = out[key] !== undefined ? `${out[key]}\n${line.slice(sp + 1)}` : line.slice(sp + 1);
  }
  return out;
}

/** Our result in `ssh -G`'s words, with the case folder shown as /root, as ssh sees it. */
function asSshG(r: ResolvedSshHost, home: string): Fields {
  const fix = (s: string) => s.split(home).join('/root');
  const out: Fields = {
    hostname: r.hostName,
    user: r.user,
    port: String(r.port),
    identityfile: r.identityFilesRaw.join('\n'),
    identitiesonly: r.identitiesOnly ? 'yes' : 'no',
    serveraliveinterval: String(r.serverAliveInterval),
    serveralivecountmax: String(r.serverAliveCountMax),
    connecttimeout: r.connectTimeout === null ? 'none' : String(r.connectTimeout),
    stricthostkeychecking: { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' }[r.strictHostKeyChecking],
    userknownhostsfile: fix(r.userKnownHostsFiles.join(' ')),
  };
  if (r.identityAgent) out.identityagent = fix(r.identityAgent);
  if (r.identityAgentNone) out.identityagent = 'none';
  if (r.proxyJump) out.proxyjump = r.proxyJump;
  if (r.proxyCommand) out.proxycommand = r.proxyCommand;
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opsdeck-sshcfg-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ssh_config resolution matches ssh -G', () => {
  corpus.forEach((c, index) => {
    it(c.name, async () => {
      const home = join(root, `case${index}`);
      for (const [rel, text] of Object.entries(c.files)) {
        await mkdir(dirname(join(home, rel)), { recursive: true });
        await writeFile(join(home, rel), text);
      }
      for (const host of c.hosts) {
        const theirs = await sshG(home, host);
        // ssh -G prints serveralive* only when set or defaulted in some versions; compare what it prints
        const ours = asSshG(await resolveSshConfig(join(home, '.ssh/config'), host, { homeDir: home, localUser: me }), home);
        const picked: Fields = {};
        for (const k of FIELDS) if (theirs[k] !== undefined || ours[k] !== undefined) picked[k] = ours[k];
        const theirsPicked: Fields = {};
        for (const k of FIELDS) if (theirs[k] !== undefined || ours[k] !== undefined) theirsPicked[k] = theirs[k];
        expect(picked, `host ${host}`).toEqual(theirsPicked);
      }
    });
  });

  it('expands ~ and tokens in IdentityFile for connecting, and records the files read', async () => {
    const home = join(root, 'case0');
    const r = await resolveSshConfig(join(home, '.ssh/config'), 'db-7.internal', { homeDir: home, localUser: me });
    expect(r.identityFiles).toEqual([join(home, '.ssh/db_fallback_10.0.0.db-7.internal'), `${home}/keys/${me}@22`]);
    const inc = await resolveSshConfig(join(root, 'case2', '.ssh/config'), 'db', { homeDir: join(root, 'case2'), localUser: me });
    expect(inc.files.map((f) => f.slice(join(root, 'case2').length))).toEqual(['/.ssh/config', '/.ssh/conf.d/10-web.conf', '/.ssh/conf.d/20-db.conf', '/.ssh/nested', '/home-level', '/.ssh/extra']);
  });

  it('reports Match exec as not honoured instead of running it', async () => {
    const home = join(root, 'exec');
    await mkdir(join(home, '.ssh'), { recursive: true });
    const marker = join(home, 'ran');
    await writeFile(join(home, '.ssh/config'), `Match exec "touch ${marker}"\n  User viaexec\n`);
    const r = await resolveSshConfig(join(home, '.ssh/config'), 'x', { homeDir: home, localUser: me });
    expect(r.user).toBe(me);
    expect(r.warnings[0]).toMatch(/Match exec is not run by Opsdeck/);
    await expect(run('test', ['-e', marker])).rejects.toThrow();
  });

  it('names the file and the value for a bad Port', async () => {
    const home = join(root, 'badport');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh/config'), 'Host x\n  Port 99999\n');
    await expect(resolveSshConfig(join(home, '.ssh/config'), 'x', { homeDir: home })).rejects.toThrow(`${join(home, '.ssh/config')}: bad Port "99999" for x`);
  });

  it('lists the concrete hosts for import, with the wildcard patterns that group them, following Includes', async () => {
    const home = join(root, 'case2');
    const hosts = await listSshConfigHosts(join(home, '.ssh/config'), { homeDir: home });
    expect(hosts.map((h) => [h.alias, h.groups, h.file.slice(home.length)])).toEqual([
      ['db', [], '/.ssh/conf.d/20-db.conf'],
      ['app', [], '/.ssh/extra'],
      ['bastion', [], '/.ssh/config'],
    ]);
    const first = await listSshConfigHosts(join(root, 'case0', '.ssh/config'), { homeDir: join(root, 'case0') });
    expect(first).toEqual([]);
    const grouped = join(root, 'grouped');
    await mkdir(join(grouped, '.ssh'), { recursive: true });
    await writeFile(join(grouped, '.ssh/config'), 'Host web1 web2 db1\n  User x\nHost web* !web2\n  Port 2\nHost *.prod db?\n  Port 3\nHost *\n  User y\n');
    expect((await listSshConfigHosts(join(grouped, '.ssh/config'), { homeDir: grouped })).map((h) => [h.alias, h.groups])).toEqual([
      ['web1', ['web* !web2']],
      ['web2', []],
      ['db1', ['*.prod db?']],
    ]);
  });

  it('refuses a host name that would smuggle shell into a ProxyCommand', async () => {
    const home = join(root, 'proxycmd');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh/config'), 'Host *\n  ProxyCommand nc %h %p\n  IdentityAgent none\n');
    const opts = { homeDir: home, localUser: me, exists: async () => true };
    const ok = await hostTargetFromSshConfig('a' as HostId, join(home, '.ssh/config'), 'db.example.com', opts);
    expect(ok.proxyCommand).toBe('nc db.example.com 22');
    await expect(hostTargetFromSshConfig('b' as HostId, join(home, '.ssh/config'), 'x;touch${IFS}pwned', opts)).rejects.toThrow(/host name "x;touch\$\{ifs\}pwned" cannot be used in a ProxyCommand/);
  });

  it('parses ProxyJump hops', () => {
    expect(parseJumpSpec('alice@b1:2200')).toEqual({ user: 'alice', host: 'b1', port: 2200 });
    expect(parseJumpSpec('ssh://[::1]:22')).toEqual({ user: null, host: '::1', port: 22 });
    expect(() => parseJumpSpec('a b')).toThrow(/bad ProxyJump hop "a b"/);
  });
});
