// The layer rules of docs/architecture.md live in eslint.config.js; a rule that silently stops
// matching (a renamed folder, a typo in a pattern, a resolver that no longer finds .ts files)
// would let the layers rot without a sound. Each case lints a probe as if it sat in that folder,
// with the project's own config.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });
const LAYER_RULES = new Set(['no-restricted-imports', 'import-x/no-restricted-paths', 'import-x/no-cycle']);

async function refused(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const probe = x;\n`, { filePath: file });
  return result!.messages.filter((m) => m.ruleId !== null && LAYER_RULES.has(m.ruleId)).map((m) => `${m.ruleId}: ${m.message}`);
}

// The first probe into a folder parses the modules it reaches (no-cycle follows every import).
describe('layer rules', { timeout: 60_000 }, () => {
  it.each([
    ['common/probe.ts', "import x from 'node:fs';"],
    ['common/probe.ts', "import x from 'yaml';"],
    ['common/probe.ts', "import x from 'some-new-library';"],
    ['common/probe.ts', "import x from '../main/core/clock';"],
    ['common/contract/probe.ts', "import x from '../../sim/clock';"],
    ['main/core/probe.ts', "import x from 'electron';"],
    ['main/web/probe.ts', "import x from 'electron';"],
    ['main/demo/probe.ts', "import x from 'electron';"],
    ['main/core/probe.ts', "import x from '../../renderer/src/App';"],
    ['sim/probe.ts', "import x from 'electron';"],
    ['renderer/src/probe.ts', "import x from '../../main/core/clock';"],
    ['renderer/src/probe.ts', "import x from 'node:child_process';"],
    ['renderer/src/probe.ts', "import x from 'ssh2';"],
    ['preload/probe.ts', "import x from '../main/core/clock';"],
  ])('%s refuses %s', async (file, source) => {
    expect(await refused(file, source)).toHaveLength(1);
  });

  it.each([
    // the simulator, however the path is spelt
    ['main/core/probe.ts', "import x from '../../sim/demoHost';", 'main/core never imports sim/'],
    ['main/core/health/probe.ts', "import x from '../../../sim/clock';", 'main/core never imports sim/'],
    ['main/core/probe.ts', "import x from '../core/../../sim/demoHost';", 'main/core never imports sim/'],
    // nor the shells or the demo that are built on it
    ['main/core/probe.ts', "import x from '../demo/demoFleet';", 'main/core never imports the shells'],
    ['main/core/probe.ts', "import x from '../web/WebShellServer';", 'main/core never imports the shells'],
    ['main/core/ssh/probe.ts', "import x from '../../electron/ipcServer';", 'main/core never imports the shells'],
  ])('%s refuses %s as a layer crossing', async (file, source, message) => {
    const messages = await refused(file, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^import-x\/no-restricted-paths: /);
    expect(messages[0]).toContain(message);
  });

  it.each([
    // clock.ts is imported (at run time) by what app.ts imports, so importing app.ts from it closes a loop
    ['main/core/clock.ts', "import { OpsApp as x } from './app';"],
    // the demo host's command dispatcher imports its programs; a program importing it back is a loop
    ['sim/demoScripts.ts', "import { runDemoCommand as x } from './demoCommand';"],
  ])('%s refuses %s as an import cycle', async (file, source) => {
    const messages = await refused(file, source);
    expect(messages).toEqual(['import-x/no-cycle: Dependency cycle detected']);
  });

  it.each([
    ['common/probe.ts', "import x from 'zod';"],
    ['common/probe.ts', "import x from './contract';"],
    ['common/contract/probe.ts', "import x from '../thresholds';"],
    ['main/electron/probe.ts', "import x from 'electron';"],
    ['main/core/probe.ts', "import x from 'node:fs';"],
    ['main/core/probe.ts', "import x from './clock';"],
    // a test may run against the simulator's real health API server, as against testbed/
    ['main/core/health/probe.int.test.ts', "import x from '../../../sim/simServer';"],
    ['main/demo/probe.ts', "import x from '../../sim/demoHost';"],
    ['main/web/probe.ts', "import x from '../demo/loadDemoFleet';"],
    // a type-only import is erased by tsc: no cycle at run time
    ['main/core/clock.ts', "import type { OpsApp as x } from './app';"],
    ['renderer/src/probe.ts', "import x from '../../common/contract';"],
  ])('%s allows %s', async (file, source) => {
    expect(await refused(file, source)).toEqual([]);
  });
});
