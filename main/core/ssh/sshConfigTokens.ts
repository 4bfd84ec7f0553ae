// The percent and dollar expansions ssh applies to IdentityFile, ProxyCommand, ControlPath and
// the like (ssh.c default_client_percent_dollar_expand), with ssh's words when it refuses one.
import { createHash } from 'node:crypto';
import { lookupTable } from '../../../common/emptyRecord';

export class SshConfigError extends Error {}

export interface TokenContext {
  hostName: string;
  original: string;
  port: number;
  remoteUser: string;
  localUser: string;
  homeDir: string;
  localHostName: string;
  uid: number;
  hostKeyAlias: string | null;
  vars: Record<string, string | undefined>;
}

/** ssh.c default_client_percent_dollar_expand: %C %L %i %k %l %n %p %d %h %r %u %% and ${VAR}. */
export function expandTokens(value: string, t: TokenContext, what: string, dollar = true): string {
  const map: Record<string, string> = lookupTable({
    C: createHash('sha1')
      .update(`${t.localHostName}${t.hostName}${String(t.port)}${t.remoteUser}`)
      .digest('hex'),
    L: t.localHostName.split('.')[0]!,
    i: String(t.uid),
    k: t.hostKeyAlias ?? t.original,
    l: t.localHostName,
    n: t.original,
    p: String(t.port),
    d: t.homeDir,
    h: t.hostName,
    r: t.remoteUser,
    u: t.localUser,
  });
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (dollar && c === '$' && value[i + 1] === '{') {
      const end = value.indexOf('}', i + 2);
      if (end < 0) throw new SshConfigError(`${what}: environment variable in ${JSON.stringify(value)} is missing its closing '}'`);
      const name = value.slice(i + 2, end);
      const v = name ? t.vars[name] : undefined;
      if (v === undefined) throw new SshConfigError(`${what}: environment variable \${${name}} in ${JSON.stringify(value)} has no value`);
      out += v;
      i = end;
    } else if (c === '%') {
      const k = value[++i];
      if (k === '%') out += '%';
      else if (k !== undefined && map[k] !== undefined) out += map[k];
      else throw new SshConfigError(`${what}: unknown token %${k ?? ''} in ${JSON.stringify(value)}`);
    } else out += c;
  }
  return out;
}

/** HostName's only token is %h (and %%); ssh stops on any other. */
export function expandHostName(value: string, original: string): string {
  return value.replace(/%(.?)/g, (_m, c: string) => {
    if (c === 'h') return original;
    if (c === '%') return '%';
    throw new SshConfigError(`percent_expand: unknown key %${c}`);
  });
}
