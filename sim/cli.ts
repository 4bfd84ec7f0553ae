// The simulator as a command: `node out/sim/autotrader-sim.mjs --port 8000` (bundled by
// sim/build.mjs) or `npx tsx sim/cli.ts`. Prints its URL alone on the first stdout line.
import { parseArgs } from 'node:util';
import { isScenarioName, SCENARIO_DESCRIPTIONS, SCENARIOS } from './scenarios';
import { startSimServer } from './simServer';
import type { Logger } from '../common/logger';

const USAGE = `usage: autotrader-sim [--host 127.0.0.1] [--port 8000] [--scenario NAME] [--cycle SECONDS]
                      [--state-dir DIR] [--no-control]

  --host HOST        address to bind (default 127.0.0.1); the control API binds there too
  --port N           port (default 8000; 0 picks a free one)
  --scenario NAME    initial scenario (a scenario persisted in --state-dir wins)
  --cycle SECONDS    show every runbook-area scenario in turn, SECONDS each
  --state-dir DIR    persist the scenario; watch DIR/restart-<unit> markers
  --no-control       turn off the unauthenticated /_sim/ control API (production-like runs)

scenarios:
${SCENARIOS.map((name) => `  ${name.padEnd(18)} ${SCENARIO_DESCRIPTIONS[name]}`).join('\n')}
`;

function fail(message: string): never {
  process.stderr.write(`autotrader-sim: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8000' },
        scenario: { type: 'string', default: 'normal' },
        cycle: { type: 'string' },
        'state-dir': { type: 'string' },
        'no-control': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(args.port);
  if (!/^\d+$/.test(args.port) || port > 65535) fail(`--port must be an integer 0..65535, got ${JSON.stringify(args.port)}`);
  if (!isScenarioName(args.scenario)) fail(`--scenario ${JSON.stringify(args.scenario)} is not one of ${SCENARIOS.join(', ')}`);
  let cycleSeconds: number | null = null;
  if (args.cycle !== undefined) {
    cycleSeconds = Number(args.cycle);
    if (!Number.isFinite(cycleSeconds) || cycleSeconds <= 0) fail(`--cycle must be a positive number of seconds, got ${JSON.stringify(args.cycle)}`);
  }
  const line = (prefix: string, message: string, fields: unknown) =>
    process.stderr.write(`autotrader-sim: ${prefix}${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  const logger: Logger = {
    info: (message, fields) => line('', message, fields),
    warn: (message, fields) => line('warning: ', message, fields),
    error: (message, fields) => line('error: ', message, fields),
  };
  const server = await startSimServer({
    host: args.host,
    port,
    scenario: args.scenario,
    cycleSeconds,
    control: !args['no-control'],
    stateDir: args['state-dir'] ?? null,
    // as a real process, the API's uptime is this process's uptime
    initialUptimeSeconds: 0,
    logger,
  }).catch((error: unknown) => fail(`cannot listen on ${args.host}:${port}: ${(error as Error).message}`));
  process.stdout.write(`${server.url}\n`);
  logger.info('listening', {
    url: server.url,
    scenario: server.model.scenario,
    cycle: cycleSeconds,
    control: args['no-control'] ? 'off' : `on (no auth) at ${server.url}/_sim/`,
  });
  const stop = (signal: string): void => {
    logger.info('stopping', { signal });
    server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
