// `npm run build:sim`: bundle sim/cli.ts and everything it imports (zod, common/) into ONE
// self-contained ESM file. The test hosts run it with a bind-mounted node binary and no
// node_modules, so nothing may stay external but node's built-ins. esbuild is the bundler
// because it does exactly this in one call and is already pinned for vite/tsx.
import { build } from 'esbuild';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// `--outfile PATH` lets the bundle test build into a temp dir instead of out/
const at = process.argv.indexOf('--outfile');
const outfile = at > 0 && process.argv[at + 1] ? process.argv[at + 1] : 'out/sim/autotrader-sim.mjs';

await build({
  absWorkingDir: root,
  entryPoints: ['sim/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // a CommonJS dependency that calls require('node:…') needs a require inside an ES module
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __simCreateRequire } from 'node:module';\nconst require = __simCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
process.stdout.write(`wrote ${outfile}\n`);
