// The system browser for the two things the host view opens: our own loopback tunnels and the
// escalation URLs the config names. Everything else is refused here as well as in core, so a
// bug upstream cannot turn a string from a host or a runbook into an arbitrary site.
import { shell } from 'electron';
import { isAllowedExternalUrl } from '../core/externalLinks';

/** For OpsAppOptions.openExternal; `allowedOrigins` is EscalationService.allowedOrigins(). */
export function createOpenExternal(allowedOrigins: () => readonly string[]): (url: string) => Promise<boolean> {
  return async (url) => {
    if (!isAllowedExternalUrl(url, allowedOrigins())) return false;
    await shell.openExternal(url, { activate: true });
    return true;
  };
}
