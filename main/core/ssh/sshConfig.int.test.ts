// Both resolvers against OpenSSH itself: for every config of the corpus, `ssh -G` runs with the
// case's home over the account's home and its own /etc/ssh (testbed/sshOracle.ts), and the
// `ssh -G` resolver and the in-process fallback must give its answer on every key the console
// uses, or refuse the config as ssh does.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshManyInNamespace, type OracleRoot } from '../../../testbed/sshOracle';
import { resolveSshConfig, type ResolvedSshHost } from './sshConfig';
import { CORPUS, type CorpusCase, type HostQuery } from './sshConfigCorpus';
import { SshResolver, type SshGResult } from './SshResolver';

/** What the console reads from `ssh -G`. */
const KEYS = [
  'hostname',
  'user',
  'port',
  'identityfile',
  'identitiesonly',
  'identityagent',
  'proxyjump',
  'proxycommand',
  'serveraliveinterval',
  'serveralivecountmax',
  'connecttimeout',
  'stricthostkeychecking',
  'userknownhostsfile',
  'globalknownhostsfile',
  'hostkeyalias',
  'canonicalizehostname',
  'canonicaldomains',
  'certificatefile',
  'pkcs11provider',
  'gssapiauthentication',
] as const;
type Keys = Partial<Record<(typeof KEYS)[number], string>>;

const me = userInfo();
let root: string;

function parseSshG(stdout: string): Keys {
  const out: Keys = {};
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    const k = line.slice(0, sp) as (typeof KEYS)[number];
    if (!KEYS.includes(k)) continue;
    out[k] = out[k] === undefined ? line.slice(sp + 1) : `${out[k]}\n${line.slice(sp + 1)}`;
  }
  return out;
}

/** A resolved host in `ssh -G`'s words, with the case's folders shown where ssh sees them. */
function asSshG(r: ResolvedSshHost, c: OracleRoot): Keys {
  const fix = (s: string) => s.split(c.home).join(me.homedir).split(c.etcSsh).join('/etc/ssh');
  const out: Keys = {
    hostname: r.hostName,
    user: r.user,
    port: String(r.port),
    identityfile: r.identityFilesRaw.join('\n'),
    identitiesonly: r.identitiesOnly ? 'yes' : 'no',
    serveraliveinterval: String(r.serverAliveInterval),
    serveralivecountmax: String(r.serverAliveCountMax),
    connecttimeout: r.connectTimeout === null ? 'none' : String(r.connectTimeout),
    stricthostkeychecking: { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' }[r.strictHostKeyChecking],
    userknownhostsfile: fix(r.userKnownHostsFiles.join(' ') || 'none'),
    globalknownhostsfile: fix(r.globalKnownHostsFiles.join(' ') || 'none'),
    canonicalizehostname: { no: 'false', yes: 'true', always: 'always' }[r.canonicalizeHostname],
    canonicaldomains: r.canonicalDomains.join(' ') || 'none',
    gssapiauthentication: r.gssapiAuthentication ? 'yes' : 'no',
  };
  if (r.certificateFiles.length) out.certificatefile = r.certificateFiles.join('\n');
  if (r.pkcs11Provider) out.pkcs11provider = r.pkcs11Provider;
  if (r.hostKeyAlias) out.hostkeyalias = r.hostKeyAlias;
  if (r.identityAgentNone) out.identityagent = 'none';
  else if (r.identityAgentRaw) out.identityagent = fix(r.identityAgentRaw);
  if (r.proxyJump) out.proxyjump = r.proxyJump;
  if (r.proxyCommand) out.proxycommand = r.proxyCommand;
  return out;
}

async function setUp(c: CorpusCase, index: number): Promise<OracleRoot> {
  const dir = join(root, `case${index}`);
  const o: OracleRoot = { home: join(dir, 'home'), etcSsh: join(dir, 'etc-ssh') };
  await mkdir(join(o.home, '.ssh'), { recursive: true });
  await mkdir(o.etcSsh, { recursive: true });
  if (c.user !== undefined) await writeFile(join(o.home, '.ssh/config'), c.user);
  await writeFile(join(o.etcSsh, 'ssh_config'), c.system ?? '');
  for (const [rel, text] of Object.entries(c.files ?? {})) {
    const path = rel.startsWith('/etc/ssh/') ? join(o.etcSsh, rel.slice('/etc/ssh/'.length)) : join(o.home, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  }
  if (c.etcHosts !== undefined) {
    o.hostsFile = join(dir, 'hosts');
    await writeFile(o.hostsFile, c.etcHosts);
  }
  if (c.vars) o.vars = c.vars;
  return o;
}

/** The fallback's environment for a case: the same account, host name and variables ssh had. */
function fallbackEnv(c: CorpusCase, o: OracleRoot) {
  const vars: Record<string, string> = { HOME: me.homedir, ...(c.vars ?? {}) };
  return {
    homeDir: o.home,
    localUser: me.username,
    uid: me.uid,
    localHostName: hostname(),
    vars,
    // DNS for the fallback: the case's hosts file, which ssh reads through getaddrinfo in its
    // namespace (a stand-in: the in-process resolver cannot see that mount). ssh looks names up
    // with a trailing dot, and glibc's hosts file matches it literally, so the corpus lists both forms.
    resolves: async (name: string) => (c.etcHosts ?? '').split('\n').some((l) => l.split(/\s+/).slice(1).includes(name)),
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opsdeck-sshcfg-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// cases run a few at a time: each spawns `unshare` + `ssh -G` per host
describe.concurrent('ssh_config corpus: OpenSSH and both resolvers agree', () => {
  it('has at least 60 configs', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  CORPUS.forEach((c, index) => {
    it(c.name, async ({ expect }) => {
      const o = await setUp(c, index);
      const queries = c.hosts.map((h): HostQuery => (typeof h === 'string' ? { host: h } : h));
      const argsOf = (q: HostQuery) => [
        '-G',
        '-T',
        ...(q.user ? ['-l', q.user] : []),
        ...(q.port ? ['-p', String(q.port)] : []),
        ...(q.jump ? ['-J', q.jump] : []),
        '--',
        q.host,
      ];
      // every host of the case in one namespace; the `ssh -G` resolver is handed the very answers
      const answers = new Map<string, SshGResult>();
      const printed = await sshManyInNamespace(o, join(root, `case${index}`), queries.map(argsOf));
      queries.forEach((q, i) => answers.set(JSON.stringify(argsOf(q)), printed[i]!));
      const run = async (_ssh: string, args: string[]) => {
        const a = answers.get(JSON.stringify(args));
        if (!a) throw new Error(`no oracle answer for ${args.join(' ')}`);
        return a;
      };
      const files = { user: join(o.home, '.ssh/config'), system: join(o.etcSsh, 'ssh_config') };
      const env = fallbackEnv(c, o);
      const viaSsh = new SshResolver({ files, ssh: 'ssh', env, runSsh: run });
      for (const q of queries) {
        const cmd = { ...(q.user ? { user: q.user } : {}), ...(q.port ? { port: q.port } : {}), ...(q.jump ? { proxyJump: q.jump } : {}) };
        const theirs = await run('ssh', argsOf(q));
        const label = `${q.host} ${JSON.stringify(cmd)}`;
        const settle = (p: Promise<ResolvedSshHost>) =>
          p.then(
            (value) => ({ value, error: null }),
            (error: Error) => ({ value: null, error }),
          );
        const [fallback, oracle] = await Promise.all([settle(resolveSshConfig(files, q.host, env, cmd)), settle(viaSsh.resolve(q.host, cmd))]);
        if (theirs.code !== 0) {
          // ssh refuses the configuration: so must both resolvers
          expect(fallback.error, `${label} in process: ssh said ${theirs.stderr}`).toBeInstanceOf(Error);
          expect(oracle.error?.message, `${label} via ssh -G`).toContain(theirs.stderr.trim().split('\n').at(-1)!);
          continue;
        }
        const expected = parseSshG(theirs.stdout);
        expect(oracle.error, `${label} via ssh -G`).toBeNull();
        expect(asSshG(oracle.value!, o), `${label} via ssh -G`).toEqual(expected);
        expect(fallback.error, `${label} in process`).toBeNull();
        expect(asSshG(fallback.value!, o), `${label} in process`).toEqual(expected);
      }
    });
  });
});

describe('what only one resolver can do', () => {
  it('the fallback never runs Match exec, and says so on the host', async () => {
    const dir = join(root, 'exec');
    await mkdir(join(dir, '.ssh'), { recursive: true });
    const marker = join(dir, 'ran');
    await writeFile(join(dir, '.ssh/config'), `Match exec "touch ${marker}"\n  User viaexec\n`);
    const r = await resolveSshConfig({ user: join(dir, '.ssh/config'), system: null }, 'x', { homeDir: dir, localUser: me.username });
    expect(r.user).toBe(me.username);
    expect(r.unsupported).toEqual([`Match exec "touch ${marker}" is not run without an OpenSSH client: its section was skipped`]);
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  it('expands ${ENV} and tokens in IdentityFile as ssh does when it loads the key', async () => {
    const dir = join(root, 'idexp');
    await mkdir(join(dir, '.ssh'), { recursive: true });
    await writeFile(join(dir, '.ssh/config'), 'Host db\n  HostName db.internal\n  User pg\n  IdentityFile ~/.ssh/%r@%h\n  IdentityFile ${KEYS}/%n_%p\n');
    const r = await resolveSshConfig({ user: join(dir, '.ssh/config'), system: null }, 'db', { homeDir: dir, localUser: me.username, vars: { KEYS: '/keys' } });
    expect(r.identityFiles).toEqual([join(dir, '.ssh/pg@db.internal'), '/keys/db_22']);
  });
});
