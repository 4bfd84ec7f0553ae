// A stand-in for the 'electron' module, used only by main/electron/shell.test.ts to load the
// BUILT main and preload bundles where no Electron binary can be had. It records what the
// bundles ask of Electron; after main has created and tracked its window it plays a trusted
// and an untrusted IPC sender against every handler and writes a report for the test.
'use strict';
const { writeFileSync } = require('node:fs');
const { EventEmitter } = require('node:events');

const report = {
  errorBoxes: [],
  exitCode: null,
  windows: [],
  loaded: [],
  handlers: [],
  exposed: null,
  openHandlerDenied: null,
  navigationPrevented: null,
  trustedCalls: {},
  untrustedCalls: {},
  schemes: [],
  appAnswers: {},
  permissionChecks: {},
  errors: [],
};
const protocolHandlers = new Map();
let permissionCheckHandler = null;
const handlers = new Map();
let nextId = 1;

function writeReport() {
  if (process.env.OPSDECK_STANDIN_REPORT) writeFileSync(process.env.OPSDECK_STANDIN_REPORT, JSON.stringify(report, null, 2));
}

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextId++;
    this.sent = [];
    this.openHandler = null;
  }
  setWindowOpenHandler(handler) {
    this.openHandler = handler;
  }
  send(channel, payload) {
    this.sent.push({ channel, payload });
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.loaded = null;
    report.windows.push({ webPreferences: options.webPreferences });
  }
  isDestroyed() {
    return false;
  }
  loadFile(file) {
    this.loaded = require('node:url').pathToFileURL(file).href;
    report.loaded.push(this.loaded);
    return Promise.resolve();
  }
  loadURL(url) {
    this.loaded = url;
    report.loaded.push(url);
    return Promise.resolve();
  }
  show() {}
  on(event, listener) {
    super.on(event, listener);
    // main tracks a window by listening for 'closed': from then on its IPC must be wired.
    if (event === 'closed') setTimeout(() => void exercise(this), 50);
    return this;
  }
}

async function exercise(window) {
  try {
    const contents = window.webContents;
    report.openHandlerDenied = contents.openHandler ? contents.openHandler({ url: 'https://example.com' }).action === 'deny' : false;
    let prevented = false;
    contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://example.com');
    report.navigationPrevented = prevented;
    const trusted = { sender: { id: contents.id }, senderFrame: { parent: null, url: window.loaded } };
    const foreignWindow = { sender: { id: 999 }, senderFrame: { parent: null, url: window.loaded } };
    const subFrame = { sender: { id: contents.id }, senderFrame: { parent: {}, url: window.loaded } };
    const otherPage = { sender: { id: contents.id }, senderFrame: { parent: null, url: 'https://evil.example/' } };
    const appHandler = protocolHandlers.get('app');
    for (const url of ['app://opsdeck/index.html', 'app://opsdeck/%2e%2e/%2e%2e/package.json', 'app://opsdeck/../main/index.js', 'app://evil/index.html']) {
      const res = appHandler ? await appHandler({ url }) : null;
      report.appAnswers[url] = res ? { status: res.status, csp: res.headers.get('content-security-policy'), type: res.headers.get('content-type') } : null;
    }
    for (const [permission, origin] of [
      ['notifications', 'app://opsdeck'],
      ['notifications', 'https://evil.example'],
      ['media', 'app://opsdeck'],
      ['geolocation', 'app://opsdeck'],
      ['clipboard-read', 'app://opsdeck'],
    ]) {
      report.permissionChecks[`${permission} ${origin}`] = permissionCheckHandler ? permissionCheckHandler(contents, permission, origin) : 'no handler';
    }
    for (const [channel, handler] of handlers) {
      const name = channel.replace('opsdeck:call:', '');
      report.untrustedCalls[name] = [await handler(foreignWindow, {}), await handler(subFrame, {}), await handler(otherPage, {})].map((r) =>
        r === undefined ? 'ignored' : 'answered',
      );
    }
    const getFleet = handlers.get('opsdeck:call:getFleet');
    report.trustedCalls.getFleet = await getFleet(trusted, {});
    report.trustedCalls.badPayload = await handlers.get('opsdeck:call:pollNow')(trusted, { deploymentId: '../x' });
  } catch (error) {
    report.errors.push(String(error && error.stack ? error.stack : error));
  }
  writeReport();
  process.exit(0);
}

const app = Object.assign(new EventEmitter(), {
  whenReady: () => Promise.resolve(),
  requestSingleInstanceLock: () => true,
  quit: () => {},
  getPath: () => require('node:os').tmpdir(),
  exit: (code) => {
    report.exitCode = code;
    writeReport();
    process.exit(code);
  },
});

const dialog = {
  showErrorBox(title, content) {
    report.errorBoxes.push({ title, content });
  },
};

const ipcMain = {
  handle(channel, handler) {
    handlers.set(channel, handler);
    report.handlers.push(channel);
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
};

const session = {
  defaultSession: {
    webRequest: { onHeadersReceived() {} },
    setPermissionRequestHandler() {},
    setPermissionCheckHandler(handler) {
      permissionCheckHandler = handler;
    },
  },
};

const protocol = {
  registerSchemesAsPrivileged(schemes) {
    report.schemes.push(...schemes);
  },
  handle(scheme, handler) {
    protocolHandlers.set(scheme, handler);
  },
};

// Preload side.
const rendererListeners = new Map();
const ipcRenderer = {
  invoked: [],
  invoke(channel, payload) {
    this.invoked.push({ channel, payload });
    return Promise.resolve({ ok: true, value: null });
  },
  on(channel, listener) {
    if (!rendererListeners.has(channel)) rendererListeners.set(channel, new Set());
    rendererListeners.get(channel).add(listener);
  },
  removeListener(channel, listener) {
    rendererListeners.get(channel)?.delete(listener);
  },
  listenerCount(channel) {
    return rendererListeners.get(channel)?.size ?? 0;
  },
  emit(channel, payload) {
    for (const listener of rendererListeners.get(channel) ?? []) listener({ sender: 'SECRET-EVENT-OBJECT' }, payload);
  },
};
const contextBridge = {
  exposeInMainWorld(key, api) {
    report.exposed = { key, api };
  },
};

exports.app = app;
exports.BrowserWindow = BrowserWindow;
exports.ipcMain = ipcMain;
exports.dialog = dialog;
exports.session = session;
exports.protocol = protocol;
exports.ipcRenderer = ipcRenderer;
exports.contextBridge = contextBridge;
exports.shell = { openExternal: () => Promise.resolve() };
exports.Notification = class {
  static isSupported() {
    return false;
  }
};
// safeStorage: the real one asks the OS keychain. This stand-in only has to be reversible and
// not clear text; tests switch what it reports through __available / __backend.
const SAFE_PREFIX = Buffer.from('standin-safeStorage:');
const safeStorage = {
  __available: true,
  __backend: 'gnome_libsecret',
  isEncryptionAvailable() {
    return this.__available;
  },
  getSelectedStorageBackend() {
    return this.__backend;
  },
  encryptString(plain) {
    if (!this.__available) throw new Error('Encryption is not available.');
    return Buffer.concat([SAFE_PREFIX, Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]);
  },
  decryptString(blob) {
    if (!Buffer.isBuffer(blob) || !blob.subarray(0, SAFE_PREFIX.length).equals(SAFE_PREFIX))
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(blob.subarray(SAFE_PREFIX.length).map((b) => b ^ 0x5a)).toString('utf8');
  },
};
exports.safeStorage = safeStorage;
exports.__report = report;
