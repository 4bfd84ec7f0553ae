// The browser shell's session token and its socket's address. No imports: the page's boot
// module (boot.ts) uses these before React, zod and the app have been evaluated.
const TOKEN_KEY = 'opsdeck.token';

export interface LocationLike {
  readonly hash: string;
  readonly host: string;
  readonly protocol: string;
  readonly pathname: string;
  readonly search: string;
}

/**
 * Read the session token from `#token=…` and take it out of the visible URL (screenshots,
 * screen shares and bookmarks must not carry it). It is kept in sessionStorage, which lives
 * only as long as the tab, so a reload still connects.
 */
export function takeToken(location: LocationLike, history: Pick<History, 'replaceState'>, storage: Pick<Storage, 'getItem' | 'setItem'> | null): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    try {
      storage?.setItem(TOKEN_KEY, fromHash);
    } catch {
      // Storage can be disabled; the token still works for this page's lifetime.
    }
    return fromHash;
  }
  try {
    return storage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

export function webSocketUrl(location: LocationLike, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}
