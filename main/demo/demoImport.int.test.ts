// The ssh_config import on the built-in demo: the demo deployment lives in no config file, so an
// import aimed at it is refused in main with its name (whatever a view sends), and the config
// file is left as it was. The app is the real one, bootstrapped with no hosts: the demo starts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeploymentId } from '../../common/contract';
import { OpsFailure } from '../../common/result';
import type { OpsApp } from '../core/app';
import { bootstrap } from '../core/bootstrap';
import { startDemoFleetForConsole } from './demoFleet';

let dir: string;
let configPath: string;
let config: string;
let app: OpsApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-demo-import-'));
  configPath = join(dir, 'config.yaml');
  await writeFile(join(dir, 'ssh_config'), 'Host web-1\n  HostName 10.0.0.5\n  User ops\n');
  config = `auditFile: ${join(dir, 'audit.jsonl')}\nssh: { configFile: ${join(dir, 'ssh_config')} }\nhosts: []\ndeployments: []\n`;
  await writeFile(configPath, config);
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  app = await bootstrap({
    configPath,
    env: { XDG_STATE_HOME: join(dir, 'state'), HOME: dir },
    logger: quiet,
    startDemoFleet: (request) => startDemoFleetForConsole({ ...request, demo: { cycleSeconds: null, journalIntervalMs: 0 } }),
  });
});

afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('refuses hosts imported into the demo deployment, naming it, and writes nothing', async () => {
  const failure = await app.ssh.handlers.importSshHosts({ aliases: ['web-1'], deploymentId: 'demo' as DeploymentId }).then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(OpsFailure);
  expect(failure).toMatchObject({ code: 'bad-request' });
  expect((failure as Error).message).toBe(
    `"autotrader (DEMO)" (demo) is the built-in demo deployment: it is not in ${configPath} and takes no hosts; import them without a deployment and they replace the demo on the next start`,
  );
  expect(await readFile(configPath, 'utf8')).toBe(config);
});

it('still imports the same hosts with no deployment: they replace the demo on the next start', async () => {
  const result = await app.ssh.handlers.importSshHosts({ aliases: ['web-1'] });
  expect(result).toMatchObject({ added: [{ alias: 'web-1', hostId: 'web-1' }], restartNeeded: true });
  expect(result.note).toMatch(/the demo fleet is replaced by your hosts on the next start/);
  expect(await readFile(configPath, 'utf8')).toMatch(/sshAlias: web-1/);
});
