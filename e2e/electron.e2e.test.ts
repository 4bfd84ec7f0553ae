// The real Electron app, where an Electron binary exists. On machines where it cannot be
// downloaded (CI here: no network beyond the package registries) the test reports itself as
// not run, with the reason; the browser-shell specs and main/electron/shell.test.ts cover the
// same code meanwhile.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/webShell';

function electronBinary(): { path: string } | { reason: string } {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
  const binary = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { reason: `${binary} is missing` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'no display to open a window on' };
  return { path: binary };
}

describe('the Electron app', () => {
  it('opens its secure window on the demo fleet', async (context) => {
    const electron = electronBinary();
    if (!('path' in electron)) {
      context.skip(`not run: ${electron.reason}`);
      return;
    }
    const home = mkdtempSync(join(tmpdir(), 'opsdeck-electron-'));
    const config = join(home, 'config.yaml');
    writeFileSync(config, 'hosts: []\n');
    const app = await _electron.launch({
      executablePath: electron.path,
      args: [REPO, `--config=${config}`],
      env: { ...process.env, XDG_STATE_HOME: home },
    });
    try {
      const window = await app.firstWindow();
      await expect.poll(() => window.getByText('DEMO', { exact: true }).count(), { timeout: 20_000 }).toBeGreaterThan(0);
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => Object.keys((globalThis as unknown as { opsdeck: object }).opsdeck).length)).toBeGreaterThan(3);
      await window.screenshot({ path: join(REPO, 'e2e', 'output', 'electron-demo.png') });
    } finally {
      await app.close();
    }
  });
});
