import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallHandlers } from '../../common/contract';
import { EventHub } from '../core/bridge/EventHub';
import { pickEncoding } from './staticFiles';
import { WebShellServer } from './WebShellServer';

// The real server over real HTTP (node:http, which does not decode bodies), so the test sees the
// bytes on the wire and the headers a browser gets.
let server: WebShellServer;
let root: string;
const script = `export const page = ${JSON.stringify('x'.repeat(20_000))};\n`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'opsdeck-static-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), `<!doctype html><title>Opsdeck</title>${'<!-- pad -->'.repeat(200)}`);
  await writeFile(join(root, 'assets', 'index-DpA9MsuM.js'), script);
  await writeFile(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  server = new WebShellServer({ handlers: {} as CallHandlers, hub: new EventHub(), staticRoot: root });
  await server.listen();
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

function fetchRaw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('the browser shell sends the renderer compressed and cacheable', () => {
  it('brotli when the browser takes it: fewer bytes on the wire, the same script once decoded, kept for a year', async () => {
    const res = await fetchRaw('/assets/index-DpA9MsuM.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(res.body).toString()).toBe(script);
  });

  it('gzip for a browser without brotli; as is for one that asks for nothing', async () => {
    const gz = await fetchRaw('/assets/index-DpA9MsuM.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);
    const plain = await fetchRaw('/assets/index-DpA9MsuM.js', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('index.html is never stored (it names the current assets); a file without a hash is revalidated by its ETag', async () => {
    const index = await fetchRaw('/', { 'accept-encoding': 'br' });
    expect(index.headers['cache-control']).toBe('no-store');
    expect(brotliDecompressSync(index.body).toString()).toBe(await readFile(join(root, 'index.html'), 'utf8'));
    const svg = await fetchRaw('/favicon.svg');
    expect(svg.headers['cache-control']).toBe('no-cache');
    const again = await fetchRaw('/favicon.svg', { 'if-none-match': String(svg.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('reads Accept-Encoding as browsers send it, q=0 included', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('br;q=0, gzip')).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('identity')).toBeNull();
    expect(pickEncoding(undefined)).toBeNull();
  });
});
