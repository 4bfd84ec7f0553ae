// The only URLs the app will hand to the system browser: loopback pages (our own tunnels)
// and the exact origins the config names (escalation targets). Anything else is refused, so
// a link in a hostile runbook or health detail cannot open an arbitrary site or scheme.
export function isAllowedExternalUrl(raw: string, allowedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost') && url.port !== '') return true;
  if (url.protocol !== 'https:') return false;
  return allowedOrigins.includes(url.origin);
}
