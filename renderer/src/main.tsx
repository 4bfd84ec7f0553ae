// first: it opens the socket before the rest of the page's code is evaluated
import { early } from './boot';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { OpsApi } from '../../common/contract';
import { ApiContext } from './api/ApiContext';
import { openOpsApi } from './api/openOpsApi';
import type { BackendStatus } from './api/webSocketApi';
import { App } from './App';
import { bindEvents, loadInitial, setBackendStatus } from './store/actions';
import { whenFirstData } from './store/whenFirstData';
import './styles.css';

/** the longest the first render waits for the fleet (store/whenFirstData.ts) */
const FIRST_RENDER_WAIT_MS = 400;

const root = createRoot(document.getElementById('root')!);

const win = window as Window & { opsdeck?: OpsApi };
/** Electron's preload: its IPC is asked for the fleet and state; the browser shell sends them unasked */
const viaPreload = Boolean(win.opsdeck);
let api: OpsApi | null = null;
let wasConnected = false;
const onStatus = (status: BackendStatus): void => {
  setBackendStatus(status);
  // After a reconnect the backend's state moved on without us: reload fleet and snapshot. The
  // browser shell sends them unasked on every socket (onSnapshot); Electron's IPC is asked.
  if (status.state === 'connected') {
    // a User Timing mark (DevTools, bench/renderer-load.ts): the socket is open
    if (!wasConnected) performance.mark('opsdeck:connected');
    else if (viaPreload && api) void loadInitial(api);
    wasConnected = true;
  }
};

const transport = openOpsApi(win, onStatus, early);
if (transport.kind === 'none') {
  root.render(
    <div className="app">
      <p role="alert" className="banner banner-fail">
        ■ {transport.reason}
      </p>
    </div>,
  );
} else {
  api = transport.api;
  bindEvents(api);
  if (viaPreload) void loadInitial(api);
  const app = (
    <StrictMode>
      <ApiContext.Provider value={api}>
        <App />
      </ApiContext.Provider>
    </StrictMode>
  );
  whenFirstData(() => root.render(app), FIRST_RENDER_WAIT_MS);
}
