import { mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { get, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants as zlib, gunzipSync, gzipSync } from 'node:zlib';
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

  it("sends the build's compressed copies byte for byte, so no page load waits on compression", async () => {
    const code = Array.from({ length: 3000 }, (_, i) => `export const v${i} = ${(i * 7919) % 10007};`).join('\n');
    // levels the server does not use itself: the bytes tell which one was sent
    const br = brotliCompressSync(code, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } });
    const gz = gzipSync(code, { level: 1 });
    expect(br.equals(brotliCompressSync(code, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }))).toBe(false);
    expect(gz.equals(gzipSync(code, { level: 9 }))).toBe(false);
    await writeFile(join(root, 'assets', 'vendor-Ab12Cd34.js'), code);
    await writeFile(join(root, 'assets', 'vendor-Ab12Cd34.js.br'), br);
    await writeFile(join(root, 'assets', 'vendor-Ab12Cd34.js.gz'), gz);
    const sentBr = await fetchRaw('/assets/vendor-Ab12Cd34.js', { 'accept-encoding': 'br, gzip' });
    expect(sentBr.headers['content-encoding']).toBe('br');
    expect(sentBr.body.equals(br)).toBe(true);
    const sentGz = await fetchRaw('/assets/vendor-Ab12Cd34.js', { 'accept-encoding': 'gzip' });
    expect(sentGz.headers['content-encoding']).toBe('gzip');
    expect(sentGz.body.equals(gz)).toBe(true);
    // each encoding is its own representation: its own ETag, and a 304 for it
    expect(sentBr.headers.etag).not.toBe(sentGz.headers.etag);
    const again = await fetchRaw('/assets/vendor-Ab12Cd34.js', { 'accept-encoding': 'br, gzip', 'if-none-match': String(sentBr.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('never sends a compressed copy older than its file, nor one that leads out of the folder', async () => {
    const current = 'export const state = "current";\n'.repeat(100);
    await writeFile(join(root, 'assets', 'app.js'), current);
    // a copy left from an earlier build: older than the file
    await writeFile(join(root, 'assets', 'app.js.br'), brotliCompressSync('export const state = "stale";\n'.repeat(100)));
    const past = new Date(Date.now() - 3_600_000);
    await utimes(join(root, 'assets', 'app.js.br'), past, past);
    const stale = await fetchRaw('/assets/app.js', { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(stale.body).toString()).toBe(current);
    // a copy that is a symlink to a file outside the renderer's folder
    const outside = await mkdtemp(join(tmpdir(), 'opsdeck-static-outside-'));
    await writeFile(join(outside, 'secret.gz'), gzipSync('the private key'));
    await writeFile(join(root, 'assets', 'page-Zz98Yy76.js'), current);
    await symlink(join(outside, 'secret.gz'), join(root, 'assets', 'page-Zz98Yy76.js.gz'));
    const leaked = await fetchRaw('/assets/page-Zz98Yy76.js', { 'accept-encoding': 'gzip' });
    expect(gunzipSync(leaked.body).toString()).toBe(current);
    await rm(outside, { recursive: true, force: true });
  });

  it('reads Accept-Encoding as browsers send it, q=0 included', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('br;q=0, gzip')).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('identity')).toBeNull();
    expect(pickEncoding(undefined)).toBeNull();
  });
});
