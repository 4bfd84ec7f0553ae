// The preload is bundled whole into one sandboxed file, so everything it imports ships in it.
// It needs only the contract's names and channels (common/contract/names.ts), never its zod
// schemas: bundle it as electron-vite does and look at what went in.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the preload bundle', () => {
  it('carries the contract names and no schema library', async () => {
    const result = await build({
      absWorkingDir: new URL('..', import.meta.url).pathname,
      entryPoints: ['preload/index.ts'],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => file.includes('node_modules'))).toEqual([]);
    expect(inputs.sort()).toEqual(['common/contract/names.ts', 'preload/index.ts']);
  });
});
