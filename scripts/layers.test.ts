// The layer rules of docs/architecture.md live in eslint.config.js; a rule that silently stops
// matching (a renamed folder, a typo in a pattern) would let the layers rot without a sound.
// Each case lints a one-line probe as if it sat in that folder, with the project's own config.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function refused(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const probe = x;\n`, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['common/probe.ts', "import x from 'node:fs';"],
    ['common/probe.ts', "import x from 'yaml';"],
    ['common/probe.ts', "import x from 'some-new-library';"],
    ['common/probe.ts', "import x from '../main/core/clock';"],
    ['main/core/probe.ts', "import x from 'electron';"],
    ['main/web/probe.ts', "import x from 'electron';"],
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
    ['common/probe.ts', "import x from 'zod';"],
    ['common/probe.ts', "import x from './contract';"],
    ['main/electron/probe.ts', "import x from 'electron';"],
    ['main/core/probe.ts', "import x from 'node:fs';"],
    ['renderer/src/probe.ts', "import x from '../../common/contract';"],
  ])('%s allows %s', async (file, source) => {
    expect(await refused(file, source)).toEqual([]);
  });
});
