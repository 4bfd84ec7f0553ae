// Starts the real browser shell (the built out/main/web.js) as a child process, the way a
// user does, and reads the URL it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface WebShell {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

export async function startWebShell(args: string[], env: NodeJS.ProcessEnv = {}): Promise<WebShell> {
  const entry = `${REPO}out/main/web.js`;
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const child: ChildProcess = spawn(process.execPath, [entry, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the browser shell printed no URL in 30 s:\n${log}`)), 30_000);
    const onData = () => {
      const match = /^(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/m.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the browser shell exited with ${code}:\n${log}`));
    });
  });
  return {
    url,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
