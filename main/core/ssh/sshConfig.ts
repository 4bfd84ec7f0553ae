// ssh_config resolution in process, the way OpenSSH 9.2's `ssh -G HOST` resolves it (readconf.c,
// ssh.c): the fallback for machines without an OpenSSH client. Where `ssh` exists, sshResolver.ts
// asks it instead; the corpus test holds both to ssh's answers key by key.
// One file on purpose: it follows readconf.c's single pass (Host/Match, Include, first value wins,
// then the defaults and token expansion), and splitting that pass would hide the order ssh
// applies; the tokeniser and matching are in sshConfigSyntax.ts, the token expansions in
// sshConfigTokens.ts, what it reads of the machine in sshConfigEnv.ts, the host listing in
// sshConfigHosts.ts.
import { dirname, join } from 'node:path';
import { lookupTable } from '../../../common/emptyRecord';
import { expandTilde, fullEnv, globPaths, type SshConfigEnv } from './sshConfigEnv';
import { ConfigSyntaxError, KEYWORDS, convtime, matchPattern, matchPatternList, parseConfigLine, strdelim, type ConfigLine } from './sshConfigSyntax';
import { expandHostName, expandTokens, SshConfigError, type TokenContext } from './sshConfigTokens';

export { matchPattern, matchPatternList } from './sshConfigSyntax';

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface ResolvedSshHost {
  /** the name asked for, as typed */
  host: string;
  hostName: string;
  user: string;
  port: number;
  /** as written, tokens unexpanded (what `ssh -G` prints); OpenSSH's defaults when none is set */
  identityFilesRaw: string[];
  /** with `~`, %-tokens and ${ENV} expanded */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** expanded socket path (SSH_AUTH_SOCK and $VAR resolved); null when unset or `none` */
  identityAgent: string | null;
  identityAgentNone: boolean;
  /** IdentityAgent with ~, tokens and ${VAR} expanded but SSH_AUTH_SOCK / $VAR not looked up (what `ssh -G` prints) */
  identityAgentRaw: string | null;
  /** ProxyJump as `ssh -G` prints it, null when unset or `none` */
  proxyJump: string | null;
  /** as written (tokens unexpanded), null when unset or `none` */
  proxyCommand: string | null;
  serverAliveInterval: number;
  serverAliveCountMax: number;
  /** seconds; null = none */
  connectTimeout: number | null;
  strictHostKeyChecking: StrictHostKeyChecking;
  /** expanded, in order; empty for `none` */
  userKnownHostsFiles: string[];
  /** as written (ssh does not expand them), in order; empty for `none` */
  globalKnownHostsFiles: string[];
  /** lowercased, as ssh uses it; null when unset */
  hostKeyAlias: string | null;
  canonicalizeHostname: 'no' | 'yes' | 'always';
  canonicalDomains: string[];
  certificateFiles: string[];
  pkcs11Provider: string | null;
  gssapiAuthentication: boolean;
  /** files read, in order (config files plus Includes) */
  files: string[];
  /** what the console cannot do that this config asks for, one line each (shown on the host's status) */
  unsupported: string[];
}

export interface SshConfigFiles {
  /** the user's file (`~/.ssh/config`, or the `-F` file); missing counts as empty */
  user: string | null;
  /** /etc/ssh/ssh_config, read after the user file; null = not read (as `ssh -F FILE` does) */
  system: string | null;
}

/** What `ssh` takes from its command line before the files: `-l user`, `-p port`, `-J jumps`. */
export interface CommandLineOptions {
  user?: string;
  port?: number;
  proxyJump?: string;
}

const DEFAULT_IDENTITY_FILES = [
  '~/.ssh/id_rsa',
  '~/.ssh/id_ecdsa',
  '~/.ssh/id_ecdsa_sk',
  '~/.ssh/id_ed25519',
  '~/.ssh/id_ed25519_sk',
  '~/.ssh/id_xmss',
  '~/.ssh/id_dsa',
];
const MAX_INCLUDE_DEPTH = 16;
const YES_NO: Record<string, boolean> = lookupTable({ yes: true, true: true, no: false, false: false });
const STRICT: Record<string, StrictHostKeyChecking> = lookupTable({
  yes: 'yes',
  true: 'yes',
  no: 'no',
  false: 'no',
  off: 'no',
  ask: 'ask',
  'accept-new': 'accept-new',
});
const CANON: Record<string, ResolvedSshHost['canonicalizeHostname']> = lookupTable({ yes: 'yes', true: 'yes', no: 'no', false: 'no', always: 'always' });

interface Jump {
  host: string;
  user: string | null;
  port: number | null;
  extra: string | null;
}

/** What the files set, first value wins (readconf.c's Options, the part the console reads). */
class Options {
  readonly one = new Map<string, string>();
  readonly lists = new Map<string, string[]>();
  readonly identityFiles: { path: string; user: boolean }[] = [];
  readonly certificateFiles: string[] = [];
  user: string | null = null;
  port: number | null = null;
  hostName: string | null = null;
  proxyCommand: string | null = null;
  jump: Jump | 'none' | null = null;
  ignoreUnknown: string | null = null;
}

interface Ctx {
  env: Required<SshConfigEnv>;
  /** the name Host lines are matched against: as typed, then the canonical name in the final pass */
  host: string;
  original: string;
  finalPass: boolean;
  wantFinal: boolean;
  o: Options;
  /** where the system file's relative Includes are anchored (/etc/ssh for the real one) */
  systemDir: string;
  files: string[];
  unsupported: string[];
}

export function parsePort(s: string): number | null {
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n >= 0 && n <= 65535 ? n : null;
  }
  return s === 'ssh' ? 22 : null;
}

/** One ProxyJump hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`, hosts in `[]` for IPv6. */
export function parseJumpSpec(spec: string): { user: string | null; host: string; port: number | null } {
  const bad = (why: string) => new Error(`bad ProxyJump hop ${JSON.stringify(spec)}: ${why}`);
  let s = spec.trim();
  if (s.startsWith('ssh://')) s = s.slice(6).replace(/\/$/, '');
  const at = s.lastIndexOf('@');
  const user = at >= 0 ? s.slice(0, at) : null;
  if (user === '') throw bad('empty user');
  s = s.slice(at + 1);
  let host: string;
  let portText: string | null = null;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw bad('unclosed [');
    host = s.slice(1, close);
    const after = s.slice(close + 1);
    if (after && !after.startsWith(':')) throw bad('expected :port after ]');
    portText = after ? after.slice(1) : null;
  } else {
    const colon = s.indexOf(':');
    host = colon < 0 ? s : s.slice(0, colon);
    portText = colon < 0 ? null : s.slice(colon + 1);
  }
  if (!host || /[\s/]/.test(host)) throw bad('expected [user@]host[:port]');
  let port: number | null = null;
  if (portText !== null && portText !== '') {
    port = parsePort(portText);
    if (!port) throw bad('port out of range');
  }
  return { user, host, port };
}

/** readconf.c parse_jump: the first spec that applies wins; later hops are only syntax-checked. */
function parseJump(value: string, o: Options, active: boolean): boolean {
  const text = value.replace(/#.*$/, '').replace(/[ \t\r\n]+$/, '');
  if (text.toLowerCase() === 'none') {
    if (active && o.proxyCommand === null && o.jump === null) o.jump = 'none';
    return true;
  }
  const specs = text.split(',');
  try {
    specs.forEach((s) => parseJumpSpec(s));
  } catch {
    return false;
  }
  if (active && o.proxyCommand === null && o.jump === null) {
    const last = parseJumpSpec(specs.at(-1)!);
    o.jump = { ...last, extra: specs.length > 1 ? text.slice(0, text.lastIndexOf(',')) : null };
    o.proxyCommand = 'none';
  }
  return true;
}

/** ProxyJump as `ssh -G` prints it. */
function formatJump(j: Jump): string {
  const numeric = j.host.includes(':') || /^[0-9.]+$/.test(j.host);
  return `${j.extra ? `${j.extra},` : ''}${j.user ? `${j.user}@` : ''}${numeric ? `[${j.host}]` : j.host}${j.port ? `:${j.port}` : ''}`;
}

async function readConfigFile(
  ctx: Ctx,
  path: string,
  userConf: boolean,
  checkPerm: boolean,
  active: { v: boolean },
  neverMatch: boolean,
  depth: number,
): Promise<boolean> {
  if (depth > MAX_INCLUDE_DEPTH) throw new SshConfigError('Too many recursive configuration includes');
  let text: string;
  try {
    text = await ctx.env.readFile(path);
  } catch {
    return false;
  }
  if (checkPerm) {
    const st = await ctx.env.statFile(path).catch(() => null);
    if (st && ((st.uid !== 0 && st.uid !== ctx.env.uid) || (st.mode & 0o022) !== 0)) throw new SshConfigError(`Bad owner or permissions on ${path}`);
  }
  if (!ctx.finalPass || !ctx.files.includes(path)) ctx.files.push(path);
  const errors: string[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    try {
      const line = parseConfigLine(lines[n]!, path, n + 1);
      if (line) await processLine(ctx, line, path, userConf, active, neverMatch, depth);
    } catch (err) {
      if (!(err instanceof ConfigSyntaxError)) throw err;
      errors.push(err.message);
    }
  }
  if (errors.length) throw new SshConfigError(`${errors.join('; ')}; ${path}: terminating, ${errors.length} bad configuration options`);
  return true;
}

async function processLine(
  ctx: Ctx,
  line: ConfigLine,
  file: string,
  userConf: boolean,
  active: { v: boolean },
  neverMatch: boolean,
  depth: number,
): Promise<void> {
  const { keyword, args, rest } = line;
  const o = ctx.o;
  const where = `${file} line ${line.line}`;
  const fail = (why: string): never => {
    throw new ConfigSyntaxError(`${where}: ${why}`);
  };
  const arity = KEYWORDS[keyword];
  if (arity === undefined) {
    if (o.ignoreUnknown !== null && matchPatternList(keyword, o.ignoreUnknown, true)) return;
    fail(`Bad configuration option: ${keyword}`);
  }
  if (arity === 'any') return;
  if (args.some((a) => a === '') && arity !== 'raw') fail(`keyword ${keyword} empty argument`);
  if ((arity === 'one' && args.length > 1) || (arity === 'oneOrTwo' && args.length > 2)) fail(`keyword ${keyword} extra arguments at end of line`);
  const on = active.v;
  const arg = args[0]!;
  switch (keyword) {
    case 'host': {
      active.v = false;
      if (neverMatch) return;
      for (const a of args) {
        const negated = a.startsWith('!');
        if (matchPattern(ctx.host, negated ? a.slice(1) : a)) {
          if (negated) {
            active.v = false;
            return;
          }
          active.v = true;
        }
      }
      return;
    }
    case 'match': {
      const r = await matchLine(ctx, rest, where);
      active.v = neverMatch ? false : r;
      return;
    }
    case 'include': {
      for (const a of args) {
        if (a.startsWith('~') && !userConf) fail(`bad include path ${a}.`);
        let full = a;
        if (!a.startsWith('/') && !a.startsWith('~')) full = userConf ? `~/.ssh/${a}` : `${ctx.systemDir}/${a}`;
        if (full === '~' || full.startsWith('~/')) full = join(ctx.env.homeDir, full.slice(1));
        const outer = active.v;
        for (const f of await globPaths(full, ctx.env.readDir)) {
          await readConfigFile(ctx, f, userConf, true, active, neverMatch || !outer, depth + 1);
          // a Match inside an included file does not change the including file's state
          active.v = outer;
        }
      }
      return;
    }
    case 'ignoreunknown':
      if (on && o.ignoreUnknown === null) o.ignoreUnknown = arg;
      return;
    case 'proxycommand': {
      const value = rest.replace(/^[ \t\r\n=]+/, '');
      // only a real ProxyJump shuts a later ProxyCommand out; `ProxyJump none` does not (as ssh -G shows)
      if (on && o.proxyCommand === null && (o.jump === null || o.jump === 'none')) o.proxyCommand = value;
      return;
    }
    case 'proxyjump':
      if (!parseJump(rest.replace(/^[ \t\r\n=]+/, ''), o, on)) fail(`Invalid ProxyJump "${rest}"`);
      return;
    case 'localcommand':
    case 'remotecommand':
    case 'knownhostscommand': {
      const value = rest.replace(/^[ \t\r\n=]+/, '');
      if (on && !o.one.has(keyword)) o.one.set(keyword, value);
      return;
    }
    case 'port': {
      const p = parsePort(arg);
      if (!p) fail(`Bad port '${arg}'.`);
      if (on && o.port === null) o.port = p;
      return;
    }
    case 'user':
      if (on && o.user === null) o.user = arg;
      return;
    case 'hostname':
      if (on && o.hostName === null) o.hostName = arg;
      return;
    case 'identityfile':
    case 'identityfile2':
      if (on && !o.identityFiles.some((f) => f.path === arg && f.user === userConf)) o.identityFiles.push({ path: arg, user: userConf });
      return;
    case 'certificatefile':
      if (on && !o.certificateFiles.includes(arg)) o.certificateFiles.push(arg);
      return;
    case 'identityagent':
      if (/\$\{[^}]*$/.test(arg) || arg.includes('${}')) fail(`Invalid environment expansion ${arg}.`);
      if (arg.startsWith('$') && arg[1] !== '{' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg.slice(1))) fail(`Invalid environment name ${arg}.`);
      break;
    case 'identitiesonly':
    case 'gssapiauthentication':
      if (YES_NO[arg.toLowerCase()] === undefined) fail(`unsupported option "${arg}".`);
      break;
    case 'stricthostkeychecking':
      if (STRICT[arg.toLowerCase()] === undefined) fail(`unsupported option "${arg}".`);
      break;
    case 'canonicalizehostname':
      if (CANON[arg.toLowerCase()] === undefined) fail(`unsupported option "${arg}".`);
      break;
    case 'connecttimeout':
    case 'serveraliveinterval':
      if (arg !== 'none' && convtime(arg) === null) fail('invalid time value.');
      break;
    case 'serveralivecountmax':
    case 'canonicalizemaxdots':
      if (!/^\d+$/.test(arg)) fail(`Bad number '${arg}'`);
      break;
    case 'globalknownhostsfile':
    case 'userknownhostsfile':
    case 'canonicaldomains':
      if (args.length > 1 && args.some((a) => a.toLowerCase() === 'none')) fail(`keyword ${keyword} "none" argument must appear alone.`);
      if (on && !o.lists.has(keyword)) o.lists.set(keyword, args);
      return;
    default:
      break;
  }
  if (arity === 'list') {
    if (on && !o.lists.has(keyword)) o.lists.set(keyword, args);
  } else if (on && !o.one.has(keyword)) o.one.set(keyword, arg);
}

/** readconf.c match_cfg_line, on the raw rest of the line (strdelim words, double quotes only). */
async function matchLine(ctx: Ctx, rest: string, where: string): Promise<boolean> {
  const o = ctx.o;
  const bad = (why: string): never => {
    throw new ConfigSyntaxError(`${where}: ${why}; Bad Match condition`);
  };
  const ruser = o.user ?? ctx.env.localUser;
  const host = ctx.finalPass ? (o.hostName ?? ctx.host) : o.hostName !== null ? expandHostName(o.hostName, ctx.original) : ctx.original;
  let pos: number | null = 0;
  const next = (): string | null => {
    if (pos === null || pos >= rest.length) return null;
    const d = strdelim(rest, pos);
    if (!d) bad('unmatched quote');
    pos = d!.next;
    return d!.word;
  };
  let result = true;
  let attributes = 0;
  for (let attrib = next(); attrib !== null && attrib !== ''; attrib = next()) {
    if (attrib.startsWith('#')) break;
    const negate = attrib.startsWith('!');
    const name = (negate ? attrib.slice(1) : attrib).toLowerCase();
    if (name === 'all') {
      const arg = next();
      if (attributes > 1 || (arg !== null && arg !== '' && !arg.startsWith('#'))) bad(`'${attrib}' cannot be combined with other Match attributes`);
      if (result) result = !negate;
      return result;
    }
    attributes++;
    if (name === 'canonical' || name === 'final') {
      if (name === 'final') ctx.wantFinal = true;
      if (ctx.finalPass === negate) result = false;
      continue;
    }
    const arg = next();
    if (arg === null || arg === '' || arg.startsWith('#')) bad(`Missing Match criteria for ${name}`);
    let hit: boolean;
    switch (name) {
      case 'host':
        hit = matchPatternList(host.toLowerCase(), arg!, true);
        break;
      case 'originalhost':
        hit = matchPatternList(ctx.original.toLowerCase(), arg!, true);
        break;
      case 'user':
        hit = matchPatternList(ruser, arg!, false);
        break;
      case 'localuser':
        hit = matchPatternList(ctx.env.localUser, arg!, false);
        break;
      case 'exec':
        // a command from a config file is never run in process: the section does not apply
        if (!result) continue;
        ctx.unsupported.push(`Match exec "${arg}" is not run without an OpenSSH client: its section was skipped`);
        hit = false;
        break;
      default:
        bad(`Unsupported Match attribute ${name}`);
        hit = false;
    }
    if (hit === negate) result = false;
  }
  if (attributes === 0) bad('One or more attributes required for Match');
  return result;
}

async function readAll(ctx: Ctx, files: SshConfigFiles): Promise<void> {
  if (files.user !== null) {
    const isDefault = files.system !== null;
    const read = await readConfigFile(ctx, files.user, true, isDefault, { v: true }, false, 0);
    // `ssh -F FILE` refuses a missing FILE; the default ~/.ssh/config may be missing
    if (!read && !isDefault) throw new SshConfigError(`Can't open user config file ${files.user}: No such file or directory`);
  }
  if (files.system !== null) await readConfigFile(ctx, files.system, false, false, { v: true }, false, 0);
}

/** ssh.c resolve_canonicalize, for names (addresses are left alone): the first suffix that resolves. */
async function canonicalize(ctx: Ctx, name: string, direct: boolean, mode: ResolvedSshHost['canonicalizeHostname']): Promise<string> {
  if (mode === 'no' || /^[0-9.]+$/.test(name) || name.includes(':')) return name;
  if (!direct && mode !== 'always') return name;
  if (name.endsWith('.')) return name.slice(0, -1);
  const maxDots = Number(ctx.o.one.get('canonicalizemaxdots') ?? 1);
  if ((name.match(/\./g) ?? []).length > maxDots) return name;
  for (const domain of ctx.o.lists.get('canonicaldomains') ?? []) {
    if (domain.toLowerCase() === 'none') break;
    const full = `${name}.${domain}`;
    if (await ctx.env.resolves(`${full}.`)) return full;
  }
  if (!YES_NO[(ctx.o.one.get('canonicalizefallbacklocal') ?? 'yes').toLowerCase()]) throw new SshConfigError(`ssh: Could not resolve host "${name}"`);
  return name;
}

/**
 * Resolve one host the way `ssh -G [-l user] [-p port] [-J jumps] HOST` does with these files.
 * Throws SshConfigError with ssh's words where ssh would refuse the configuration.
 */
export async function resolveSshConfig(
  files: SshConfigFiles,
  hostArg: string,
  envIn: SshConfigEnv = {},
  cmdline: CommandLineOptions = {},
): Promise<ResolvedSshHost> {
  if (!validHostName(hostArg)) throw new SshConfigError(`hostname contains invalid characters: ${JSON.stringify(hostArg)}`);
  if (cmdline.user !== undefined && !validRemoteUser(cmdline.user))
    throw new SshConfigError(`remote username contains invalid characters: ${JSON.stringify(cmdline.user)}`);
  const env = fullEnv(envIn);
  const o = new Options();
  if (cmdline.user !== undefined) o.user = cmdline.user;
  if (cmdline.port !== undefined) o.port = cmdline.port;
  if (cmdline.proxyJump !== undefined && !parseJump(cmdline.proxyJump, o, true)) throw new SshConfigError(`bad ProxyJump ${JSON.stringify(cmdline.proxyJump)}`);
  const systemDir = files.system === null ? '/etc/ssh' : dirname(files.system);
  const ctx: Ctx = { env, host: hostArg, original: hostArg, finalPass: false, wantFinal: false, o, systemDir, files: [], unsupported: [] };
  await readAll(ctx, files);

  let host = o.hostName !== null ? expandHostName(o.hostName, hostArg) : hostArg;
  if (o.hostName !== null) o.hostName = host;
  const isAddr = /^[0-9.]+$/.test(host) || host.includes(':');
  if (!isAddr) host = host.toLowerCase();
  const canon = CANON[(o.one.get('canonicalizehostname') ?? 'no').toLowerCase()]!;
  // ProxyJump none still counts as a jump here: ssh clears it only after canonicalising
  const direct = (o.proxyCommand === null || o.proxyCommand.toLowerCase() === 'none') && o.jump === null;
  host = await canonicalize(ctx, host, direct, canon);
  if (canon !== 'no' || ctx.wantFinal) {
    ctx.finalPass = true;
    ctx.host = host;
    o.hostName = host;
    await readAll(ctx, files);
  }

  const user = o.user ?? env.localUser;
  const port = o.port ?? 22;
  const proxyJump = o.jump && o.jump !== 'none' ? formatJump(o.jump) : null;
  const proxyCommand = o.proxyCommand !== null && o.proxyCommand.toLowerCase() !== 'none' ? o.proxyCommand : null;
  const hostKeyAliasRaw = o.one.get('hostkeyalias');
  const hostKeyAlias = hostKeyAliasRaw === undefined ? null : hostKeyAliasRaw.toLowerCase();
  const tokens: TokenContext = {
    hostName: host,
    original: hostArg,
    port,
    remoteUser: user,
    localUser: env.localUser,
    homeDir: env.homeDir,
    localHostName: env.localHostName,
    uid: env.uid,
    hostKeyAlias,
    vars: env.vars,
  };
  const expandPath = (v: string, what: string) => expandTokens(expandTilde(v, env.homeDir), tokens, what);
  const identityFilesRaw = o.identityFiles.length ? o.identityFiles.map((f) => f.path) : [...DEFAULT_IDENTITY_FILES];
  const agentRaw = o.one.get('identityagent');
  const agentNone = agentRaw?.toLowerCase() === 'none';
  let identityAgent: string | null = null;
  let identityAgentRaw: string | null = null;
  if (agentRaw && !agentNone) {
    const expanded = expandPath(agentRaw, 'IdentityAgent');
    identityAgentRaw = expanded;
    identityAgent =
      expanded === 'SSH_AUTH_SOCK' ? (env.vars.SSH_AUTH_SOCK ?? null) : expanded.startsWith('$') ? (env.vars[expanded.slice(1)] ?? null) : expanded;
  }
  const knownList = (key: string, fallback: string[]) => {
    const l = o.lists.get(key) ?? fallback;
    return l.length === 1 && l[0]!.toLowerCase() === 'none' ? [] : l;
  };
  const time = (key: string) => {
    const v = o.one.get(key);
    return v === undefined || v === 'none' ? null : convtime(v);
  };
  const certificateFiles = o.certificateFiles;
  const pkcs11 = o.one.get('pkcs11provider') ?? o.one.get('smartcarddevice');
  const pkcs11Provider = pkcs11 === undefined || pkcs11.toLowerCase() === 'none' ? null : pkcs11;
  const gssapi = YES_NO[(o.one.get('gssapiauthentication') ?? 'no').toLowerCase()]!;
  return {
    host: hostArg,
    hostName: host,
    user,
    port,
    identityFilesRaw,
    identityFiles: identityFilesRaw.map((f) => expandPath(f, 'IdentityFile')),
    identitiesOnly: YES_NO[(o.one.get('identitiesonly') ?? 'no').toLowerCase()]!,
    identityAgent,
    identityAgentNone: agentNone,
    identityAgentRaw,
    proxyJump,
    proxyCommand,
    serverAliveInterval: time('serveraliveinterval') ?? 0,
    serverAliveCountMax: Number(o.one.get('serveralivecountmax') ?? 3),
    connectTimeout: time('connecttimeout'),
    strictHostKeyChecking: STRICT[(o.one.get('stricthostkeychecking') ?? 'ask').toLowerCase()]!,
    userKnownHostsFiles: knownList('userknownhostsfile', ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((f) => expandPath(f, 'UserKnownHostsFile')),
    globalKnownHostsFiles: knownList('globalknownhostsfile', ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']),
    hostKeyAlias,
    canonicalizeHostname: canon,
    canonicalDomains: knownList('canonicaldomains', []),
    certificateFiles,
    pkcs11Provider,
    gssapiAuthentication: gssapi,
    files: ctx.files,
    unsupported: [...new Set(ctx.unsupported), ...unsupportedOf({ certificateFiles, pkcs11Provider, gssapiAuthentication: gssapi })],
  };
}

/** What ssh accepts as a host on its command line (Debian's 9.2 also refuses a comma). */
export function validHostName(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return s !== '' && !s.startsWith('-') && !/['`"$\\;&<>|(){},\s\x00-\x1f\x7f]/.test(s);
}

/** What ssh accepts as a user from its command line (`-l`, `user@` of a jump hop). */
export function validRemoteUser(s: string): boolean {
  return s !== '' && !s.startsWith('-') && !/['`";&<>|(){}]/.test(s) && !/\s-/.test(s) && !s.endsWith('\\');
}

/** One line per setting the console cannot honour (it connects without it, and says so). */
export function unsupportedOf(r: Pick<ResolvedSshHost, 'certificateFiles' | 'pkcs11Provider' | 'gssapiAuthentication'>): string[] {
  const out: string[] = [];
  if (r.certificateFiles.length) out.push(`CertificateFile ${r.certificateFiles.join(' ')} is not used: the console offers plain keys only`);
  if (r.pkcs11Provider) out.push(`PKCS11Provider ${r.pkcs11Provider} is not used: keys on tokens are reached through the agent only`);
  if (r.gssapiAuthentication) out.push('GSSAPIAuthentication (Kerberos) is not tried: keys and the agent are');
  return out;
}
