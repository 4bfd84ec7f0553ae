// The sandboxed preload: exposes exactly the contract as `window.opsdeck`, one method per call
// and `on(event, listener)` returning its unsubscribe function. Nothing else crosses: no
// ipcRenderer, no event objects (event.sender never reaches the page).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_NAMES, EVENT_NAMES, ipcCallChannel, ipcEventChannel, type EventName } from '../common/contract/names';

const eventNames = new Set<string>(EVENT_NAMES);

// eslint-disable-next-line no-restricted-syntax -- keyed by the contract's own call names, never by outside data
const api: Record<string, unknown> = {};
for (const name of CALL_NAMES) {
  const channel = ipcCallChannel(name);
  api[name] = (request: unknown) => ipcRenderer.invoke(channel, request);
}
api.on = (name: EventName, listener: (payload: unknown) => void): (() => void) => {
  if (!eventNames.has(name)) throw new Error(`unknown event "${String(name)}"`);
  if (typeof listener !== 'function') throw new Error('listener must be a function');
  const channel = ipcEventChannel(name);
  const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.removeListener(channel, forward);
  };
};

contextBridge.exposeInMainWorld('opsdeck', Object.freeze(api));
