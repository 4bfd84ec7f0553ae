// A shell code block -> for each line, whether it is exactly a catalog action on the selected
// hosts, and if not, why. The block is parsed whole by tree-sitter-bash and walked statement by
// statement, carrying what changes a later line's meaning: an interactive client the lines are
// typed into (redis-cli and its host/port/db, ssh to another host, psql…) until its exit; here-
// document bodies (text, not commands); conditionals, loops, functions, lists and subshells;
// `cd`, exports and assignments, aliases, functions and sourced files; `exit`; and any part the
// parser could not read. Only a top-level statement alone on its line, in a context that leaves
// its meaning intact, can be offered as an action; everything else says why not.
import { hiddenCharacterWarning, visibleText } from '../../../../common/visibleText';
import { findPlaceholders, isRefusal, redisInvocation, type RedisTarget, type SnippetMatch, type SnippetMatcher } from '../SnippetMatcher';
import { withBashTree, type BashNode } from './bashParser';
import { commandWords, stagesOf } from './words';

export interface LineVerdict {
  kind: 'command' | 'continuation' | 'comment' | 'blank';
  match: SnippetMatch | null;
  /** why a line that looks like a command has no "Run on…" */
  withheld: string | null;
  /** what Copy and the preview must say about the line (a trailing comment, hidden characters) */
  warnings: string[];
}

interface Context {
  /** 1-based line of the first part the parser could not read */
  unreadable: number | null;
  ended: number | null;
  cwd: { dir: string; line: number } | null;
  vars: Array<{ name: string; line: number; exported: boolean }>;
  /** alias, function, source, set…: later commands may not mean what they say */
  redefined: { what: string; line: number } | null;
  /** the last interactive session and the line it ended on */
  session: { client: string; ended: number } | null;
}

/** Clients whose following lines are typed into them, not into the shell. */
const CLIENTS = new Set([
  'redis-cli',
  'psql',
  'mysql',
  'mariadb',
  'mongo',
  'mongosh',
  'sqlite3',
  'python',
  'python3',
  'node',
  'irb',
  'bash',
  'sh',
  'zsh',
  'su',
  'ssh',
  'sudo',
  'docker',
  'kubectl',
  'telnet',
  'nc',
  'ftp',
  'sftp',
]);
const SESSION_END = /^(exit|quit|logout|\\q|exit\(\)|quit\(\)|\.exit|QUIT|EXIT)\s*;?$/;
const REDEFINING = new Set(['alias', 'source', '.', 'set', 'shopt', 'enable', 'hash', 'trap', 'umask', 'unalias', 'builtin', 'command']);
/** variables that change how systemctl/journalctl behave; any other export cannot reach the unit */
const SYSTEMD_ENV = /^(PATH|LD_\w+|SYSTEMD_\w+|DBUS_\w+|XDG_\w+)$/;

const CONTAINERS: Readonly<Record<string, string>> = {
  if_statement: 'inside `if` ({line}): runs only when its condition holds',
  for_statement: 'inside a loop ({line}): runs once per pass, with the loop’s values',
  c_style_for_statement: 'inside a loop ({line}): runs once per pass, with the loop’s values',
  while_statement: 'inside a loop ({line}): runs once per pass',
  case_statement: 'inside `case` ({line}): runs only for a matching value',
  function_definition: 'inside a function definition ({line}): defines it, runs nothing',
  subshell: 'inside ( … ) ({line}): part of a larger command',
  compound_statement: 'inside { … } ({line}): part of a larger command',
  list: 'joined with && or || ({line}): runs only together with the rest of it',
  negated_command: 'negated with ! ({line}): part of a larger command',
};

const at = (row: number): string => `line ${row + 1}`;
/** A piece of the runbook inside a reason or warning: hidden characters escaped, so the message cannot be reordered by them. */
const quote = (text: string, max = 60): string => {
  const visible = visibleText(text).text;
  return `\`${visible.length > max ? `${visible.slice(0, max)}…` : visible}\``;
};

export function analyzeShellBlock(source: string, matcher: SnippetMatcher): LineVerdict[] {
  const lines = source.split('\n');
  const out: LineVerdict[] = lines.map((text) => ({ kind: text.trim() === '' ? 'blank' : 'comment', match: null, withheld: null, warnings: [] }));
  const ctx: Context = { unreadable: null, ended: null, cwd: null, vars: [], redefined: null, session: null };
  let start = 0;
  while (start < lines.length) {
    const next = walk(lines, start, ctx, out, matcher);
    if (next === null) break;
    start = next;
  }
  if (ctx.unreadable !== null) {
    for (let r = ctx.unreadable + 1; r < lines.length; r++) {
      const v = out[r]!;
      if ((v.kind === 'command' || v.kind === 'continuation') && !v.withheld && !v.match)
        v.withheld = `${at(ctx.unreadable)} is not valid shell, so what the lines after it mean cannot be followed`;
    }
  }
  lines.forEach((text, i) => {
    const hidden = hiddenCharacters(text);
    if (!hidden) return;
    out[i]!.warnings.push(hidden);
    if (out[i]!.match) {
      out[i]!.match = null;
      out[i]!.withheld = `never run: ${hidden}`;
    } else if (out[i]!.kind !== 'blank') out[i]!.withheld ??= `never run: ${hidden}`;
  });
  return out;
}

/** What a line's hidden characters are, made visible ("1 invisible … character …: `text`"), or null. */
export function hiddenCharacters(text: string): string | null {
  const visible = visibleText(text);
  const warning = hiddenCharacterWarning(visible);
  return warning ? `${warning}: ${quote(visible.text.trim(), 120)}` : null;
}

/** Parses lines[start…] and classifies them; returns where to go on after an interactive session, or null at the end. */
function walk(lines: string[], start: number, ctx: Context, out: LineVerdict[], matcher: SnippetMatcher): number | null {
  return withBashTree(lines.slice(start).join('\n'), (root) => {
    // the first part the parser could not read; applied once the walk reaches it, so that an
    // error in lines typed into a client (not shell) does not count
    const firstBad = firstUnreadableRow(root);
    const children = root.children.filter((c): c is BashNode => c !== null);
    const named = children.filter((c) => c.isNamed);
    const statements = named.filter((c) => c.type !== 'comment');
    for (let k = 0; k < children.length; k++) {
      const node = children[k]!;
      if (!node.isNamed) continue;
      const r0 = start + node.startPosition.row;
      const r1 = start + node.endPosition.row;
      if (firstBad !== null && ctx.unreadable === null && node.endPosition.row >= firstBad) ctx.unreadable = start + firstBad;
      if (node.type === 'comment') continue;
      out[r0]!.kind = 'command';
      for (let r = r0 + 1; r <= r1; r++) if (out[r]!.kind !== 'blank') out[r]!.kind = 'continuation';
      // two statements sharing a line are never one action
      const crowded = statements.some((o) => o !== node && o.startPosition.row <= node.endPosition.row && o.endPosition.row >= node.startPosition.row);

      const after = children[k + 1];
      const background = after && !after.isNamed && after.type === '&';
      const trailing = named.find((c) => c.type === 'comment' && c.startPosition.row === node.endPosition.row && c.startIndex >= node.endIndex);
      if (trailing)
        out[r0]!.warnings.push(
          `the line goes on after the command with a comment (${quote(trailing.text)}): Copy copies all of it; Run runs only ${quote(node.text)}`,
        );

      const session = sessionOf(node);
      if (session && ctx.unreadable === null && ctx.ended === null && !crowded && ctx.redefined === null) {
        out[r0]!.withheld = `opens ${session.label}: the lines after it are typed into it`;
        const resume = typedInto(lines, r1 + 1, session, out, matcher, r0);
        if (resume !== null) ctx.session = { client: session.client, ended: resume - 1 };
        return resume;
      }

      const verdict = decide(node, r0, r1, ctx, matcher, crowded, background === true, lines);
      if ('actionId' in verdict) out[r0]!.match = verdict;
      else out[r0]!.withheld = verdict.reason;
      innerLines(node, start, r0, out, lines);
      track(node, r0, ctx);
    }
    return null;
  });
}

function firstUnreadableRow(root: BashNode): number | null {
  if (!root.hasError) return null;
  let best: number | null = null;
  const visit = (n: BashNode) => {
    if (n.type === 'ERROR' || n.isMissing) best = best === null ? n.startPosition.row : Math.min(best, n.startPosition.row);
    else if (n.hasError) for (const c of n.children) if (c) visit(c);
  };
  visit(root);
  return best;
}

/** The verdict on a top-level statement's own line. */
function decide(
  node: BashNode,
  r0: number,
  r1: number,
  ctx: Context,
  matcher: SnippetMatcher,
  crowded: boolean,
  background: boolean,
  lines: string[],
): SnippetMatch | { reason: string } {
  if (ctx.ended !== null) return { reason: `after \`exit\` on ${at(ctx.ended)}: the shell has ended` };
  if (ctx.unreadable !== null && r1 >= ctx.unreadable) {
    return {
      reason:
        ctx.unreadable >= r0
          ? 'the bash parser cannot read this line, so it is never run'
          : `${at(ctx.unreadable)} is not valid shell, so what the lines after it mean cannot be followed`,
    };
  }
  if (crowded) return { reason: 'the line holds more than one command (; or &): Run would not do all of it' };
  if (background) return { reason: 'runs in the background (&)' };
  const container = CONTAINERS[node.type];
  if (container) return { reason: container.replace('{line}', at(r0)) };
  if (node.type === 'redirected_statement') return { reason: redirectReason(node) };
  if (node.type === 'declaration_command')
    return workerScale(node, r0, lines, matcher) ?? { reason: 'sets a variable in this shell only; no catalog action does that' };
  if (node.type === 'variable_assignment') return { reason: 'sets a variable in this shell only; no catalog action does that' };
  if (node.type !== 'command' && node.type !== 'pipeline') return { reason: 'not a command the console can read' };

  const name = node.type === 'command' ? (commandWords(node)?.[0]?.text ?? null) : null;
  if (name === 'cd') return { reason: 'changes the shell’s directory; no catalog action does that' };
  if (name === 'exit' || name === 'logout') return { reason: 'ends the shell' };
  if (name === 'ssh') return { reason: 'runs on another host through ssh, not on the selected hosts' };
  const stages = stagesOf(node);
  if (!stages) return { reason: 'a word’s value is only known when it runs (substitution, prefix assignment, expansion)' };
  const shape = matcher.matchStages(stages);
  if (isRefusal(shape) && ctx.session && name && /^[A-Z]+$/.test(name))
    return { reason: `a shell command here: the ${ctx.session.client} session ended on ${at(ctx.session.ended)}` };
  if (isRefusal(shape)) return shape;

  const text = node.text;
  const placeholders = findPlaceholders(text);
  if (placeholders.length) return { reason: `fill in ${placeholders.map((p) => p.label).join(', ')} first` };
  if (ctx.redefined) return { reason: `${quote(ctx.redefined.what)} on ${at(ctx.redefined.line)} may change what this line does` };
  const used = new Set(stages.flatMap((s) => s.flatMap((w) => w.vars)));
  const setHere = ctx.vars.find((v) => used.has(v.name));
  if (setHere) return { reason: `uses $${setHere.name}, set on ${at(setHere.line)} of this block; the action uses the host’s own value` };
  const systemd = /^(service|services|journal)\./.test(shape.actionId);
  const exported = ctx.vars.find((v) => v.exported && (!systemd || SYSTEMD_ENV.test(v.name)));
  if (exported) return { reason: `the block exports ${exported.name} on ${at(exported.line)} before this line; the action runs without it` };
  // these take a path relative to the app folder, where the action runs
  if ((shape.actionId === 'questrade.refresh-token' || shape.actionId === 'ibgateway.restart') && ctx.cwd && ctx.cwd.dir !== '/opt/autotrader') {
    return { reason: `after \`cd ${ctx.cwd.dir}\` on ${at(ctx.cwd.line)} the relative path means another file; the action runs in /opt/autotrader` };
  }
  return shape;
}

/** `export WORKER_COUNT=N` followed by `systemctl restart autotrader-workers`: together, workers.scale. */
function workerScale(node: BashNode, r0: number, lines: string[], matcher: SnippetMatcher): SnippetMatch | null {
  const m = /^export\s+WORKER_COUNT=(\d{1,2})$/.exec(node.text.trim());
  if (!m) return null;
  let next = r0 + 1;
  while (next < lines.length && (lines[next]!.trim() === '' || lines[next]!.trim().startsWith('#'))) next++;
  if (lines[next]?.trim() !== 'systemctl restart autotrader-workers') return null;
  const shape = matcher.checked({
    actionId: 'workers.scale',
    params: { count: Number(m[1]) },
    note: `this line and the restart on ${at(next)}: the count is written to /etc/autotrader/env, then the workers restart`,
  });
  return isRefusal(shape) ? null : shape;
}

function redirectReason(node: BashNode): string {
  const body = node.childForFieldName('body');
  const heredoc = node.descendantsOfType('heredoc_body')[0];
  const words = body?.type === 'command' ? commandWords(body) : null;
  if (heredoc && words?.[0]?.text === 'ssh') return `sends a here-document to ${quote(body!.text)}: it runs on another host`;
  if (heredoc) return `feeds a here-document to ${quote(body?.text ?? '')}`;
  return 'reads or writes a file through a redirect; no catalog action does that';
}

/** Lines inside a multi-line statement: here-document text, or commands inside a larger statement. */
function innerLines(node: BashNode, start: number, r0: number, out: LineVerdict[], lines: string[]): void {
  const headerRow = node.startPosition.row;
  for (const body of node.descendantsOfType('heredoc_body')) {
    if (!body) continue;
    const owner = node.childForFieldName('body');
    const ownerWords = owner?.type === 'command' ? commandWords(owner) : null;
    const host = ownerWords?.[0]?.text === 'ssh' ? ownerWords.slice(1).find((w) => !w.text.startsWith('-'))?.text : undefined;
    const why = host
      ? `text of a here-document sent to ssh ${host} (${at(r0)}): it runs on ${host}, not on the selected hosts`
      : `text of a here-document fed to ${quote(owner?.text ?? 'a command')} (${at(r0)}): not run as a command here`;
    for (let r = body.startPosition.row; r <= body.endPosition.row; r++) {
      const row = start + r;
      if (row !== start + headerRow && lines[row]?.trim()) out[row]!.withheld = why;
    }
  }
  const container = CONTAINERS[node.type];
  if (!container) return;
  for (const inner of [...node.descendantsOfType('command'), ...node.descendantsOfType('pipeline')]) {
    if (!inner) continue;
    const row = start + inner.startPosition.row;
    if (row !== r0 && lines[row]?.trim()) out[row]!.withheld ??= container.replace('{line}', at(r0));
  }
}

/** What a top-level statement changes for the lines after it. */
function track(node: BashNode, r0: number, ctx: Context): void {
  const line = r0;
  if (node.type === 'command') {
    const words = commandWords(node);
    const name = words?.[0]?.text;
    if (name === 'cd') ctx.cwd = { dir: words!.length === 2 ? words![1]!.text : '(unknown)', line };
    else if (name === 'exit' || name === 'logout') ctx.ended = line;
    else if (name && REDEFINING.has(name)) ctx.redefined = { what: node.text, line };
    else if (!words) {
      const raw = node.childForFieldName('name')?.text;
      if (raw && REDEFINING.has(raw)) ctx.redefined = { what: node.text, line };
    }
    // X=1 cmd sets X for cmd only
    return;
  }
  if (node.type === 'declaration_command' || node.type === 'variable_assignment') {
    const exported = node.type === 'declaration_command' && /^(export|declare\s+-\w*x)/.test(node.text);
    const names =
      node.type === 'variable_assignment'
        ? [node.childForFieldName('name')?.text]
        : node.namedChildren.map((c) =>
            c?.type === 'variable_assignment' ? c.childForFieldName('name')?.text : c?.type === 'variable_name' ? c.text : undefined,
          );
    for (const name of names) if (name) ctx.vars.push({ name, line, exported });
    return;
  }
  if (node.type === 'function_definition') {
    ctx.redefined = { what: node.text.split('\n')[0]!, line };
    return;
  }
  // a cd, export or definition inside a larger statement may or may not have happened
  if (node.descendantsOfType('command').some((c) => c && ['cd', 'pushd', 'popd'].includes(commandWords(c)?.[0]?.text ?? '')))
    ctx.cwd = { dir: '(unknown)', line };
  for (const d of [...node.descendantsOfType('declaration_command'), ...node.descendantsOfType('variable_assignment')]) {
    const name = d?.type === 'variable_assignment' ? d.childForFieldName('name')?.text : d?.namedChildren[0]?.childForFieldName('name')?.text;
    if (name && node.type !== 'subshell') ctx.vars.push({ name, line, exported: true });
  }
  if (
    node.descendantsOfType('function_definition').length ||
    node.descendantsOfType('command').some((c) => REDEFINING.has(commandWords(c!)?.[0]?.text ?? ''))
  ) {
    if (node.type !== 'subshell') ctx.redefined = { what: node.text.split('\n')[0]!, line };
  }
}

interface Session {
  client: string;
  label: string;
  /** redis-cli: where its commands go */
  redis: RedisTarget | null;
  /** ssh: the other host */
  host: string | null;
}

/** A bare interactive client (no command of its own), or null. */
function sessionOf(node: BashNode): Session | null {
  if (node.type !== 'command') return null;
  const words = commandWords(node)?.map((w) => w.text);
  const name = words?.[0];
  if (!words || !name || !CLIENTS.has(name)) return null;
  const args = words.slice(1);
  const label = quote(words.join(' '));
  switch (name) {
    case 'redis-cli': {
      const { target, command } = redisInvocation(args);
      return command.length === 0 ? { client: name, label, redis: target, host: null } : null;
    }
    case 'ssh': {
      const rest: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (/^-[pliJFoE]$/.test(args[i]!)) i++;
        else if (!args[i]!.startsWith('-')) rest.push(args[i]!);
      }
      return rest.length === 1 ? { client: name, label, redis: null, host: rest[0]! } : null;
    }
    case 'sudo':
      return args.length === 1 && /^-[is]$/.test(args[0]!)
        ? { client: 'sudo', label, redis: null, host: null }
        : args[0] === 'su'
          ? { client: 'su', label, redis: null, host: null }
          : null;
    case 'docker':
    case 'kubectl':
      return args[0] === 'exec' && args.some((a) => /^-\w*i/.test(a)) && /^(ba|z)?sh$/.test(args[args.length - 1] ?? '')
        ? { client: name, label, redis: null, host: null }
        : null;
    case 'python':
    case 'python3':
    case 'node':
    case 'irb':
    case 'bash':
    case 'sh':
    case 'zsh':
      return args.length === 0 ? { client: name, label, redis: null, host: null } : null;
    case 'su':
      return args.every((a) => a === '-' || /^[a-z_][a-z0-9_-]*$/.test(a)) && args.length <= 2 ? { client: name, label, redis: null, host: null } : null;
    case 'telnet':
    case 'nc':
      return null; // `telnet localhost 4001` is a check the catalog has; not followed as a session
    default:
      // database shells and file-transfer clients: options only (or a database file)
      return args.filter((a) => !a.startsWith('-')).length <= 1 ? { client: name, label, redis: null, host: null } : null;
  }
}

/** Lines typed into an interactive client, up to its exit; returns the line the shell resumes at. */
function typedInto(lines: string[], from: number, session: Session, out: LineVerdict[], matcher: SnippetMatcher, opened: number): number | null {
  let target = session.redis;
  for (let r = from; r < lines.length; r++) {
    const text = lines[r]!.trim();
    if (text === '') continue;
    const v = out[r]!;
    if (text.startsWith('#')) {
      v.kind = 'comment';
      continue;
    }
    v.kind = 'command';
    if (SESSION_END.test(text)) {
      v.withheld = `ends the ${session.client} session opened on ${at(opened)}`;
      return r + 1;
    }
    const where = `typed into ${session.label} (${at(opened)})`;
    if (session.host) {
      v.withheld = `${where}: runs on ${session.host}, not on the selected hosts`;
      continue;
    }
    if (!target) {
      v.withheld = `${where}, not a shell command`;
      continue;
    }
    const words = redisWords(text);
    if (!words) {
      v.withheld = `${where}: not a Redis command the console can read`;
      continue;
    }
    if (words[0]!.toUpperCase() === 'SELECT' && words.length === 2) {
      target = { ...target, db: words[1]! };
      v.withheld = `${where}: switches the session to db ${words[1]}`;
      continue;
    }
    const placeholders = findPlaceholders(text);
    const shape = placeholders.length ? { reason: `fill in ${placeholders.map((p) => p.label).join(', ')} first` } : matcher.matchRedis(words, target);
    if (isRefusal(shape)) v.withheld = `${where}: ${shape.reason}`;
    else v.match = shape;
  }
  return null;
}

/** redis-cli's words for the plain commands the queue actions cover; quoting is not followed. */
function redisWords(text: string): string[] | null {
  const words = text.split(/\s+/);
  return words.every((w) => /^[A-Za-z0-9:_*.-]+$/.test(w)) ? words : null;
}
