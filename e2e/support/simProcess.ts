// The autotrader simulator as its own process (out/sim/autotrader-sim.mjs, built by
// `node sim/build.mjs`), on a free port: the health API a spec polls over real HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './webShell';

export interface SimProcess {
  /** the simulator's base URL, as it printed it */
  url: string;
  child: ChildProcess;
}

/** Starts the simulator with its state in stateDir; resolves once it has printed its URL. */
export function startSimProcess(stateDir: string, scenario?: string): Promise<SimProcess> {
  const args = [join(REPO, 'out', 'sim', 'autotrader-sim.mjs'), '--port', '0', ...(scenario ? ['--scenario', scenario] : []), '--state-dir', stateDir];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  return new Promise<SimProcess>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulator printed no URL in 15 s:\n${log}`)), 15_000);
    child.stdout!.on('data', (chunk) => {
      log += chunk;
      const match = /^(http:\/\/127\.0\.0\.1:\d+)\/?$/m.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}:\n${log}`)));
  });
}
