// How a command is run so that it cannot outlive its SSH channel.
//
// sshd starts every non-pty session in a process group of its own (setsid). A `signal` channel
// request should reach it, but OpenSSH 9.2 (Debian 12) refuses them ("session signalling
// requires privilege separation" in its debug log), and when the link drops or the client only
// closes the channel sshd signals nothing: a `sleep 600` or `journalctl -f` runs on forever.
// So the command runs in the background of a small POSIX sh wrapper whose watcher reads the
// channel's stdin: EOF (we closed it, or sshd tore the session down) sends TERM to the whole
// process group, and KILL two seconds later to whatever ignored it. Without a pty, stdout and
// stderr stay separate and no CRLF is added. The integration tests fail without this wrapper.
//
// The same wrapper also runs as a *spare*: started ahead of need with no command, it reads the
// command from stdin (lines up to a random end line), then runs it exactly as above. A warm
// exec on a spare costs one round trip (our stdin out, output and exit status back) instead of
// two (channel open, then exec request), and the user's login shell and `sh` have already
// started by then. See SessionPool's spare handling and docs/ssh.md.

import { shellQuote } from '../shellQuote';

// A command whose text begins with this line is shell code for the wrapper's own shell, not a
// command: the wrapper evaluates it in place, and the code runs its command itself with
// opsdeck_run (below), after setting c. It may first define opsdeck_eof, which the watcher calls
// once the channel has closed (and once more before its KILL), and list in U the variables and in
// F the functions of its own that the command must not see. The team envelope's read-only runs
// use it (main/core/team/hostEnvelope.ts): their records are written by the watcher after the exit
// status has gone back, so no process is started between the command's end and the status.
export const OWN_SHELL_MARK = '#opsdeck-own-shell';

// opsdeck_run runs "$c". fd 3 keeps the channel's stdin for the watcher; the command itself gets
// /dev/null. The watcher is a `read` loop (a builtin: no process to start) and stays after the
// command has ended: at EOF it reaps whatever the command left behind in its process group.
const RUN_DEFINITIONS = [
  'U= F=',
  'opsdeck_eof() { :; }',
  'opsdeck_run() {',
  'exec 3<&0 </dev/null',
  // In a subshell of this POSIX sh (never the login shell: commands are POSIX-quoted, and fish
  // or csh would misread them): a fork, where `/bin/sh -c` would also load and start a new sh
  // (about 2 ms a command). The command sees none of the wrapper's variables, functions or
  // arguments.
  '( eval "unset c l f P U F $U; unset -f opsdeck_run opsdeck_eof $F; set --',
  '$c" ) 3<&- &',
  'p=$!',
  "{ trap '' TERM; while read -r _; do :; done <&3; opsdeck_eof; kill -TERM 0; sleep 2; opsdeck_eof; kill -KILL 0; } >/dev/null 2>&1 &",
  'exec 3<&-',
  'wait "$p"',
  '}',
].join('\n');
const RUN = `case $c in '${OWN_SHELL_MARK}'*) eval "$c" ;; *) opsdeck_run ;; esac`;

// `wait` returns the command's status, and sh exits with the status of its last command.
const WRAPPER = `c=$1\n${RUN_DEFINITIONS}\n${RUN}`;

// $1 is the end line. It first prints $1 on a line of its own: the pool writes a command only
// after it has seen that line, so a host that runs something else in its place (a ForceCommand,
// a shell that ignores the exec request) never gets a command on its stdin. Stdin closed before
// the end line (the pool dropped the spare): exit quietly.
// `read` takes one byte at a time from a pipe, so the watcher sees everything after the end line;
// that is also why a long command costs the warm path time. $P, the prelude (set ahead of this
// script when the spare has one), is text many commands begin with: input whose first line is
// the end line followed by "p" is the rest of a command that begins with it.
const SPARE = [
  'printf \'%s\\n\' "$1"',
  RUN_DEFINITIONS,
  'c= f=',
  'while IFS= read -r l; do',
  '  [ "$l" = "$1" ] && break',
  '  [ -z "$c$f" ] && [ "$l" = "$1p" ] && { f=1; continue; }',
  '  c="$c$l',
  '"',
  'done',
  '[ "$l" = "$1" ] || exit 0',
  '[ -z "$f" ] || c="$P$c"',
  RUN,
].join('\n');

/** The string handed to sshd: the user's login shell runs `sh -c WRAPPER opsdeck-exec COMMAND`. */
export function wrapCommand(command: string): string {
  return `sh -c ${shellQuote(WRAPPER)} opsdeck-exec ${shellQuote(command)}`;
}

/**
 * A spare's exec string: it prints endLine on a line of its own (its "ready"), then waits for
 * spareInput(command, endLine, prelude) on its stdin. endLine: [0-9a-f]{16,}. The prelude, text
 * that many commands begin with, travels here, when the spare starts, instead of with each such
 * command on the warm path.
 */
export function spareCommand(endLine: string, prelude = ''): string {
  if (!/^[0-9a-f]{16,}$/.test(endLine)) throw new Error('a spare end line must be 16 or more hex digits');
  if (prelude.includes('\0')) throw new Error('a prelude cannot contain a NUL byte');
  const script = prelude ? `P=${shellQuote(prelude)}\n${SPARE}` : SPARE;
  return `sh -c ${shellQuote(script)} opsdeck-spare ${endLine}`;
}

/**
 * What to write to a spare's stdin to run command (the spare started with spareCommand(endLine,
 * prelude)); the channel stays open (closing it cancels). A command that begins with the prelude
 * is sent without it.
 */
export function spareInput(command: string, endLine: string, prelude = ''): string {
  if (command.includes('\0')) throw new Error('a command cannot contain a NUL byte');
  // a command line equal to the end line would end the command early; with a random 128-bit
  // end line only a command that was built to collide could, and it would only cut itself short
  if (prelude && command.startsWith(prelude)) return `${endLine}p\n${command.slice(prelude.length)}\n${endLine}\n`;
  return `${command}\n${endLine}\n`;
}
