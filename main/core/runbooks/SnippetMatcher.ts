// Which line of a runbook code block is a catalog action, and with which parameters. A line is
// parsed with shell-quote (never run, never rebuilt into a string) and compared against the
// small set of command shapes the runbooks use; only an exact shape maps to an action, and the
// parameters are then validated by the catalog itself, so a unit or queue the catalog does not
// accept leaves the line as "Copy" instead of offering something that would be refused.
import { parse, type ParseEntry } from 'shell-quote';
import type { Catalog } from '../actions/Catalog';
import { resolveParams } from '../actions/Catalog';
import { emptyRecord } from '../../../common/emptyRecord';

export interface SnippetMatch {
  readonly actionId: string;
  readonly params: Readonly<Record<string, string | number>>;
  /** how the action differs from the literal line, shown beside "Run on…" */
  readonly note: string | null;
}

interface Word {
  readonly text: string;
  readonly glob: boolean;
  /** environment variables the word refers to ($NAME); never expanded */
  readonly vars: readonly string[];
}

type Stage = Word[];

// a private-use character: cannot come from a runbook line's own variable names
const VAR_MARK = '\uE000';
const VAR_RE = /\uE000([A-Za-z_][A-Za-z0-9_]*)\uE000/g;

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

/** Splits a shell line into pipeline stages of words; null when it uses anything but pipes and globs. */
export function shellStages(line: string): Stage[] | null {
  let entries: ParseEntry[];
  try {
    entries = parse(line, (name: string) => `${VAR_MARK}${name}${VAR_MARK}`);
  } catch {
    return null;
  }
  const stages: Stage[] = [[]];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      const vars = [...entry.matchAll(VAR_RE)].map((m) => m[1]!);
      stages[stages.length - 1]!.push({ text: entry.replace(VAR_RE, '$$$1'), glob: false, vars });
    } else if ('comment' in entry) {
      break;
    } else if ('op' in entry && entry.op === 'glob') {
      stages[stages.length - 1]!.push({ text: (entry as { pattern: string }).pattern, glob: true, vars: [] });
    } else if ('op' in entry && entry.op === '|') {
      stages.push([]);
    } else {
      return null; // ;, &&, >, $( ) …: not a shape any action has
    }
  }
  if (stages.some((s) => s.length === 0)) return null;
  return stages;
}

export class SnippetMatcher {
  constructor(private readonly catalog: Catalog) {}

  /**
   * A logical shell line (continuations joined) -> the action that does what it does, or null.
   * `redis` is true inside a block after a bare `redis-cli` line: the line is a Redis command.
   */
  matchShell(line: string, context: { redis?: boolean } = {}): SnippetMatch | null {
    if (findPlaceholders(line).length > 0) return null;
    const stages = shellStages(line);
    if (!stages) return null;
    const raw = context.redis && /^[A-Z]+\b/.test(line.trim()) ? this.redis(stages) : this.shape(stages);
    return raw ? this.checked(raw) : null;
  }

  /** Python: `breaker.reset()` after `CIRCUIT_REGISTRY.get_monitor("name")` in the same block. */
  matchPython(line: string, breaker: string | null): SnippetMatch | null {
    if (!breaker || !/^\s*[A-Za-z_][A-Za-z0-9_]*\.reset\(\)\s*$/.test(line)) return null;
    return this.checked({ actionId: 'breaker.reset', params: { breaker }, note: 'through the API reset endpoint, else this Python call on the host' });
  }

  private checked(match: SnippetMatch): SnippetMatch | null {
    const action = this.catalog.get(match.actionId);
    if (!action) return null;
    try {
      resolveParams(action, match.params);
    } catch {
      return null;
    }
    return match;
  }

  private shape(stages: Stage[]): SnippetMatch | null {
    const first = stages[0]!;
    const cmd = first[0]!.text;
    const args = first.slice(1);
    const usesVars = stages.some((s) => s.some((w) => w.vars.length > 0));

    // echo $KEY: whether the key is set, without ever putting its value on screen
    if (cmd === 'echo' && stages.length === 1 && args.length === 1 && args[0]!.vars.length === 1 && args[0]!.text === `$${args[0]!.vars[0]}`) {
      return KEY_VARS.has(args[0]!.vars[0]!) ? { actionId: 'check.api-keys', params: {}, note: 'shows whether each key is set, never its value' } : null;
    }
    if (cmd === 'curl' && usesVars) return this.rpcCurl(stages);
    if (usesVars) return null;

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
        return null;
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
        if (stages.length !== 1 || args.length !== i + 1) return null;
        const inner = shellStages(args[i]!.text);
        const match = inner ? this.shape(inner) : null;
        return match ? { ...match, note: `runs once (watch repeats it${every ? ` every ${every} s` : ''})` } : null;
      }
      case 'ping':
      case 'nslookup':
      case 'dig':
      case 'host': {
        const target = args.filter((a) => !a.text.startsWith('-'));
        const upstream = target.length === 1 ? UPSTREAM_HOSTS[target[0]!.text] : undefined;
        return stages.length === 1 && upstream ? { actionId: 'check.upstream', params: { upstream }, note: 'DNS look-up and one request from the host' } : null;
      }
      case 'redis-cli':
        return stages.length === 1 && args.length > 0 ? this.redis([args]) : null;
      case 'grep':
        // grep -i "fa=" /var/log/autotrader/*.log
        if (stages.length === 1 && args.some((a) => /fa=/i.test(a.text)) && args.some((a) => a.text.startsWith('/var/log/autotrader/'))) {
          return { actionId: 'check.fa-patterns', params: {}, note: 'counts per file; matching lines are redacted' };
        }
        return null;
      case 'ps':
        return stages.length === 2 && stages[1]![0]!.text === 'grep' && /ibgateway/i.test(stages[1]!.map((w) => w.text).join(' '))
          ? { actionId: 'check.ib-gateway', params: {}, note: null }
          : null;
      case 'telnet':
        return stages.length === 1 && args.length === 2 && /^(localhost|127\.0\.0\.1)$/.test(args[0]!.text) && args[1]!.text === '4001'
          ? { actionId: 'check.ib-gateway', params: {}, note: 'checks port 4001 and the gateway process' }
          : null;
      case 'python':
      case 'python3':
        return stages.length === 1 && args.length === 1 && args[0]!.text === 'scripts/setup/set_questrade_token.py'
          ? { actionId: 'questrade.refresh-token', params: {}, note: 'runs in /opt/autotrader' }
          : null;
      case 'cat':
        return stages.length === 1 && args.length === 1 && args[0]!.text === '~/.config/autotrader/questrade_token.json'
          ? { actionId: 'check.questrade-token', params: {}, note: 'shows when the token expires, never the token' }
          : null;
      case 'export': {
        const m = stages.length === 1 && args.length === 1 ? /^WORKER_COUNT=(\d{1,2})$/.exec(args[0]!.text) : null;
        return m ? { actionId: 'workers.scale', params: { count: Number(m[1]) }, note: 'written to /etc/autotrader/env, then the workers restart' } : null;
      }
      case 'pip-audit':
        return stages.length === 1 && args.length === 0 ? { actionId: 'check.pip-audit', params: {}, note: null } : null;
      case 'tail': {
        if (stages.length !== 1) return null;
        let lines: number | null = null;
        let follow = false;
        let file: string | null = null;
        for (let i = 0; i < args.length; i++) {
          const a = args[i]!.text;
          if (a === '-n' && args[i + 1]) lines = Number(args[++i]!.text);
          else if (a === '-F' || a === '-f') follow = true;
          else if (!a.startsWith('-') && file === null) file = a;
          else return null;
        }
        const m = file ? LOG_FILE.exec(file) : null;
        if (!m) return null;
        const params = emptyRecord<string | number>();
        params.file = m[1]!;
        if (lines !== null) params.lines = lines;
        return { actionId: follow ? 'logs.follow' : 'logs.tail', params, note: null };
      }
      default:
        return null;
    }
  }

  private systemctl(stages: Stage[]): SnippetMatch | null {
    const [, verbWord, ...rest] = stages[0]!;
    if (stages.length !== 1 || !verbWord || !SERVICE_VERBS.has(verbWord.text) || rest.length === 0) return null;
    const verb = verbWord.text;
    const units = rest.filter((w) => !w.text.startsWith('--'));
    if (rest.some((w) => w.text.startsWith('--') && w.text !== '--no-pager')) return null;
    if (units.length === 1 && !units[0]!.glob && UNITS.has(units[0]!.text)) {
      return { actionId: `service.${verb}`, params: { unit: units[0]!.text }, note: null };
    }
    const all = (units.length === 1 && units[0]!.glob && units[0]!.text === 'autotrader-*') || (units.length === UNITS.size && units.every((u) => UNITS.has(u.text)));
    if (!all) return null;
    return { actionId: `services.${verb}`, params: {}, note: verb === 'restart' ? 'one host at a time; autotrader-* means api, ingestion and workers' : 'api, ingestion and workers' };
  }

  private journalctl(stages: Stage[]): SnippetMatch | null {
    const args = stages[0]!.slice(1).map((w) => w.text);
    let unit: string | null = null;
    let lines: number | null = null;
    let since: string | null = null;
    let follow = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const next = args[i + 1];
      if ((a === '-u' || a === '--unit') && next) {
        unit = next;
        i++;
      } else if ((a === '-n' || a === '--lines') && next && /^\d+$/.test(next)) {
        lines = Number(next);
        i++;
      } else if ((a === '-S' || a === '--since') && next) {
        since = next;
        i++;
      } else if (a === '-f' || a === '--follow') follow = true;
      else if (a === '--no-pager' || a === '-e') continue;
      else return null;
    }
    if (!unit) return null;
    if (stages.length === 2) {
      const grep = stages[1]!.map((w) => w.text);
      if (grep[0] !== 'grep' || grep.length !== 2 || follow) return null;
      return { actionId: 'journal.errors', params: { unit, since: since ?? '1 hour ago', match: grep[1]! }, note: null };
    }
    if (stages.length !== 1 || since) return null;
    if (follow) return { actionId: 'journal.follow', params: lines === null ? { unit } : { unit, lines }, note: null };
    return { actionId: 'journal.tail', params: lines === null ? { unit } : { unit, lines }, note: null };
  }

  private curl(stages: Stage[]): SnippetMatch | null {
    // curl URL [| jq …]: the action prints the whole pretty-printed document
    if (stages.length > 2 || (stages.length === 2 && stages[1]![0]!.text !== 'jq')) return null;
    const words = stages[0]!.slice(1).map((w) => w.text);
    const urls = words.filter((w) => !w.startsWith('-'));
    if (urls.length !== 1 || words.some((w) => w.startsWith('-') && !/^-[sSfL]+$/.test(w))) return null;
    const url = urls[0]!;
    const local = LOCAL_HEALTH.exec(url);
    if (local) {
      const note = stages.length === 2 ? 'prints the whole document (no jq filter)' : null;
      return { actionId: `check.${local[1]}`, params: {}, note };
    }
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return null;
    }
    const upstream = UPSTREAM_HOSTS[host];
    return upstream ? { actionId: 'check.upstream', params: { upstream }, note: 'DNS look-up and one request from the host' } : null;
  }

  /** curl -X POST … eth_blockNumber … $ETHEREUM_RPC_URL: the host reads the URL from its own env file */
  private rpcCurl(stages: Stage[]): SnippetMatch | null {
    const words = stages[0]!;
    if (stages.length !== 1) return null;
    const vars = words.flatMap((w) => w.vars);
    const last = words[words.length - 1]!;
    if (vars.length === 1 && vars[0] === 'ETHEREUM_RPC_URL' && last.text === '$ETHEREUM_RPC_URL' && words.some((w) => w.text.includes('eth_blockNumber'))) {
      return { actionId: 'check.upstream', params: { upstream: 'ethereum-rpc' }, note: 'the host uses ETHEREUM_RPC_URL from /etc/autotrader/env' };
    }
    return null;
  }

  private redis(stages: Stage[]): SnippetMatch | null {
    if (stages.length !== 1) return null;
    const [verb, ...args] = stages[0]!.map((w) => w.text);
    switch (verb?.toUpperCase()) {
      case 'KEYS':
        return args.length === 1 && args[0] === 'worker:*' ? { actionId: 'queue.list', params: {}, note: 'SCAN, which does not block Redis, and each queue\'s length' } : null;
      case 'LLEN':
        return args.length === 1 ? { actionId: 'queue.peek', params: { queue: args[0]! }, note: null } : null;
      case 'LRANGE':
        return args.length === 3 && /^\d+$/.test(args[1]!) && /^-?\d+$/.test(args[2]!) ? { actionId: 'queue.peek', params: { queue: args[0]! }, note: null } : null;
      case 'DEL':
        return args.length === 1 ? { actionId: 'queue.clear', params: { queue: args[0]! }, note: 'shows the job count it removes' } : null;
      default:
        return null;
    }
  }
}
