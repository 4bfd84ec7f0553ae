// What a run looks like on the host itself, so that several consoles on one fleet share one
// truth without a server of their own:
//
// - a lock per scope (a unit, a queue, a config file, the host) under /run/lock/opsdeck, held
//   with flock(1) by the envelope shell for exactly the command's life. The kernel drops a
//   flock when its last holder exits, so a console that dies or a link that drops frees the
//   lock as soon as the exec wrapper's watcher has ended the command (docs/ssh.md);
// - a holder file beside each lock ("who, what, since when") that another console reads before
//   its preview and when its run is refused;
// - the run's intent and outcome written to the host's journal with structured fields
//   (SYSLOG_IDENTIFIER=opsdeck), which the team's log shipping already carries and every
//   console follows by cursor (TeamActivity).
//
// All of it happens in the same exec as the command, so the warm path gains no round trip; a
// read-only run (no lock) also gains no process before its exit status goes back beyond the
// subshell its command runs in, and writes both records afterwards.
// flock(1) and logger(1) are util-linux, present on every Debian-like host; `logger --journald`
// writes the structured entry over journald's socket. A host without journald still runs the
// command under its lock; it only keeps no record (docs/team.md).
import { createHash } from 'node:crypto';
import { shellQuote } from '../shellQuote';
import { OWN_SHELL_MARK } from '../ssh/execWrapper';

export const LOCK_DIR = '/run/lock/opsdeck';
/** EX_TEMPFAIL: the envelope's own exit status when a lock is held by someone else */
export const LOCK_HELD_EXIT = 75;
/** the line the envelope prints on stderr before exiting with LOCK_HELD_EXIT */
export const LOCK_HELD_MARK = 'opsdeck-lock-held';
/** descriptors 4..9 carry the locks; fd 3 belongs to the exec wrapper's watcher */
const FIRST_LOCK_FD = 4;
export const MAX_SCOPES = 6;

/** Who holds a lock, as the holder file on the host says. */
export interface LockHolderRecord {
  user: string;
  console: string;
  actionId: string;
  title: string;
  runId: string;
  /** ISO time the run started, as the holding console's clock read it */
  started: string;
}

/** The fields every host record of a run carries. */
export interface RunRecordFields {
  runId: string;
  user: string;
  console: string;
  actionId: string;
  /** the exact command the run executes */
  command: string;
  /** the local audit chain's head when the intent was written */
  chainHead: string;
  /** the alert the run was started from (its key, deployment/rule/item, and when it fired); absent: none */
  alert?: { key: string; firedAt: string | null } | null | undefined;
}

/**
 * A lock scope as a file name: readable where the scope is ("autotrader-api",
 * "queue_worker_scanner_queue-1a2b3c4d"), with a digest whenever characters had to be replaced,
 * so two scopes that differ only in those characters never share a lock.
 */
export function scopeFileName(scope: string): string {
  if (scope === '') throw new Error('a lock scope cannot be empty');
  const plain = scope
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 80);
  if (plain === scope) return plain;
  return `${plain}-${createHash('sha256').update(scope).digest('hex').slice(0, 8)}`;
}

// The command's JSON form (OPSDECK_COMMAND) is sent only when it is not the command run in double
// quotes: when the record names another command, or the command holds a double quote, a backslash
// or a control character (JSON.stringify's escapes). Most commands then travel once: a warm spare
// reads its input one byte at a time. An empty j stands for the command, quoted.
const plainCommandJson = (commandVar: string) => `[ -n "$j" ] || j="\\"${commandVar}\\""`;

// One journal entry per call of rec: FIELD=value lines on logger's stdin, from a here-document
// (dash writes it into a pipe itself: no process for the writer). Values never hold a newline (the
// command travels JSON-encoded), so one line is one field; $3, last, may add lines of its own.
// logger ends an entry at its first empty line, so an empty $3 ends it where it should.
const REC = [
  'rec() {',
  'logger --journald <<E >/dev/null 2>&1 || :',
  'MESSAGE=$2',
  'SYSLOG_IDENTIFIER=opsdeck',
  'OPSDECK_EVENT=$1',
  'OPSDECK_RUN=$r',
  'OPSDECK_USER=$u',
  'OPSDECK_CONSOLE=$k',
  'OPSDECK_ACTION=$a',
  'OPSDECK_COMMAND=$j',
  'OPSDECK_CHAIN_HEAD=$h',
  'OPSDECK_ALERT=$e',
  '$3',
  'E',
  '}',
  // the outcome record: $1 is the exit status, $2 the outcome when the run was cut off
  // (interrupted), else it follows from $1
  'outcome() {',
  '  o=$2; [ -n "$o" ] || if [ "$1" = 0 ]; then o=succeeded; else o=failed; fi',
  '  if [ "$o" = interrupted ]; then m="opsdeck: $a ($r) cut off: its channel closed"; else m="opsdeck: $a ($r) $o, exit $1"; fi',
  '  rec outcome "$m" "OPSDECK_OUTCOME=$o',
  'OPSDECK_EXIT=$1"',
  '}',
].join('\n');

// Both records of a read-only run, written once it has ended by a process of a session of its
// own (setsid): the exec wrapper ends the command's process group when the channel closes, which
// happens as soon as the exit status is back, and the warm path does not wait on the journal.
const RECORD_AFTER = [
  'r=$1 u=$2 k=$3 a=$4 j=$5 h=$6 e=${11}',
  plainCommandJson('$9'),
  REC,
  'rec intent "opsdeck: $u started $a ($r)"',
  'outcome "$7" "$8"',
  // the status file the run left for the exec wrapper's watcher (below), when it came from there
  '[ -z "${10}" ] || rm -f "${10}"',
].join('\n');

// The command runs in a subshell of the envelope (a fork, no new sh to exec and start) in the
// background, and the envelope waits for it, so that a TERM from the exec wrapper (the channel
// closed: console gone, link dropped) reaches the envelope's trap at once. A subshell resets the
// traps its parent caught, so the command gets TERM, HUP and PIPE as it would from /bin/sh -c;
// it sees none of the envelope's fields. The trap first leaves the dead
// channel's pipes (a write there would end it with SIGPIPE), records the cut-off run, then waits
// for the command, which got the same TERM.
// When the channel is gone the shell's own job report ("Terminated") hits a dead pipe; SIGPIPE
// would end the envelope before its TERM trap records anything, hence `trap : PIPE`.
const runCommand = (closeFds: string) => `(${closeFds}unset r u k a j h e w d n s i f; unset -f t z rec outcome; eval "unset c
$c") & p=$!`;

// A read-only run: no lock, and no process between the command's end and its exit status going
// back. The envelope runs in the exec wrapper's own shell (OWN_SHELL_MARK, execWrapper.ts), which
// runs the command as it runs any other, in a subshell, and waits for it. After the command it
// only writes the status to a file of its own (a builtin redirection: no process) and exits with
// it. The exec wrapper's watcher, which is already running, finds that file once the channel has
// closed, after the status has gone back, and forks the record process that writes both records
// and removes the file. When the file cannot be written (no writable TMPDIR or /tmp), the shell
// forks the record process itself before it exits, as it does when the run is cut off: TERM
// (the channel closed while the command ran) leaves the dead channel's pipes (a write there would
// end it with SIGPIPE), records the run as interrupted, then waits for the command, which got the
// same TERM. A TERM that comes once the status is known changes nothing: the watcher looks for the
// file again before its KILL. The record process gets TERM and HUP ignored (a signal ignored at
// fork stays ignored), so the group's TERM cannot end it, and setsid(1) takes it out of the group
// before the KILL two seconds later; it runs at nice 19, so its execs and journald's work do not
// take CPU from sshd (bench/actions-fanout measured the difference).
// The read-only body is the same for every run: it is defined as a function ahead of the run's
// fields, so the text of every read-only envelope begins with READ_ONLY_PRELUDE. A spare session
// started with that prelude (SessionPoolDeps.sparePrelude) already holds it and is sent only the
// fields and the call: the spare reads its input one byte at a time, and the body is most of it.
const READ_ONLY_RUN = 'opsdeck_read';
const readOnlyBody = (): string =>
  [
    `t() { exec </dev/null >/dev/null 2>&1; trap '' TERM HUP; { n=; command -v nice >/dev/null && n='nice -n 19'; exec $n setsid /bin/sh -c ${shellQuote(RECORD_AFTER)} opsdeck-record "$r" "$u" "$k" "$a" "$j" "$h" "$1" "$2" "$c" "$3" "$e"; } & }`,
    'opsdeck_eof() { [ -n "$S" ] && [ -r "$S" ] && read -r o <"$S" && { t "$o" "" "$S"; S=; }; }',
    'trap : PIPE',
    'trap \'[ -n "$s" ] || { exec >/dev/null 2>&1; t 143 interrupted; wait "$p"; exit 143; }\' TERM HUP',
    // what the command must not see of the envelope (execWrapper's U and F)
    `s= S=\${TMPDIR:-/tmp}/opsdeck-$r.status U='r u k a j h e s S o n' F='t ${READ_ONLY_RUN}'`,
    'opsdeck_run; s=$?',
    '{ set -C; echo "$s" >"$S"; } 2>/dev/null || { S=; t "$s" ""; }',
    'exit "$s"',
  ].join('\n');

/** How every read-only envelope begins (see wrapInEnvelope): its body, as a function. */
export const READ_ONLY_PRELUDE = `${OWN_SHELL_MARK}\n${READ_ONLY_RUN}() {\n${readOnlyBody()}\n}\n`;

// A run under locks: every scope's lock or none, the holder files, the intent, the command with
// the lock descriptors closed (the lock is the envelope's, held until the command has ended; a
// daemon the command leaves behind cannot keep it), the outcome, then the exit. Both records are
// written while the lock is held, so a host's journal shows one holder's run after another.
// The holder files are emptied before the lock goes (a builtin redirection, no process), so a
// holder file read while its lock is held is the holder's or still empty, never the last run's.
// A refused run that finds it empty has come between the winner's flock and its holder line:
// it reads again for up to half a second (the only place the envelope may sleep, and only when
// it is not going to run anything).
const lockedBody = (files: readonly string[]): string => {
  const fds = files.map((_f, i) => FIRST_LOCK_FD + i);
  const scopes = files.map(shellQuote).join(' ');
  return [
    plainCommandJson('$c'),
    REC,
    `z() { for f in ${scopes}; do : > "$d/$f.holder"; done; }`,
    ...(files.length
      ? [
          `command -v flock >/dev/null 2>&1 || { echo "${LOCK_HELD_MARK} - this host has no flock(1) (util-linux): its locks cannot be taken" >&2; exit ${LOCK_HELD_EXIT}; }`,
          `mkdir -p "$d" 2>/dev/null || { echo "${LOCK_HELD_MARK} cannot create $d" >&2; exit ${LOCK_HELD_EXIT}; }`,
          `n=${FIRST_LOCK_FD}`,
          `for s in ${scopes}; do`,
          `  eval "exec $n>>\\"\\$d/\\$s.lock\\"" 2>/dev/null || { echo "${LOCK_HELD_MARK} cannot open $d/$s.lock" >&2; exit ${LOCK_HELD_EXIT}; }`,
          '  if ! flock -n "$n"; then',
          '    i=0; while w=$(cat "$d/$s.holder" 2>/dev/null); [ -z "$w" ] && [ $i -lt 10 ]; do sleep 0.05; i=$((i+1)); done',
          `    printf '%s %s %s\\n' ${LOCK_HELD_MARK} "$s" "$w" >&2`,
          `    exit ${LOCK_HELD_EXIT}`,
          '  fi',
          '  n=$((n+1))',
          'done',
          `for s in ${scopes}; do printf '%s\\n' "$w" > "$d/$s.holder"; done`,
        ]
      : []),
    'rec intent "opsdeck: $u started $a ($r)"',
    'trap : PIPE',
    'trap \'exec >/dev/null 2>&1; outcome 143 interrupted; wait "$p"; z; exit 143\' TERM HUP',
    runCommand(fds.length ? `exec ${fds.map((fd) => `${fd}>&-`).join(' ')}; ` : ''),
    'wait "$p"; s=$?',
    'trap - TERM HUP',
    'outcome "$s"',
    'z',
    'exit "$s"',
  ].join('\n');
};

// Prints one line per held scope: "opsdeck-lock-held SCOPE HOLDER-JSON". A scope nobody holds
// prints nothing. The mark keeps these lines apart from the action's own precheck output, which
// runs in the same exec and may print anything.
const PROBE = [
  `d=$1; m=${LOCK_HELD_MARK}; shift`,
  'for s do',
  '  [ -e "$d/$s.lock" ] || continue',
  '  flock -n "$d/$s.lock" true 2>/dev/null && continue',
  '  h=$(cat "$d/$s.holder" 2>/dev/null); printf \'%s %s %s\\n\' "$m" "$s" "$h"',
  'done',
  'exit 0',
].join('\n');

function field(name: string, value: string): string {
  if (/[\n\r\0]/.test(value)) throw new Error(`${name} cannot hold a line break or NUL: ${JSON.stringify(value)}`);
  return value;
}

/**
 * The command to execute instead of `command`: it takes every scope's lock (or exits with
 * LOCK_HELD_EXIT naming the holder), records the intent in the journal, runs the command,
 * records the outcome and exits with the command's status. `recordAfter` (read-only runs, which
 * take no lock): both records are written once the command has ended, without holding up its
 * exit status. The result is shell code run as it is by the exec wrapper's /bin/sh, with the
 * fields as a line of assignments: no `sh -c` of its own to start, and only the part its kind
 * of run needs (a warm spare reads its input one byte at a time). A read-only envelope is
 * READ_ONLY_PRELUDE, then the fields and the prelude's call: a spare that holds the prelude is
 * sent only those.
 */
export function wrapInEnvelope(
  command: string,
  scopes: readonly string[],
  record: RunRecordFields,
  holder: LockHolderRecord,
  options: { lockDir?: string; recordAfter?: boolean } = {},
): string {
  const files = [...new Set(scopes.map(scopeFileName))];
  if (files.length > MAX_SCOPES) throw new Error(`an action can hold at most ${MAX_SCOPES} locks; it asked for ${files.length}`);
  if (options.recordAfter && files.length) throw new Error('a run that records after its command takes no lock');
  // a read-only run names its status file after its run id
  if (options.recordAfter && !/^[A-Za-z0-9._-]{1,80}$/.test(record.runId))
    throw new Error(`a run id must be letters, digits, '.', '_' or '-': ${JSON.stringify(record.runId)}`);
  const fields: [string, string][] = [
    ['r', field('run id', record.runId)],
    ['u', field('user', record.user)],
    ['k', field('console', record.console)],
    ['a', field('action', record.actionId)],
    // empty: the command itself, quoted (plainCommandJson); set even then, or a `j` in the host's environment would stand in
    ['j', record.command === command && JSON.stringify(command) === `"${command}"` ? '' : JSON.stringify(record.command)],
    ['h', field('chain head', record.chainHead)],
    // JSON, as the command is: one line whatever the health API named the item
    ['e', record.alert ? JSON.stringify({ key: record.alert.key, firedAt: record.alert.firedAt }) : ''],
    ...(options.recordAfter
      ? []
      : ([
          ['w', JSON.stringify(holder)],
          ['d', options.lockDir ?? LOCK_DIR],
        ] as [string, string][])),
    ['c', command],
  ];
  // an empty field as a bare `name=`: the warm path's bytes are read one at a time
  const assign = fields.map(([name, value]) => (value === '' ? `${name}=` : `${name}=${shellQuote(value)}`)).join(' ');
  return options.recordAfter ? `${READ_ONLY_PRELUDE}${assign}\n${READ_ONLY_RUN}\n` : `${assign}\n${lockedBody(files)}\n`;
}

/** A read-only command printing who holds any of `scopes` on the host. */
export function lockProbeCommand(scopes: readonly string[], lockDir = LOCK_DIR): string {
  const files = [...new Set(scopes.map(scopeFileName))];
  return `sh -c ${shellQuote(PROBE)} opsdeck-lock-probe ${[lockDir, ...files].map(shellQuote).join(' ')}`;
}

export interface HeldLock {
  scopeFile: string;
  /** null when the holder file could not be read or parsed (a holder from an older console) */
  holder: LockHolderRecord | null;
}

function parseHolder(text: string): LockHolderRecord | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolderRecord> | null;
    if (!v || typeof v !== 'object') return null;
    const s = (x: unknown) => (typeof x === 'string' ? x : '');
    return { user: s(v.user), console: s(v.console), actionId: s(v.actionId), title: s(v.title), runId: s(v.runId), started: s(v.started) };
  } catch {
    return null;
  }
}

/** Reads lockProbeCommand's lines out of an exec's output; `rest` is every other line, in order. */
export function parseLockProbe(lines: readonly string[]): { held: HeldLock[]; rest: string[] } {
  const held: HeldLock[] = [];
  const rest: string[] = [];
  const mark = new RegExp(`^${LOCK_HELD_MARK} (\\S+) ?(.*)$`);
  for (const line of lines) {
    const m = mark.exec(line);
    if (m) held.push({ scopeFile: m[1]!, holder: parseHolder(m[2]!) });
    else rest.push(line);
  }
  return { held, rest };
}

/** Finds the envelope's refusal in a run's stderr; null when the run was not refused for a lock. */
export function parseLockRefusal(stderr: string): HeldLock | string | null {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith(`${LOCK_HELD_MARK} `)) continue;
    const rest = line.slice(LOCK_HELD_MARK.length + 1);
    // "- why" or "cannot …": the lock could not be taken at all, and the line says why
    if (rest.startsWith('- ')) return rest.slice(2);
    if (rest.startsWith('cannot ')) return rest;
    const space = rest.indexOf(' ');
    if (space < 0) return { scopeFile: rest, holder: null };
    return { scopeFile: rest.slice(0, space), holder: parseHolder(rest.slice(space + 1)) };
  }
  return null;
}

/** "held by alice: restart autotrader-ingestion, 40 s", for the preview and the refusal. */
export function describeHolder(held: HeldLock, now: number): string {
  const h = held.holder;
  if (!h || !h.user) return `${held.scopeFile} is locked on the host by another console`;
  const started = Date.parse(h.started);
  const age = Number.isFinite(started) ? `, ${formatAge(Math.max(0, now - started))}` : '';
  return `held by ${h.user}${h.console ? ` (${h.console})` : ''}: ${h.title || h.actionId}${age}`;
}

function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  return `${Math.round(m / 60)} h`;
}
