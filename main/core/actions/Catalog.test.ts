import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OpsFailure } from '../../../common/result';
import { Redactor } from '../redact/Redactor';
import { type CatalogAction, CatalogError, bundledCatalog, lockKeys, parseCatalog, renderCommand, resolveParams } from './Catalog';
import { INJECTION_CORPUS } from './injectionCorpus';
import { shellQuote } from '../shellQuote';

const run = promisify(execFile);

const catalogWith = (actionsYaml: string) => parseCatalog(`version: 1\nactions:\n${actionsYaml}`, 'test.yaml');

const TEST_CATALOG = catalogWith(`
  - id: test.params
    title: Every parameter kind
    section: worker-queues
    risk: read-only
    params:
      - { name: unit, label: Unit, kind: enum, choices: [autotrader-api, autotrader-workers] }
      - { name: lines, label: Lines, kind: integer, min: 1, max: 5000, default: 100 }
      - { name: queue, label: Queue, kind: string, pattern: "worker:[a-z0-9_:-]{1,64}" }
    command: [journalctl, -u, "{unit}", -n, "{lines}", --grep, "{queue}"]
  - id: test.script
    title: Script with args
    section: worker-queues
    risk: read-only
    params:
      - { name: queue, label: Queue, kind: string, pattern: "worker:[a-z0-9_:-]{1,64}" }
    script: |
      printf 'queue=%s\\n' "$1"
    args: ["{queue}"]
`);
const paramsAction = TEST_CATALOG.get('test.params')!;

function refusal(action: CatalogAction, values: Record<string, unknown>): string {
  try {
    resolveParams(action, values as never);
  } catch (err) {
    expect(err).toBeInstanceOf(OpsFailure);
    expect((err as OpsFailure).code).toBe('bad-request');
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(values)}`);
}

describe('shellQuote', () => {
  const words = ["it's", 'a b', '$(id)', '`id`', '"; id; "', "''", '', 'tab\there', 'new\nline', 'ümlaut', '\\', '!history', '*'];

  it('makes a real sh see exactly the word it was given', async () => {
    const command = ['printf', shellQuote('%s\\0'), ...words.map(shellQuote)].join(' ');
    const { stdout } = await run('/bin/sh', ['-c', command]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(words);
  });

  it('leaves plain words bare so previews stay readable', () => {
    expect(shellQuote('autotrader-api')).toBe('autotrader-api');
    expect(shellQuote('/etc/logrotate.d/autotrader')).toBe('/etc/logrotate.d/autotrader');
    expect(shellQuote('worker:*')).toBe("'worker:*'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('resolveParams', () => {
  const good = { unit: 'autotrader-api', queue: 'worker:scanner:queue' };

  it('accepts valid values, fills defaults and normalises integers', () => {
    expect(resolveParams(paramsAction, good)).toEqual({ unit: 'autotrader-api', lines: '100', queue: 'worker:scanner:queue' });
    expect(resolveParams(paramsAction, { ...good, lines: '250' }).lines).toBe('250');
    expect(resolveParams(paramsAction, { ...good, lines: 5000 }).lines).toBe('5000');
  });

  it.each(INJECTION_CORPUS.map((v) => [JSON.stringify(v).slice(0, 50), v]))('refuses %s in every parameter, naming it', (_name, value) => {
    expect(refusal(paramsAction, { ...good, unit: value })).toMatch(/^test\.params: parameter unit \(Unit\) /);
    expect(refusal(paramsAction, { ...good, lines: value })).toMatch(/^test\.params: parameter lines \(Lines\) /);
    expect(refusal(paramsAction, { ...good, queue: value })).toMatch(/^test\.params: parameter queue \(Queue\) /);
  });

  it('says what was wrong with a string', () => {
    expect(refusal(paramsAction, { ...good, queue: '--help' })).toBe('test.params: parameter queue (Queue) "--help" looks like a command-line option');
    expect(refusal(paramsAction, { ...good, queue: 'worker:a\nid' })).toBe('test.params: parameter queue (Queue) contains a newline or control character');
    expect(refusal(paramsAction, { ...good, queue: 'worker:a;id' })).toBe('test.params: parameter queue (Queue) contains ";", which is not allowed');
    expect(refusal(paramsAction, { ...good, queue: 'worker:ä' })).toBe('test.params: parameter queue (Queue) contains non-ASCII characters');
    expect(refusal(paramsAction, { ...good, queue: 'jobs:a' })).toBe('test.params: parameter queue (Queue) "jobs:a" does not match worker:[a-z0-9_:-]{1,64}');
  });

  it('refuses numbers out of range, fractions, booleans and numeric tricks', () => {
    expect(refusal(paramsAction, { ...good, lines: 0 })).toBe('test.params: parameter lines (Lines) 0 is outside 1 to 5000');
    expect(refusal(paramsAction, { ...good, lines: 5001 })).toMatch(/outside 1 to 5000/);
    expect(refusal(paramsAction, { ...good, lines: 2.5 })).toMatch(/whole number/);
    expect(refusal(paramsAction, { ...good, lines: true })).toMatch(/whole number/);
    expect(refusal(paramsAction, { ...good, lines: '1e3' })).toMatch(/whole number/);
    expect(refusal(paramsAction, { ...good, lines: '0x10' })).toMatch(/whole number/);
    expect(refusal(paramsAction, { ...good, unit: true })).toMatch(/must be one of autotrader-api, autotrader-workers/);
  });

  it('refuses unknown and missing parameters', () => {
    expect(refusal(paramsAction, { ...good, extra: 'x' })).toBe('test.params: unknown parameter "extra" (it takes unit, lines, queue)');
    expect(refusal(paramsAction, { queue: 'worker:a' })).toBe('test.params: parameter unit (Unit) is required');
    expect(refusal(paramsAction, { ...good, __proto__: 'x', constructor: 'y' })).toMatch(/unknown parameter "constructor"/);
  });
});

describe('renderCommand', () => {
  it('renders argv words with every parameter quoted', () => {
    const params = resolveParams(paramsAction, { unit: 'autotrader-api', queue: 'worker:scanner:queue', lines: 20 });
    expect(renderCommand(paramsAction, params)).toBe('journalctl -u autotrader-api -n 20 --grep worker:scanner:queue');
  });

  it('passes script parameters as positional arguments, never as script text', async () => {
    const action = TEST_CATALOG.get('test.script')!;
    const command = renderCommand(action, resolveParams(action, { queue: 'worker:a' }));
    expect(command).toBe(`sh -c 'printf '\\''queue=%s\\n'\\'' "$1"\n' test.script worker:a`);
    const { stdout } = await run('/bin/sh', ['-c', command]);
    expect(stdout).toBe('queue=worker:a\n');
  });
});

describe('parseCatalog errors name the action and the field', () => {
  const bad = (yaml: string) => {
    try {
      catalogWith(yaml);
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };
  const base = `  - id: x.y\n    title: T\n    section: worker-queues\n    risk: read-only\n`;

  it.each([
    [`${base}    command: [ls]\n    risk2: x\n`, `test.yaml: action 'x.y': Unrecognized key: "risk2"`],
    [`${base}`, `test.yaml: action 'x.y': command: give exactly one of command (argv words) or script`],
    [`${base}    command: ["{nope}"]\n`, `test.yaml: action 'x.y': command[0]: unknown parameter {nope}`],
    [
      `${base}    command: [ls]\n    params:\n      - { name: n, label: N, kind: integer }\n`,
      `test.yaml: action 'x.y': params[0] (n): an integer needs min and max`,
    ],
    [
      `${base}    command: [ls]\n    params:\n      - { name: n, label: N, kind: integer, min: -5, max: 3 }\n`,
      `test.yaml: action 'x.y': params.0.min: must be >= 0 (a negative value would read as an option)`,
    ],
    [
      `${base}    command: [ls]\n    params:\n      - { name: s, label: S, kind: string }\n`,
      `test.yaml: action 'x.y': params[0] (s): a string needs a pattern`,
    ],
    [
      `${base}    command: [ls]\n    params:\n      - { name: s, label: S, kind: string, pattern: "(" }\n`,
      `test.yaml: action 'x.y': params[0] (s): pattern does not compile`,
    ],
    [
      `${base}    command: [ls]\n    params:\n      - { name: u, label: U, kind: enum, choices: ["-rf"] }\n`,
      `test.yaml: action 'x.y': params.0.choices.0: choice must be`,
    ],
    [
      `  - id: x.y\n    title: T\n    section: worker-queues\n    risk: destructive\n    command: [ls]\n`,
      `test.yaml: action 'x.y': confirmText: a destructive action needs the text to type to confirm`,
    ],
    [`  - id: x.y\n    title: T\n    section: nowhere\n    risk: read-only\n    command: [ls]\n`, `test.yaml: action 'x.y': section: Invalid option`],
    [`${base}    command: [ls]\n${base}    command: [ls]\n`, `test.yaml: action 'x.y': id is used twice`],
    [`  - title: no id\n`, `test.yaml: actions[0]: id:`],
  ])('%#', (yaml, message) => {
    expect(bad(yaml)).toContain(message);
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => parseCatalog('version: 1\nactions:\n  - id: [unclosed\n', 'cat.yaml')).toThrow(/^cat\.yaml: not valid YAML: .* at line 4, column 1:$/);
  });
});

describe('the bundled catalog', () => {
  const catalog = bundledCatalog();

  it('has the restart action of the foundation slice', () => {
    const restart = catalog.get('service.restart')!;
    expect(restart).toMatchObject({ risk: 'service-affecting', section: 'data-freshness' });
    const params = resolveParams(restart, { unit: 'autotrader-ingestion' });
    expect(renderCommand(restart, params)).toBe('systemctl restart autotrader-ingestion');
    expect(lockKeys(restart, params)).toEqual(['autotrader-ingestion']);
    expect(refusal(restart, { unit: 'sshd' })).toBe(
      'service.restart: parameter unit (Unit) "sshd" is not one of autotrader-api, autotrader-ingestion, autotrader-workers',
    );
  });

  it('lists each action with its description and the follow-up the UI offers after it', () => {
    const byId = new Map(catalog.list().map((a) => [a.id, a]));
    expect(byId.get('config.update-frequency.set')!.followUp).toEqual({ actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } });
    expect(byId.get('config.fa-scrubbing.set')!.followUp).toEqual({ actionId: 'services.restart', params: {} });
    expect(byId.get('service.restart')!.followUp).toBeNull();
    expect(byId.get('queue.clear')!.description).toMatch(/Clear Stale Jobs/);
    // every follow-up names an action the list also holds, so the UI can always open its preview
    for (const a of byId.values()) if (a.followUp) expect(byId.has(a.followUp.actionId)).toBe(true);
  });

  it('refuses every injection attempt in every parameter of every action, naming the parameter', () => {
    let checked = 0;
    for (const action of catalog.all()) {
      const good = validValues(action);
      for (const p of action.params) {
        for (const value of INJECTION_CORPUS) {
          expect(refusal(action, { ...good, [p.name]: value })).toMatch(new RegExp(`^${action.id.replace(/\./g, '\\.')}: parameter ${p.name} `));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20 * INJECTION_CORPUS.length);
  });

  it('renders every action with commands the redactor leaves intact (the audit shows the real command)', () => {
    const redactor = new Redactor();
    for (const action of catalog.all()) {
      const command = renderCommand(action, resolveParams(action, validValues(action)));
      expect(redactor.redact(command), action.id).toBe(command);
    }
  });
});

/** A valid value for every required parameter of an action. */
function validValues(action: CatalogAction): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  for (const p of action.params) {
    if (p.default !== undefined) continue;
    values[p.name] = p.kind === 'enum' ? p.choices![0]! : p.kind === 'integer' ? p.min! : sampleFor(p.pattern!);
  }
  return values;
}

function sampleFor(pattern: string): string {
  const samples = ['worker:scanner:queue', 'coingecko_api', '60', 'abc'];
  const found = samples.find((s) => new RegExp(`^(?:${pattern})$`).test(s));
  if (!found) throw new Error(`no sample value matches ${pattern}: add one to sampleFor`);
  return found;
}
