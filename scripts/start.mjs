// `npm start`: build if the sources changed, then open the Electron app; where the Electron
// binary cannot be had (offline, air-gapped, or no display), say so in one line and open the
// browser shell instead. `npm start -- --web` goes straight to the browser shell.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const wantWeb = args.includes('--web');
const passThrough = args.filter((arg) => arg !== '--web');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const stamp = join(root, 'out', 'main', 'web.js');
  const sources = ['common', 'main', 'preload', 'renderer', 'sim', 'resources'].map((d) => join(root, d)).filter(existsSync);
  const newest = Math.max(...sources.map(newestMtime), statSync(join(root, 'package.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return;
  console.log('[opsdeck] building…');
  for (const [cmd, cmdArgs] of [
    ['npx', ['electron-vite', 'build']],
    ['npm', ['run', '--silent', 'build:sim']],
  ]) {
    const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) {
      console.error(`[opsdeck] build failed: ${cmd} ${cmdArgs.join(' ')}`);
      process.exit(result.status ?? 1);
    }
  }
}

/** The Electron binary's path, or the reason there is none. */
function electronBinary() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  }
  const require = createRequire(import.meta.url);
  let pkgDir;
  try {
    pkgDir = join(require.resolve('electron/package.json'), '..');
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const binary = () => (existsSync(pathFile) ? join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null);
  if (binary() && existsSync(binary())) return { path: binary() };
  // Electron downloads its binary on first use; on an offline machine this fails fast.
  const result = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { stdio: 'pipe', timeout: 60_000, encoding: 'utf8' });
  if (result.status === 0 && binary() && existsSync(binary())) return { path: binary() };
  const why = (result.stderr || result.error?.message || 'download failed').split('\n').find((line) => line.trim()) ?? 'download failed';
  return { reason: `cannot download it (${why.trim().slice(0, 120)})` };
}

buildIfStale();
const electron = wantWeb ? null : electronBinary();
if (electron?.path) {
  const child = spawn(electron.path, ['.', ...passThrough], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (electron) console.log(`[opsdeck] Electron is not available here: ${electron.reason}; opening the browser shell instead.`);
  startWeb();
}

function startWeb() {
  const child = spawn(process.execPath, [join(root, 'out', 'main', 'web.js'), ...passThrough], { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
