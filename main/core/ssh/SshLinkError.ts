// The error a command, forward or connect gets when the link to the host is the trouble, not
// the command: its kind says whether the command may have run, which decides what the console
// may claim about the outcome.

/**
 * - `unreachable`: nothing was started (the host is down and waiting out its backoff, or its
 *   link is unresponsive): the command certainly did not run.
 * - `unresponsive`: the link froze while the command ran (no answer within the liveness
 *   window): it may have run to the end, partly, or not at all.
 * - `connection-lost`: the connection closed before the command's exit status came back: it
 *   may have run to the end, partly, or not at all.
 */
export type SshLinkErrorKind = 'unreachable' | 'unresponsive' | 'connection-lost';

export class SshLinkError extends Error {
  override readonly name = 'SshLinkError';

  constructor(
    readonly kind: SshLinkErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The link error's kind, or null for any other error (by shape, so it holds across bundles). */
export function sshLinkErrorKind(err: unknown): SshLinkErrorKind | null {
  if (!(err instanceof Error) || err.name !== 'SshLinkError') return null;
  const kind = (err as { kind?: unknown }).kind;
  return kind === 'unreachable' || kind === 'unresponsive' || kind === 'connection-lost' ? kind : null;
}

/** True when the command may have run although its result never came back: the outcome is unknown. */
export function outcomeUnknown(err: unknown): boolean {
  const kind = sshLinkErrorKind(err);
  return kind === 'unresponsive' || kind === 'connection-lost';
}
