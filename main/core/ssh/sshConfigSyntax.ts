// How OpenSSH 9.2 cuts an ssh_config line into words (misc.c argv_split and strdelim,
// readconf.c process_config_line) and which keywords it knows. A port rather than a library:
// the `ssh-config` npm package tokenises differently from ssh (it keeps single quotes, starts a
// comment at any `#`, splits a ProxyCommand's `-o Key=value`), and every such difference sent a
// console to another host than `ssh` would.

const WHITESPACE = ' \t\r\n';

/** One config line: the keyword (lowercased), its words, and the raw rest of the line (for commands). */
export interface ConfigLine {
  keyword: string;
  args: string[];
  /** the line after the keyword, leading whitespace and one `=` skipped, trailing whitespace stripped */
  rest: string;
  line: number;
}

/** misc.c argv_split with terminate_on_comment: quotes and backslash escapes; `#` starts a comment only at a word's start. */
export function argvSplit(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    let quote = '';
    let arg = '';
    for (; i < s.length; i++) {
      const ch = s[i]!;
      if (ch === '\\') {
        const next = s[i + 1];
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          i++;
          arg += next;
        } else arg += ch;
      } else if (quote === '' && (ch === ' ' || ch === '\t')) break;
      else if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
      else if (quote !== '' && ch === quote) quote = '';
      else arg += ch;
    }
    out.push(arg);
    if (i >= s.length && quote !== '') return null;
  }
  return out;
}

/**
 * misc.c strdelim: the next word of `s` from `pos`, splitting on whitespace, double quotes and
 * one `=`. Returns the word and where the rest starts (null: no rest), or null for an unmatched quote.
 */
export function strdelim(s: string, pos: number): { word: string; next: number | null } | null {
  let i = pos;
  while (i < s.length && !(WHITESPACE + '"=').includes(s[i]!)) i++;
  if (i >= s.length) return { word: s.slice(pos), next: null };
  if (s[i] === '"') {
    const close = s.indexOf('"', i + 1);
    if (close < 0) return null;
    const word = s.slice(pos, i) + s.slice(i + 1, close);
    let next = close + 1;
    while (next < s.length && WHITESPACE.includes(s[next]!)) next++;
    return { word, next };
  }
  const wasEquals = s[i] === '=';
  const word = s.slice(pos, i);
  let next = i + 1;
  while (next < s.length && WHITESPACE.includes(s[next]!)) next++;
  if (!wasEquals && s[next] === '=') {
    next++;
    while (next < s.length && WHITESPACE.includes(s[next]!)) next++;
  }
  return { word, next };
}

export class ConfigSyntaxError extends Error {}

/**
 * One physical line as readconf.c reads it: null for a blank or comment line. Throws
 * ConfigSyntaxError with ssh's wording for a keyword without an argument or unbalanced quotes.
 */
export function parseConfigLine(raw: string, file: string, line: number): ConfigLine | null {
  // trailing whitespace (and form feeds) go; CRLF files end up like LF ones
  const text = raw.replace(/[ \t\r\n\f]+$/, '');
  if (!text) return null;
  let d = strdelim(text, 0);
  if (!d) return null;
  if (d.word === '' && d.next !== null) d = strdelim(text, d.next);
  if (!d || !d.word || d.word.startsWith('#')) return null;
  const keyword = d.word.toLowerCase();
  let rest = d.next === null ? '' : text.slice(d.next);
  rest = rest.replace(/^[ \t\r\n]+/, '');
  if (!rest) throw new ConfigSyntaxError(`${file} line ${line}: no argument after keyword "${keyword}"`);
  const args = argvSplit(rest);
  if (!args) throw new ConfigSyntaxError(`${file} line ${line}: invalid quotes`);
  return { keyword, args, rest, line };
}

/** How a keyword takes its arguments: one word, several, the raw rest of the line, or anything (ignored). */
export type Arity = 'one' | 'oneOrTwo' | 'list' | 'raw' | 'any';

/**
 * Every keyword OpenSSH 9.2 (Debian's build: GSSAPI and PKCS#11 compiled in, plus its GSSAPI key
 * exchange patch) accepts in ssh_config, with how it reads its arguments. Anything else makes
 * `ssh` refuse the whole file unless IgnoreUnknown names it.
 */
export const KEYWORDS: Readonly<Record<string, Arity>> = {
  // deprecated or unsupported: accepted, arguments ignored
  protocol: 'any',
  cipher: 'any',
  fallbacktorsh: 'any',
  globalknownhostsfile2: 'any',
  rhostsauthentication: 'any',
  userknownhostsfile2: 'any',
  useroaming: 'any',
  usersh: 'any',
  useprivilegedport: 'any',
  afstokenpassing: 'any',
  kerberosauthentication: 'any',
  kerberostgtpassing: 'any',
  rsaauthentication: 'any',
  rhostsrsaauthentication: 'any',
  compressionlevel: 'any',
  gssapiauthentication: 'one',
  gssapidelegatecredentials: 'one',
  gssapikeyexchange: 'one',
  gssapiclientidentity: 'one',
  gssapiserveridentity: 'one',
  gssapirenewalforcesrekey: 'one',
  gssapitrustdns: 'one',
  gssapikexalgorithms: 'one',
  pkcs11provider: 'one',
  smartcarddevice: 'one',
  forwardagent: 'one',
  forwardx11: 'one',
  forwardx11trusted: 'one',
  forwardx11timeout: 'one',
  exitonforwardfailure: 'one',
  xauthlocation: 'one',
  gatewayports: 'one',
  passwordauthentication: 'one',
  kbdinteractiveauthentication: 'one',
  kbdinteractivedevices: 'one',
  challengeresponseauthentication: 'one',
  skeyauthentication: 'one',
  tisauthentication: 'one',
  pubkeyauthentication: 'one',
  dsaauthentication: 'one',
  hostbasedauthentication: 'one',
  identityfile: 'one',
  identityfile2: 'one',
  identitiesonly: 'one',
  certificatefile: 'one',
  addkeystoagent: 'oneOrTwo',
  identityagent: 'one',
  hostname: 'one',
  hostkeyalias: 'one',
  proxycommand: 'raw',
  port: 'one',
  ciphers: 'one',
  macs: 'one',
  remoteforward: 'oneOrTwo',
  localforward: 'oneOrTwo',
  permitremoteopen: 'list',
  user: 'one',
  host: 'list',
  match: 'raw',
  escapechar: 'one',
  globalknownhostsfile: 'list',
  userknownhostsfile: 'list',
  connectionattempts: 'one',
  batchmode: 'one',
  checkhostip: 'one',
  stricthostkeychecking: 'one',
  compression: 'one',
  tcpkeepalive: 'one',
  keepalive: 'one',
  numberofpasswordprompts: 'one',
  syslogfacility: 'one',
  loglevel: 'one',
  logverbose: 'list',
  dynamicforward: 'one',
  preferredauthentications: 'one',
  hostkeyalgorithms: 'one',
  casignaturealgorithms: 'one',
  bindaddress: 'one',
  bindinterface: 'one',
  clearallforwardings: 'one',
  enablesshkeysign: 'one',
  verifyhostkeydns: 'one',
  nohostauthenticationforlocalhost: 'one',
  rekeylimit: 'oneOrTwo',
  connecttimeout: 'one',
  addressfamily: 'one',
  serveraliveinterval: 'one',
  serveralivecountmax: 'one',
  sendenv: 'list',
  setenv: 'list',
  controlpath: 'one',
  controlmaster: 'one',
  controlpersist: 'one',
  hashknownhosts: 'one',
  include: 'list',
  tunnel: 'one',
  tunneldevice: 'one',
  localcommand: 'raw',
  permitlocalcommand: 'one',
  remotecommand: 'raw',
  visualhostkey: 'one',
  kexalgorithms: 'one',
  ipqos: 'oneOrTwo',
  requesttty: 'one',
  sessiontype: 'one',
  stdinnull: 'one',
  forkafterauthentication: 'one',
  proxyusefdpass: 'one',
  canonicaldomains: 'list',
  canonicalizefallbacklocal: 'one',
  canonicalizehostname: 'one',
  canonicalizemaxdots: 'one',
  canonicalizepermittedcnames: 'list',
  streamlocalbindmask: 'one',
  streamlocalbindunlink: 'one',
  revokedhostkeys: 'one',
  fingerprinthash: 'one',
  updatehostkeys: 'one',
  hostbasedacceptedalgorithms: 'one',
  hostbasedkeytypes: 'one',
  pubkeyacceptedalgorithms: 'one',
  pubkeyacceptedkeytypes: 'one',
  ignoreunknown: 'one',
  proxyjump: 'raw',
  securitykeyprovider: 'one',
  knownhostscommand: 'raw',
  requiredrsasize: 'one',
  enableescapecommandline: 'one',
};

/** OpenSSH match_pattern: `*` any run, `?` exactly one character; case-sensitive. */
export function matchPattern(text: string, pattern: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(
      '^' +
        pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.') +
        '$',
      's',
    );
    patternCache.set(pattern, re);
  }
  return re.test(text);
}
const patternCache = new Map<string, RegExp>();

/**
 * OpenSSH match_pattern_list: one argument, comma-separated sub-patterns; a negated match
 * vetoes, otherwise any positive one matches. `foldCase` lowercases the patterns (Match host),
 * never the text.
 */
export function matchPatternList(text: string, list: string, foldCase: boolean): boolean {
  let positive = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    let sub = negated ? raw.slice(1) : raw;
    if (foldCase) sub = sub.toLowerCase();
    if (matchPattern(text, sub)) {
      if (negated) return false;
      positive = true;
    }
  }
  return positive;
}

/** convtime: `90`, `1m30s`, `2h`; null when malformed. */
export function convtime(s: string): number | null {
  if (!s) return null;
  let total = 0;
  const re = /(\d+)([sSmMhHdDwW]?)/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2]!.toLowerCase()]!;
    total += Number(m[1]) * mult;
    pos = re.lastIndex;
  }
  return total > 0x7fffffff ? null : total;
}
