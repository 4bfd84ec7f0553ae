import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, writeExampleConfig } from './exampleConfig';
import { ConfigError, loadConfig, parseConfig } from './loadConfig';
import { platformPaths } from './platformPaths';

const good = `
hosts:
  - id: at-1
    address: 10.0.0.11
deployments:
  - id: prod
    name: Production
    hosts: [at-1]
    health:
      via: at-1
      intervals: { circuitBreakers: 2 }
`;

describe('config loading', () => {
  it('fills defaults and keeps what the user wrote', () => {
    const config = parseConfig(good, 'c.yaml');
    expect(config.hosts[0]).toMatchObject({ id: 'at-1', port: 22, user: 'root', keepaliveSeconds: 15 });
    expect(config.deployments[0]!.health).toMatchObject({ url: 'http://127.0.0.1:8000', via: 'at-1', intervalSeconds: 5, intervals: { circuitBreakers: 2 } });
    expect(config.actions).toEqual({ maxConcurrency: 10, blastRadius: 20 });
  });

  it('ssh: the handshake cap and its stall limit default to 16 and 100 ms; a bad one is named', () => {
    expect(parseConfig(good, 'c.yaml').ssh).toMatchObject({ maxConcurrentHandshakes: 16, handshakeLagLimitMs: 100 });
    expect(parseConfig(`${good}ssh: { maxConcurrentHandshakes: 4, handshakeLagLimitMs: 0 }\n`, 'c.yaml').ssh).toMatchObject({
      maxConcurrentHandshakes: 4,
      handshakeLagLimitMs: 0,
    });
    expect(() => parseConfig(`${good}ssh: { maxConcurrentHandshakes: 0 }\n`, 'c.yaml')).toThrowError(/ssh\.maxConcurrentHandshakes/);
  });

  it('names the line of a YAML syntax error', () => {
    const text = 'hosts:\n  - id: a\n    address: [1\ndeployments: []\n';
    expect(() => parseConfig(text, 'c.yaml')).toThrowError(/^c\.yaml:4: YAML syntax:/);
  });

  it('names the line and the field of a schema error', () => {
    const text = good.replace('address: 10.0.0.11', 'address: 10.0.0.11\n    port: 70000');
    const error = (() => {
      try {
        parseConfig(text, 'c.yaml');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/hosts\.0\.port/);
  });

  it('refuses a deployment naming an unknown host, at its line', () => {
    expect(() => parseConfig(good.replace('hosts: [at-1]', 'hosts: [at-9]'), 'c.yaml')).toThrowError(
      /c\.yaml:8: deployments\.0\.hosts\.0: unknown host "at-9"/,
    );
  });

  it('refuses unknown keys so a typo does not silently do nothing', () => {
    expect(() => parseConfig(good.replace('address:', 'adress: x\n    address:'), 'c.yaml')).toThrowError(/adress/);
  });

  it('refuses duplicate keys', () => {
    expect(() => parseConfig('hosts: []\nhosts: []\n', 'c.yaml')).toThrowError(/c\.yaml:2/);
  });

  it('the commented example parses and has no hosts (so the demo opens)', () => {
    const config = parseConfig(EXAMPLE_CONFIG, 'example');
    expect(config.hosts).toEqual([]);
    expect(config.knownHostsFile).toBe('~/.ssh/known_hosts');
  });

  it('writes the example and its JSON Schema once, never over an existing config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-config-'));
    const file = join(dir, 'sub', 'config.yaml');
    expect(await writeExampleConfig(file)).toBe(true);
    await writeFile(file, 'hosts: []\n# mine\n');
    expect(await writeExampleConfig(file)).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('hosts: []\n# mine\n');
    const schema = JSON.parse(await readFile(join(dir, 'sub', 'config.schema.json'), 'utf8'));
    expect(schema.properties.hosts.items.properties.port.maximum).toBe(65535);
    await expect(loadConfig(join(dir, 'missing.yaml'))).rejects.toThrowError(/missing\.yaml: cannot read/);
  });

  it('follows the platform conventions for its files', () => {
    expect(platformPaths('linux', {}, '/home/a')).toEqual({
      configFile: '/home/a/.config/opsdeck/config.yaml',
      stateDir: '/home/a/.local/state/opsdeck',
      auditFile: '/home/a/.local/state/opsdeck/audit.jsonl',
    });
    expect(platformPaths('linux', { XDG_CONFIG_HOME: '/x/c', XDG_STATE_HOME: 'relative' }, '/home/a').configFile).toBe('/x/c/opsdeck/config.yaml');
    expect(platformPaths('darwin', {}, '/Users/a').configFile).toBe('/Users/a/Library/Application Support/Opsdeck/config.yaml');
  });
});

describe('the committed JSON Schema', () => {
  it('is the one the zod schema generates (run `npm run schema` after changing the config schema)', async () => {
    const { configJsonSchema } = await import('./exampleConfig');
    const committed = JSON.parse(await readFile(new URL('../../../resources/config.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });
});
