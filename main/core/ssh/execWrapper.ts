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

import { shellQuote } from '../shellQuote';

// fd 3 keeps the channel's stdin for the watcher; the command itself gets /dev/null.
const WRAPPER = [
  'exec 3<&0 </dev/null',
  // /bin/sh, not the login shell: commands are POSIX-quoted, and fish or csh would misread them
  '/bin/sh -c "$1" 3<&- &',
  'c=$!',
  "{ trap '' TERM; cat <&3 >/dev/null 2>&1; kill -TERM 0; sleep 2; kill -KILL 0; } >/dev/null 2>&1 &",
  'w=$!',
  'exec 3<&-',
  'wait "$c"; r=$?',
  'kill "$w" 2>/dev/null',
  'exit "$r"',
].join('\n');

/** The string handed to sshd: the user's login shell runs `sh -c WRAPPER opsdeck-exec COMMAND`. */
export function wrapCommand(command: string): string {
  return `sh -c ${shellQuote(WRAPPER)} opsdeck-exec ${shellQuote(command)}`;
}
