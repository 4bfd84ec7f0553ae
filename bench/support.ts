// What several benches need: numeric options and the simulator in its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { ensureSimBundle } from '../testbed/fleet';

/** `--name N` from the command line, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

/**
 * The simulator bundle on a free loopback port, in its own process so its CPU is not billed to
 * the bench. Resolves with its base URL once it says where it listens; rejects if it exits first.
 */
export async function startSimulator(): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, [await ensureSimBundle(), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c) => (log += c));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      log += c;
      const m = /^(http:\/\/127\.0\.0\.1:\d+)\/?$/m.exec(log);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}: ${log}`)));
  });
  return { url, process: child };
}
