// Which command of a runbook code block is a catalog action, and with which parameters. The
// block is parsed by a real bash parser (shell/bashParser.ts) and its context followed
// (shell/analyzeShellBlock.ts); this file holds the shapes: a command's literal words against
// the small set the runbooks use. Only an exact shape maps to an action, and the parameters are
// then validated by the catalog itself, so a unit or queue the catalog does not accept leaves the
// line as "Copy". Every refusal says why, for the hover text of a line without "Run on…".
import type { Catalog } from '../actions/Catalog';
import { renderCommand, resolveParams } from '../actions/Catalog';
import { emptyRecord } from '../../../common/emptyRecord';
import { withBashTree } from './shell/bashParser';
import { stagesOf, type Stage } from './shell/words';

export interface SnippetMatch {
  readonly actionId: string;
  readonly params: Readonly<Record<string, string | number>>;
  /** how the action differs from the literal line, shown beside "Run on…" */
  readonly note: string | null;
}

/** A shape that does not hold: why, in words the hover text can show. */
export interface Refusal {
  readonly reason: string;
}

export type Shape = SnippetMatch | Refusal;
export const isRefusal = (s: Shape): s is Refusal => 'reason' in s;
const refuse = (reason: string): Refusal => ({ reason });
const NO_ACTION = 'no catalog action does exactly this';

const UNITS = new Set(['autotrader-api', 'autotrader-ingestion', 'autotrader-workers']);
const SERVICE_VERBS = new Set(['restart', 'start', 'stop', 'status']);
/** the key variables check.api-keys reports on (set or MISSING, never the value) */
const KEY_VARS = new Set(['COINGECKO_API_KEY', 'ALPACA_API_KEY', 'ALPACA_SECRET_KEY', 'GROQ_API_KEY', 'ETHERSCAN_API_KEY', 'ETHEREUM_RPC_URL']);
const UPSTREAM_HOSTS: Readonly<Record<string, string>> = {
  'api.coingecko.com': 'coingecko',
  'api.dexscreener.com': 'dexscreener',
  'eth.blockscout.com': 'blockscout',
};
const LOCAL_HEALTH = /^https?:\/\/(?:localhost|127\.0\.0\.1):8000\/api\/health\/([a-z-]+)\/?$/;
/** health API documents -> the check that prints them; looked up by the whole path, never by its last word */
const HEALTH_CHECKS: Readonly<Record<string, string>> = {
  'rate-limits': 'check.rate-limits',
  security: 'check.security',
  'circuit-breakers': 'check.circuit-breakers',
};
const LOG_FILE = /^\/var\/log\/autotrader\/([a-z]+)\.log$/;

/** Words the runbooks use as "fill this in"; a line holding one is never run as it stands. */
export const PLACEHOLDERS: ReadonlyArray<{ re: RegExp; label: (text: string) => string }> = [
  { re: /0x\.\.\./g, label: () => 'token address (0x…)' },
  { re: /\byour-[a-z0-9]+(?:-[a-z0-9]+)*\b/g, label: (t) => t.replace(/^your-/, '').replace(/-/g, ' ') },
  { re: /<[A-Za-z][A-Za-z0-9 _-]{0,40}>/g, label: (t) => t.slice(1, -1) },
  { re: /\bpackage-name\b/g, label: () => 'package name' },
];

export function findPlaceholders(line: string): Array<{ text: string; label: string }> {
  const found: Array<{ text: string; label: string; at: number }> = [];
  for (const { re, label } of PLACEHOLDERS) {
    for (const m of line.matchAll(re)) found.push({ text: m[0], label: label(m[0]), at: m.index ?? 0 });
  }
  found.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  return found.filter((p) => !seen.has(p.text) && seen.add(p.text)).map(({ text, label }) => ({ text, label }));
}

/** Where the catalog's queue actions send their Redis commands: redis-cli's defaults. */
export interface RedisTarget {
  readonly host: string;
  readonly port: string;
  readonly db: string;
  /** any other option (TLS, user, password, socket, URL): a different connection */
  readonly other: readonly string[];
}
export const LOCAL_REDIS: RedisTarget = { host: '127.0.0.1', port: '6379', db: '0', other: [] };
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLocalRedis(t: RedisTarget): boolean {
  return LOCAL_HOSTS.has(t.host) && t.port === '6379' && t.db === '0' && t.other.length === 0;
}

export function describeRedis(t: RedisTarget): string {
  return `${t.host}:${t.port}, db ${t.db}${t.other.length ? ` (${t.other.join(' ')})` : ''}`;
}

/** `redis-cli [options] [command…]` -> its target and the command words after the options. */
export function redisInvocation(args: readonly string[]): { target: RedisTarget; command: string[] } {
  let host = LOCAL_REDIS.host;
  let port = LOCAL_REDIS.port;
  let db = LOCAL_REDIS.db;
  const other: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) break;
    const value = args[i + 1];
    if (a === '-h' && value !== undefined) host = args[++i]!;
    else if (a === '-p' && value !== undefined) port = args[++i]!;
    else if (a === '-n' && value !== undefined) db = args[++i]!;
    else other.push(a);
  }
  return { target: { host, port, db, other }, command: args.slice(i) };
}

export class SnippetMatcher {
  constructor(private readonly catalog: Catalog) {}

  /** One line of shell on its own (no block around it): the tests' and the bench's entry. */
  matchShell(line: string): SnippetMatch | null {
    if (findPlaceholders(line).length > 0) return null;
    const shape = withBashTree(line, (root) => {
      const nodes = root.namedChildren.filter((n) => n?.type !== 'comment');
      if (root.hasError || nodes.length !== 1) return refuse('not one command');
      const stages = stagesOf(nodes[0]!);
      return stages ? this.matchStages(stages) : refuse(NO_ACTION);
    });
    return isRefusal(shape) ? null : shape;
  }

  /** The exact command line the action runs for these parameters (what the preview will show). */
  commandFor(match: SnippetMatch): string {
    const action = this.catalog.get(match.actionId)!;
    return renderCommand(action, resolveParams(action, match.params));
  }

  /** Pipeline stages of literal words -> the action, or why not. */
  matchStages(stages: Stage[]): Shape {
    const shape = this.shape(stages);
    return isRefusal(shape) ? shape : this.checked(shape);
  }

  /** A command typed into redis-cli (its words), against the Redis the session talks to. */
  matchRedis(words: readonly string[], target: RedisTarget): Shape {
    if (!isLocalRedis(target))
      return refuse(`goes to the Redis at ${describeRedis(target)}; the queue actions use the host's own Redis (127.0.0.1:6379, db 0)`);
    const shape = this.redis(words);
    return isRefusal(shape) ? shape : this.checked(shape);
  }

  /** The catalog must know the action and accept the parameters, else the line stays Copy. */
  checked(match: SnippetMatch): Shape {
    const action = this.catalog.get(match.actionId);
    if (!action) return refuse(`the catalog has no ${match.actionId}`);
    try {
      resolveParams(action, match.params);
    } catch (error) {
      return refuse(`the catalog refuses it: ${(error as Error).message}`);
    }
    return match;
  }

  private shape(stages: Stage[]): Shape {
    const first = stages[0]!;
    const cmd = first[0]!.text;
    const args = first.slice(1);
    const usesVars = stages.some((s) => s.some((w) => w.vars.length > 0));

    // echo $KEY: whether the key is set, without ever putting its value on screen
    if (cmd === 'echo' && stages.length === 1 && args.length === 1 && args[0]!.vars.length === 1 && args[0]!.text === `$${args[0]!.vars[0]}`) {
      return KEY_VARS.has(args[0]!.vars[0]!)
        ? { actionId: 'check.api-keys', params: {}, note: 'shows whether each key is set, never its value' }
        : refuse(NO_ACTION);
    }
    if (cmd === 'curl' && usesVars) return this.rpcCurl(stages);
    if (usesVars) return refuse('uses shell variables whose values the console cannot know');

    switch (cmd) {
      case 'systemctl':
        return this.systemctl(stages);
      case 'journalctl':
        return this.journalctl(stages);
      case 'logrotate':
        if (stages.length === 1 && args.length === 2 && args[1]!.text === '/etc/logrotate.d/autotrader') {
          if (args[0]!.text === '-f') return { actionId: 'logrotate.force', params: {}, note: null };
          if (args[0]!.text === '-d') return { actionId: 'logrotate.dry-run', params: {}, note: null };
        }
        return refuse(NO_ACTION);
      case 'curl':
        return this.curl(stages);
      case 'watch': {
        // watch -n N 'command': the console runs the command once; "Run on…" again to repeat
        let i = 0;
        let every: string | null = null;
        if (args[i]?.text === '-n' && args[i + 1]) {
          every = args[i + 1]!.text;
          i += 2;
        }
        if (stages.length !== 1 || args.length !== i + 1) return refuse(NO_ACTION);
        const inner = withBashTree(args[i]!.text, (root) => {
          const nodes = root.namedChildren;
          return root.hasError || nodes.length !== 1 ? null : stagesOf(nodes[0]!);
        });
        if (!inner) return refuse('the command inside watch is not one plain command');
        const match = this.shape(inner);
        return isRefusal(match) ? match : { ...match, note: `runs once (watch repeats it${every ? ` every ${every} s` : ''})` };
      }
      case 'ping':
      case 'nslookup':
      case 'dig':
      case 'host': {
        const target = args.filter((a) => !a.text.startsWith('-'));
        const upstream = target.length === 1 ? UPSTREAM_HOSTS[target[0]!.text] : undefined;
        return stages.length === 1 && upstream
          ? { actionId: 'check.upstream', params: { upstream }, note: 'DNS look-up and one request from the host' }
          : refuse(NO_ACTION);
      }
      case 'redis-cli': {
        if (stages.length !== 1) return refuse(NO_ACTION);
        const { target, command } = redisInvocation(args.map((a) => a.text));
        return command.length > 0 ? this.matchRedisUnchecked(command, target) : refuse('opens an interactive redis-cli');
      }
      case 'grep':
        // grep -i "fa=" /var/log/autotrader/*.log
        if (
          stages.length === 1 &&
          args.length === 3 &&
          args[0]!.text === '-i' &&
          args[1]!.text === 'fa=' &&
          args[2]!.text === '/var/log/autotrader/*.log' &&
          args[2]!.glob
        ) {
          return { actionId: 'check.fa-patterns', params: {}, note: 'counts per file; matching lines are redacted' };
        }
        return refuse(NO_ACTION);
      case 'ps':
        return stages.length === 2 &&
          args.length === 1 &&
          args[0]!.text === 'aux' &&
          stages[1]!.length === 2 &&
          stages[1]![0]!.text === 'grep' &&
          stages[1]![1]!.text === 'ibgateway'
          ? { actionId: 'check.ib-gateway', params: {}, note: null }
          : refuse(NO_ACTION);
      case 'telnet':
        return stages.length === 1 && args.length === 2 && /^(localhost|127\.0\.0\.1)$/.test(args[0]!.text) && args[1]!.text === '4001'
          ? { actionId: 'check.ib-gateway', params: {}, note: 'checks port 4001 and the gateway process' }
          : refuse(NO_ACTION);
      case './ibgateway':
        // the runbook's gateway restart, in the app folder where its `cat ibkr_config.json` reads too
        return stages.length === 1 && args.length === 1 && args[0]!.text === 'restart'
          ? { actionId: 'ibgateway.restart', params: {}, note: 'runs in /opt/autotrader, then waits for port 4001' }
          : refuse(NO_ACTION);
      case 'python':
      case 'python3':
        return stages.length === 1 && args.length === 1 && args[0]!.text === 'scripts/setup/set_questrade_token.py'
          ? { actionId: 'questrade.refresh-token', params: {}, note: 'runs in /opt/autotrader' }
          : refuse(NO_ACTION);
      case 'cat':
        return stages.length === 1 && args.length === 1 && args[0]!.text === '~/.config/autotrader/questrade_token.json'
          ? { actionId: 'check.questrade-token', params: {}, note: 'shows when the token expires, never the token' }
          : refuse(NO_ACTION);
      case 'pip-audit':
        return stages.length === 1 && args.length === 0 ? { actionId: 'check.pip-audit', params: {}, note: null } : refuse(NO_ACTION);
      case 'tail':
        return this.tail(stages);
      default:
        return refuse(NO_ACTION);
    }
  }

  private tail(stages: Stage[]): Shape {
    if (stages.length !== 1) return refuse(NO_ACTION);
    const args = stages[0]!.slice(1);
    let lines: number | null = null;
    let follow = false;
    let file: string | null = null;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!.text;
      if (a === '-n' && args[i + 1] && /^\d+$/.test(args[i + 1]!.text) && lines === null) lines = Number(args[++i]!.text);
      else if ((a === '-F' || a === '-f') && !follow) follow = true;
      else if (!a.startsWith('-') && file === null) file = a;
      else return refuse(NO_ACTION);
    }
    const m = file ? LOG_FILE.exec(file) : null;
    if (!m) return refuse(NO_ACTION);
    const params = emptyRecord<string | number>();
    params.file = m[1]!;
    if (lines !== null) params.lines = lines;
    return { actionId: follow ? 'logs.follow' : 'logs.tail', params, note: null };
  }

  private systemctl(stages: Stage[]): Shape {
    const [, verbWord, ...rest] = stages[0]!;
    if (stages.length !== 1 || !verbWord || !SERVICE_VERBS.has(verbWord.text) || rest.length === 0) return refuse(NO_ACTION);
    const verb = verbWord.text;
    const options = rest.filter((w) => w.text.startsWith('-'));
    if (options.some((w) => w.text !== '--no-pager')) return refuse(`${options.map((w) => w.text).join(' ')}: no catalog action takes these options`);
    // a unit named twice is one unit: repeating a word never makes the action bigger
    const named = [...new Set(rest.filter((w) => !w.text.startsWith('-')).map((w) => `${w.glob ? 'glob:' : ''}${w.text}`))];
    if (named.length === 1 && !named[0]!.startsWith('glob:')) {
      return UNITS.has(named[0]!)
        ? { actionId: `service.${verb}`, params: { unit: named[0]! }, note: null }
        : refuse(`${named[0]} is not an autotrader unit the catalog manages`);
    }
    if (named.length === 1 && named[0] === 'glob:autotrader-*') {
      return {
        actionId: `services.${verb}`,
        params: {},
        note: verb === 'restart' ? 'one host at a time; autotrader-* taken as api, ingestion and workers' : 'autotrader-* taken as api, ingestion and workers',
      };
    }
    if (named.length === UNITS.size && named.every((u) => UNITS.has(u))) {
      return { actionId: `services.${verb}`, params: {}, note: verb === 'restart' ? 'one host at a time' : null };
    }
    return refuse(`names ${named.map((u) => u.replace(/^glob:/, '')).join(', ')}: the catalog ${verb}s one autotrader unit or all three, never another set`);
  }

  private journalctl(stages: Stage[]): Shape {
    const args = stages[0]!.slice(1).map((w) => w.text);
    let unit: string | null = null;
    let lines: number | null = null;
    let since: string | null = null;
    let follow = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const next = args[i + 1];
      if ((a === '-u' || a === '--unit') && next && unit === null) {
        unit = next;
        i++;
      } else if ((a === '-n' || a === '--lines') && next && /^\d+$/.test(next) && lines === null) {
        lines = Number(next);
        i++;
      } else if ((a === '-S' || a === '--since') && next && since === null) {
        since = next;
        i++;
      } else if (a === '-f' || a === '--follow') follow = true;
      else if (a === '--no-pager') continue;
      else return refuse(`${a}: no journal action takes this option`);
    }
    if (!unit) return refuse('no unit (-u): the journal actions read one unit');
    if (stages.length === 2) {
      const grep = stages[1]!.map((w) => w.text);
      if (grep[0] !== 'grep' || grep.length !== 2 || follow || lines !== null) return refuse(NO_ACTION);
      return {
        actionId: 'journal.errors',
        params: { unit, since: since ?? '1 hour ago', match: grep[1]! },
        note: since ? null : 'since 1 hour ago (the line sets no --since)',
      };
    }
    if (stages.length !== 1 || since) return refuse(NO_ACTION);
    if (follow) return { actionId: 'journal.follow', params: lines === null ? { unit } : { unit, lines }, note: null };
    return { actionId: 'journal.tail', params: lines === null ? { unit } : { unit, lines }, note: null };
  }

  private curl(stages: Stage[]): Shape {
    // curl URL [| jq …]: the action prints the whole pretty-printed document
    if (stages.length > 2 || (stages.length === 2 && stages[1]![0]!.text !== 'jq')) return refuse(NO_ACTION);
    const words = stages[0]!.slice(1).map((w) => w.text);
    const urls = words.filter((w) => !w.startsWith('-'));
    if (urls.length !== 1 || words.some((w) => w.startsWith('-') && !/^-[sSfL]+$/.test(w))) return refuse('curl with options or data no check action sends');
    const url = urls[0]!;
    const local = LOCAL_HEALTH.exec(url);
    if (local) {
      const actionId = HEALTH_CHECKS[local[1]!];
      if (!actionId) return refuse(`no check action prints /api/health/${local[1]}`);
      const note = stages.length === 2 ? 'prints the whole document (no jq filter)' : null;
      return { actionId, params: {}, note };
    }
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return refuse(NO_ACTION);
    }
    const upstream = UPSTREAM_HOSTS[host];
    return upstream && stages.length === 1
      ? { actionId: 'check.upstream', params: { upstream }, note: 'DNS look-up and one request from the host' }
      : refuse(NO_ACTION);
  }

  /** curl -X POST … eth_blockNumber … $ETHEREUM_RPC_URL: the host reads the URL from its own env file */
  private rpcCurl(stages: Stage[]): Shape {
    const words = stages[0]!;
    if (stages.length !== 1) return refuse(NO_ACTION);
    const vars = words.flatMap((w) => w.vars);
    const last = words[words.length - 1]!;
    if (vars.length === 1 && vars[0] === 'ETHEREUM_RPC_URL' && last.text === '$ETHEREUM_RPC_URL' && words.some((w) => w.text.includes('eth_blockNumber'))) {
      return { actionId: 'check.upstream', params: { upstream: 'ethereum-rpc' }, note: 'the host uses ETHEREUM_RPC_URL from /etc/autotrader/env' };
    }
    return refuse('uses shell variables whose values the console cannot know');
  }

  private matchRedisUnchecked(words: readonly string[], target: RedisTarget): Shape {
    if (!isLocalRedis(target))
      return refuse(`goes to the Redis at ${describeRedis(target)}; the queue actions use the host's own Redis (127.0.0.1:6379, db 0)`);
    return this.redis(words);
  }

  private redis(words: readonly string[]): Shape {
    const [verb, ...args] = words;
    switch (verb?.toUpperCase()) {
      case 'KEYS':
        return args.length === 1 && args[0] === 'worker:*'
          ? { actionId: 'queue.list', params: {}, note: "SCAN, which does not block Redis, and each queue's length" }
          : refuse(NO_ACTION);
      case 'LLEN':
        return args.length === 1 ? { actionId: 'queue.peek', params: { queue: args[0]! }, note: 'also shows the first jobs' } : refuse(NO_ACTION);
      case 'LRANGE':
        return args.length === 3 && args[1] === '0' && /^\d+$/.test(args[2]!) && Number(args[2]) < 100
          ? { actionId: 'queue.peek', params: { queue: args[0]!, count: Number(args[2]) + 1 }, note: 'also shows the length' }
          : refuse(NO_ACTION);
      case 'DEL':
        // DEL a a is one key; DEL a b is two, and the action clears one
        return new Set(args).size === 1
          ? { actionId: 'queue.clear', params: { queue: args[0]! }, note: 'shows the job count it removes' }
          : refuse(args.length ? 'deletes more than one key; the action clears one queue' : NO_ACTION);
      default:
        return refuse(`${verb ?? ''}: no queue action does this`);
    }
  }
}
