// The Electron entry: lifecycle and wiring only. Every behaviour lives in main/core and the
// renderer, so the browser shell, which the tests drive, exercises the same product.
import { app, dialog } from 'electron';
import { fileURLToPath } from 'node:url';
import { bootstrap, consoleLogger } from './core/bootstrap';
import { startDemoFleet } from './demo/loadDemoFleet';
import { showAlertNotifications } from './electron/alertNotifications';
import { IpcServer } from './electron/ipcServer';
import { createOpenExternal } from './electron/openExternal';
import { safeStorageCipher } from './electron/safeStorageCipher';
import { createSecureWindow, installContentSecurityPolicy } from './electron/secureWindow';
import { registerAppScheme, serveApp } from './electron/appProtocol';
import { APP_INDEX_URL } from './electron/appFiles';

const outDir = fileURLToPath(new URL('..', import.meta.url));
const configFlag = process.argv.find((arg) => arg.startsWith('--config='))?.slice('--config='.length);

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
});
// before 'ready': app:// must be a standard, secure scheme when the window loads it
registerAppScheme();

async function start(): Promise<void> {
  installContentSecurityPolicy();
  serveApp(`${outDir}renderer`);
  // ssh.rememberPassphrases (opt-in) encrypts with the OS keychain through safeStorage
  const ops = await bootstrap({ ...(configFlag ? { configPath: configFlag } : {}), logger: consoleLogger, secretCipher: safeStorageCipher, startDemoFleet });
  const ipc = new IpcServer(ops.handlers, ops.hub, APP_INDEX_URL, consoleLogger);
  // Tunnels and escalation pages open in the system browser, allow-listed URLs only.
  ops.hostTools.setOpenExternal(createOpenExternal(() => ops.hostTools.escalation.allowedOrigins()));
  ipc.start();
  const window = createSecureWindow(outDir);
  ipc.track(window);
  const stopNotifications = showAlertNotifications(ops.hub, () => (window.isDestroyed() ? null : window));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    stopNotifications();
    ipc.stop();
    void ops.close();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app
    .whenReady()
    .then(start)
    .catch((error: Error) => {
      // A bad config or an unusable state folder: say why, then quit, rather than linger
      // windowless holding the single-instance lock so every relaunch silently quits.
      dialog.showErrorBox('Opsdeck cannot start', error.message);
      app.exit(1);
    });
}
