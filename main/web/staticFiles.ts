// How the browser shell sends one file of the built renderer: compressed when the browser
// accepts it (brotli, else gzip) and cached by the browser. The build writes a compressed copy
// beside each asset (name.js.br, name.js.gz: electron.vite.config.ts), sent as it is when it is
// at least as new as the file and inside the renderer's folder by its real path; without one the
// file is compressed here once and kept while it is unchanged on disk. Vite names every asset by its content hash, so an asset is
// immutable for a year; index.html names the current assets, so it is never stored.
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { lookupTable } from '../../common/emptyRecord';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Text types worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;
/** Below this a compressed body saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 1024;
/** "index-DpA9MsuM.js": vite's content-hashed asset names */
const HASHED = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export type Encoding = 'br' | 'gzip';

/** The encoding to send for this Accept-Encoding, brotli first; null for none. */
export function pickEncoding(accept: string | undefined): Encoding | null {
  const offered = new Map<string, number>();
  for (const part of (accept ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    offered.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (offered.get(name) ?? offered.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : null;
}

export function cacheControl(file: string): string {
  const name = basename(file);
  if (name === 'index.html') return 'no-store';
  return HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

interface Compressed {
  mtimeMs: number;
  size: number;
  bodies: Partial<Record<Encoding, Buffer>>;
}

export class StaticFiles {
  private readonly compressed = new Map<string, Compressed>();

  /**
   * Send `file` (already resolved inside the static root and stat'ed) for `req`; `inside` says
   * whether a real path is inside the static root (for the compressed copy beside the file).
   */
  async send(
    req: IncomingMessage,
    res: ServerResponse,
    file: string,
    info: { size: number; mtimeMs: number },
    type: string,
    inside: (realPath: string) => boolean,
  ): Promise<void> {
    const encoding = COMPRESSIBLE.test(type) && info.size >= MIN_COMPRESS_BYTES ? pickEncoding(req.headers['accept-encoding']) : null;
    // each encoding is its own representation, so its own validator
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}${encoding ? `-${encoding}` : ''}"`;
    const headers: Record<string, string | number> = lookupTable({ 'Content-Type': type, 'Cache-Control': cacheControl(file), ETag: etag });
    if (COMPRESSIBLE.test(type)) headers.Vary = 'Accept-Encoding';
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    if (encoding) {
      const body = await this.body(file, info, encoding, inside).catch(() => null);
      if (body) {
        res.writeHead(200, { ...headers, 'Content-Encoding': encoding, 'Content-Length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
    }
    res.writeHead(200, { ...headers, 'Content-Length': info.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // The file can vanish between stat and open (a rebuild while serving): end this response,
    // never the process.
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  private async body(file: string, info: { size: number; mtimeMs: number }, encoding: Encoding, inside: (realPath: string) => boolean): Promise<Buffer> {
    let entry = this.compressed.get(file);
    if (!entry || entry.mtimeMs !== info.mtimeMs || entry.size !== info.size) {
      entry = { mtimeMs: info.mtimeMs, size: info.size, bodies: {} };
      this.compressed.set(file, entry);
    }
    const kept = entry.bodies[encoding];
    if (kept) return kept;
    const built = await this.builtCopy(file, info, encoding, inside);
    if (built) {
      entry.bodies[encoding] = built;
      return built;
    }
    const raw = await readFile(file);
    // brotli 9: most of quality 11's ratio at a fraction of its time, paid once per file
    const body =
      encoding === 'br'
        ? await brotli(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } })
        : await gz(raw, { level: 9 });
    entry.bodies[encoding] = body;
    return body;
  }

  /** The build's compressed copy beside `file`, if there is one that is current and inside the root. */
  private async builtCopy(file: string, info: { mtimeMs: number }, encoding: Encoding, inside: (realPath: string) => boolean): Promise<Buffer | null> {
    const real = await realpath(`${file}.${encoding === 'br' ? 'br' : 'gz'}`).catch(() => null);
    if (real === null || !inside(real)) return null;
    const copy = await stat(real).catch(() => null);
    // older than the file: left from an earlier build of a file with the same name
    if (!copy?.isFile() || copy.mtimeMs < info.mtimeMs) return null;
    return readFile(real).catch(() => null);
  }
}
