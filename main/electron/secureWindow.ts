// The one window factory. Every setting here is from Electron's security checklist; the shell
// test loads the built bundle with a stand-in electron and asserts them.
import { BrowserWindow, session, type WebContents } from 'electron';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY_ELECTRON } from '../../common/csp';
import { APP_INDEX_URL, APP_ORIGIN } from './appFiles';

/** DevTools only when the app is started with this flag: a stray keyboard shortcut must not
 *  open a console that can call the whole contract. */
export const DEVTOOLS_FLAG = '--devtools';

export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

export function createSecureWindow(outDir: string, argv: readonly string[] = process.argv): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    backgroundColor: '#0d1117',
    title: 'Opsdeck',
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, devTools: argv.includes(DEVTOOLS_FLAG), preload: join(outDir, 'preload', 'index.cjs') },
  });
  lockDown(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_INDEX_URL);
  return window;
}

/** No new windows, no navigation away from the app, no permission grants. */
export function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The CSP as a response header too, so it holds even if the meta tag is lost; permissions
 *  denied by default, notifications granted to our own page only. */
export function installContentSecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_ELECTRON] } });
  });
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => callback(permissionAllowed(permission, contents.getURL())));
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
}

/** The one permission the app uses, for the app's own origin; everything else is refused. */
export function permissionAllowed(permission: string, url: string): boolean {
  return permission === 'notifications' && (url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`));
}
