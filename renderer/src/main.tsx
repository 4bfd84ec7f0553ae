import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { OpsApi } from '../../common/contract';
import { ApiContext } from './api/ApiContext';
import { openOpsApi } from './api/openOpsApi';
import type { BackendStatus } from './api/webSocketApi';
import { App } from './App';
import { bindEvents, loadInitial, setBackendStatus } from './store/actions';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

let api: OpsApi | null = null;
let wasConnected = false;
const onStatus = (status: BackendStatus): void => {
  setBackendStatus(status);
  // After a reconnect the backend's state moved on without us: reload fleet and snapshot.
  if (status.state === 'connected') {
    if (wasConnected && api) void loadInitial(api);
    // a User Timing mark (DevTools, bench/renderer-load.ts): the socket is open
    else performance.mark('opsdeck:connected');
    wasConnected = true;
  }
};

const transport = openOpsApi(window as Window & { opsdeck?: OpsApi }, onStatus);
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
  void loadInitial(api);
  root.render(
    <StrictMode>
      <ApiContext.Provider value={api}>
        <App />
      </ApiContext.Provider>
    </StrictMode>,
  );
}
