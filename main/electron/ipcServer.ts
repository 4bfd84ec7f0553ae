// Electron's transport for the contract: one ipcMain.handle per call, each checking that the
// sender is the main frame of a window this app created and showing our own file, then the
// same dispatchCall gate the browser shell uses. Messages from anything else are ignored.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { CALL_NAMES, ipcCallChannel, ipcEventChannel, type CallHandlers } from '../../common/contract';
import type { Result } from '../../common/result';
import type { Logger } from '../../common/logger';
import { dispatchCall } from '../core/bridge/dispatchCall';
import type { EventHub } from '../core/bridge/EventHub';

export class IpcServer {
  private readonly windows = new Set<BrowserWindow>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly handlers: CallHandlers,
    private readonly hub: EventHub,
    /** the page our window shows (app://opsdeck/index.html); a frame showing anything else is ignored */
    private readonly rendererUrl: string,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
  ) {}

  start(): void {
    for (const name of CALL_NAMES) {
      ipcMain.handle(ipcCallChannel(name), (event, payload): Promise<Result<unknown>> | undefined => {
        if (!this.isTrustedSender(event)) {
          this.logger.warn(`ignored ${name} from an unknown sender`);
          return undefined;
        }
        return dispatchCall(this.handlers, name, payload, this.logger);
      });
    }
    this.unsubscribe = this.hub.subscribe((name, payload) => {
      for (const window of this.windows) {
        if (!window.isDestroyed()) window.webContents.send(ipcEventChannel(name), payload);
      }
    });
  }

  track(window: BrowserWindow): void {
    this.windows.add(window);
    window.on('closed', () => this.windows.delete(window));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const name of CALL_NAMES) ipcMain.removeHandler(ipcCallChannel(name));
  }

  private isTrustedSender(event: IpcMainInvokeEvent): boolean {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    const owner = [...this.windows].find((window) => !window.isDestroyed() && window.webContents.id === event.sender.id);
    if (!owner) return false;
    return frame.url.split('#')[0] === this.rendererUrl;
  }
}
