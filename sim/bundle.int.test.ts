import { execFile, spawn } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointBody } from '../common/health';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
let dir: string;
let bundle: string;

beforeAll(async () => {
  // a temp dir with no node_modules anywhere above it: the file must carry everything
  dir = mkdtempSync(join(tmpdir(), 'sim-bundle-'));
  bundle = join(dir, 'autotrader-sim.mjs');
  await run(process.execPath, [join(root, 'sim/build.mjs'), '--outfile', bundle], { cwd: root });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled simulator (npm run build:sim)', () => {
  it('imports nothing but node built-ins', () => {
    const text = readFileSync(bundle, 'utf8');
    const specifiers = [...text.matchAll(/^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect(specifiers.filter((s) => !builtins.has(s as string))).toEqual([]);
    expect(text).not.toMatch(/\brequire\(["'](?!node:)[^"']+["']\)/);
  });

  it('runs standalone from a temp dir: prints its URL, answers, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bundle, '--port', '0', '--scenario', 'rate-limited'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${firstLine}/api/health/rate-limits`);
      const parsed = parseEndpointBody('rateLimits', await res.json());
      expect(parsed.items.coingecko).toMatchObject({ ok: true, value: { used: 45, limit: 50, recent_429: 3 } });
      const overview = (await (await fetch(`${firstLine}/api/health`)).json()) as { uptime_seconds: number };
      expect(overview.uptime_seconds).toBeLessThan(5);
      expect(stderr).toMatch(/listening/);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
    expect(code).toBe(0);
  });

  it('refuses a bad flag with a message naming it and exit status 2', async () => {
    const result = await run(process.execPath, [bundle, '--scenario', 'meltdown'], { cwd: dir }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toMatch(/--scenario "meltdown" is not one of normal, freshness-stale/);
  });
});
