// The browser shell's entry: `node out/main/web.js [--config FILE] [--port N]`. Prints the URL
// (with its token) on a line of its own, so scripts and tests can read it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bootstrap, consoleLogger } from '../core/bootstrap';
import { startDemoFleet } from '../demo/loadDemoFleet';
import { WebShellServer } from './WebShellServer';

function rendererRoot(explicit: string | undefined): string {
  if (explicit) return explicit;
  // Bundled as out/main/web.js the renderer sits at out/renderer; run from source, at ../../out/renderer.
  for (const candidate of ['../renderer', '../../out/renderer']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  return fileURLToPath(new URL('../renderer', import.meta.url));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      static: { type: 'string' },
      'push-window-ms': { type: 'string' },
      // e2e only: hours of made-up chart history (main/core/health/history/backfillHistory.ts)
      'test-history-hours': { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number`);
  const app = await bootstrap({
    ...(values.config ? { configPath: values.config } : {}),
    logger: consoleLogger,
    startDemoFleet,
    ...(values['push-window-ms'] ? { pushWindowMs: Number(values['push-window-ms']) } : {}),
    ...(values['test-history-hours'] ? { testHistoryHours: Math.min(24, Number(values['test-history-hours']) || 0) } : {}),
  });
  const server = new WebShellServer({ handlers: app.handlers, hub: app.hub, staticRoot: rendererRoot(values.static), port, logger: consoleLogger });
  await server.listen();
  console.log(`[opsdeck] browser shell ready${(await app.handlers.getFleet({})).demo ? ' on the DEMO fleet' : ''}; open:`);
  console.log(server.url);
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error: Error) => {
  console.error(`[opsdeck] cannot start: ${error.message}`);
  process.exit(1);
});
