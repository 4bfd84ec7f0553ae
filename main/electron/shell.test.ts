// The Electron shell without an Electron binary (none can be downloaded here): load the BUILT
// main and preload bundles with a stand-in 'electron' module (main/electron/standIn/) and check
// what they would do in Electron. Run `npm run build` first; `npm test` does.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CALL_NAMES, EVENT_NAMES, ipcCallChannel, ipcEventChannel } from '../../common/contract';

const root = fileURLToPath(new URL('../..', import.meta.url));
const mainBundle = join(root, 'out/main/index.js');
const preloadBundle = join(root, 'out/preload/index.cjs');
const standIn = join(root, 'main/electron/standIn');

function requireBuilt(file: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
}

describe('Electron main bundle (stand-in electron)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-shell-'));
  const reportFile = join(dir, 'report.json');
  let report: {
    windows: { webPreferences: Record<string, unknown> }[];
    loaded: string[];
    schemes: { scheme: string; privileges: Record<string, boolean> }[];
    appAnswers: Record<string, { status: number; csp: string | null; type: string | null } | null>;
    permissionChecks: Record<string, boolean | string>;
    handlers: string[];
    openHandlerDenied: boolean;
    navigationPrevented: boolean;
    trustedCalls: {
      getFleet: { ok: boolean; value: { demo: boolean; hosts: unknown[] } };
      badPayload: { ok: boolean; error: { code: string; message: string } };
    };
    untrustedCalls: Record<string, string[]>;
    errors: string[];
  };

  // Boots the real bundle (demo fleet included) in a child process: seconds on a loaded machine.
  it('boots on the demo fleet and registers one handler per contract call', { timeout: 60_000 }, () => {
    requireBuilt(mainBundle);
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'hosts: []\n');
    const run = spawnSync(process.execPath, ['--import', join(standIn, 'register.mjs'), mainBundle, `--config=${config}`], {
      env: { ...process.env, OPSDECK_STANDIN_REPORT: reportFile, XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(existsSync(reportFile), `no report; main printed:\n${run.stdout}\n${run.stderr}`).toBe(true);
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.errors).toEqual([]);
    expect([...report.handlers].sort()).toEqual(CALL_NAMES.map(ipcCallChannel).sort());
  });

  it('creates its window with the secure web preferences', () => {
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0]!.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    // checklist items 9 and 10: no experimental features, no Blink features switched on
    expect(report.windows[0]!.webPreferences).not.toHaveProperty('experimentalFeatures');
    expect(report.windows[0]!.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(String(report.windows[0]!.webPreferences.preload)).toMatch(/out\/preload\/index\.cjs$/);
    expect(report.openHandlerDenied).toBe(true);
    expect(report.navigationPrevented).toBe(true);
    // DevTools only with --devtools, which this run did not pass
    expect(report.windows[0]!.webPreferences.devTools).toBe(false);
  });

  it('loads the page from app://opsdeck, never file://, and serves only the renderer folder there', () => {
    expect(report.loaded).toEqual(['app://opsdeck/index.html']);
    expect(report.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(report.appAnswers['app://opsdeck/index.html']).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(report.appAnswers['app://opsdeck/index.html']!.csp).toContain("connect-src 'none'");
    expect(report.appAnswers['app://opsdeck/%2e%2e/%2e%2e/package.json']!.status).not.toBe(200);
    expect(report.appAnswers['app://opsdeck/../main/index.js']!.status).toBe(404);
    expect(report.appAnswers['app://evil/index.html']!.status).toBe(403);
  });

  it('denies every permission check but notifications for its own page', () => {
    expect(report.permissionChecks).toEqual({
      'notifications app://opsdeck': true,
      'notifications https://evil.example': false,
      'media app://opsdeck': false,
      'geolocation app://opsdeck': false,
      'clipboard-read app://opsdeck': false,
    });
  });

  it('answers its own window and ignores other windows, subframes and foreign pages', () => {
    expect(report.trustedCalls.getFleet.ok).toBe(true);
    expect(report.trustedCalls.getFleet.value.demo).toBe(true);
    expect(report.trustedCalls.badPayload).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    for (const name of CALL_NAMES) expect(report.untrustedCalls[name], name).toEqual(['ignored', 'ignored', 'ignored']);
  });
});

describe('Electron main bundle with a broken config (stand-in electron)', () => {
  it('says why in an error box and exits, instead of lingering without a window', () => {
    requireBuilt(mainBundle);
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-shell-bad-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'hosts:\n  - id: a\n    port: 99999\n');
    const reportFile = join(dir, 'report.json');
    const run = spawnSync(process.execPath, ['--import', join(standIn, 'register.mjs'), mainBundle, `--config=${config}`], {
      env: { ...process.env, OPSDECK_STANDIN_REPORT: reportFile, XDG_STATE_HOME: dir, XDG_CONFIG_HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.windows).toEqual([]);
    expect(report.errorBoxes).toHaveLength(1);
    expect(report.errorBoxes[0].title).toBe('Opsdeck cannot start');
    expect(report.errorBoxes[0].content).toMatch(/config\.yaml:\d+: hosts\.0\./);
  }, 60_000);
});

describe('Electron preload bundle (stand-in electron)', () => {
  it('exposes exactly the contract as window.opsdeck, and nothing of ipcRenderer', async () => {
    requireBuilt(preloadBundle);
    const require = createRequire(import.meta.url);
    const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const original = moduleInternals._resolveFilename;
    moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
      return request === 'electron' ? join(standIn, 'electron.cjs') : original.call(this, request, ...rest);
    };
    try {
      const electron = require(join(standIn, 'electron.cjs'));
      require(preloadBundle);
      const { key, api } = electron.__report.exposed;
      expect(key).toBe('opsdeck');
      expect(Object.isFrozen(api)).toBe(true);
      expect(Object.keys(api).sort()).toEqual([...CALL_NAMES, 'on'].sort());

      await api.pollNow({ deploymentId: 'prod' });
      expect(electron.ipcRenderer.invoked.at(-1)).toEqual({ channel: ipcCallChannel('pollNow'), payload: { deploymentId: 'prod' } });

      const seen: unknown[] = [];
      const unsubscribe = api.on('onHealth', (payload: unknown) => seen.push(payload));
      electron.ipcRenderer.emit(ipcEventChannel('onHealth'), { updates: [] });
      expect(seen).toEqual([{ updates: [] }]);
      unsubscribe();
      expect(electron.ipcRenderer.listenerCount(ipcEventChannel('onHealth'))).toBe(0);
      expect(() => api.on('ipc-message', () => {})).toThrow(/unknown event/);
      expect(EVENT_NAMES.every((name) => typeof name === 'string')).toBe(true);
    } finally {
      moduleInternals._resolveFilename = original;
    }
  });
});
