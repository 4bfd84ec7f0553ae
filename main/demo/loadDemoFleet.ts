// The demo fleet as the shells hand it to bootstrap: imported only when a config names no
// hosts, so on a real fleet the simulator is never loaded.
import type { DemoFleetStarter } from '../core/bootstrap';

export const startDemoFleet: DemoFleetStarter = async (request) => (await import('./demoFleet')).startDemoFleetForConsole(request);
