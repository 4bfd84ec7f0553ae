// The files behind app://opsdeck/: the built renderer folder, and nothing outside it. Resolved
// by real path, so a symlink or an encoded "../" cannot reach another file. No 'electron'
// import: appProtocol.ts hands it each request, and its test runs in plain Node.
import { readFile, realpath } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const APP_ORIGIN = 'app://opsdeck';
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

const CONTENT_TYPES = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.ico', 'image/x-icon'],
  ['.woff2', 'font/woff2'],
]);

export type AppFile = { status: 200; body: Buffer; type: string } | { status: 400 | 403 | 404; body: string };

/** The answer for one app:// URL, from the renderer folder `root`. */
export async function readAppFile(root: string, url: string): Promise<AppFile> {
  let parsed: URL;
  let pathname: string;
  try {
    parsed = new URL(url);
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return { status: 400, body: 'bad URL' };
  }
  // (compared by parts: for a scheme Node does not know, URL.origin is "null")
  if (parsed.protocol !== 'app:' || parsed.host !== 'opsdeck' || pathname.includes('\0')) return { status: 403, body: 'forbidden' };
  const realRoot = await realpath(root).catch(() => null);
  if (!realRoot) return { status: 404, body: 'the renderer is not built' };
  const file = normalize(join(realRoot, pathname === '/' ? '/index.html' : pathname));
  const real = await realpath(file).catch(() => null);
  if (!real) return { status: 404, body: 'not found' };
  if (!real.startsWith(realRoot + sep)) return { status: 403, body: 'forbidden' };
  const body = await readFile(real).catch(() => null);
  if (!body) return { status: 404, body: 'not found' };
  return { status: 200, body, type: CONTENT_TYPES.get(extname(real)) ?? 'application/octet-stream' };
}
