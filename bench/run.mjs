// `node bench/run.mjs NAME [args]`: run bench/NAME.ts on code compiled the way the app ships it.
//
// tsx compiles with esbuild's keepNames, which wraps every function the code creates at run
// time in a call that sets its `name` property: a closure made per request (fetchEndpoint
// makes eight) pays for it on every poll. electron-vite does not keep names, so a bench run
// under tsx measured code the console does not run (bench/poll-processing: the wrapper was a
// few per cent of a poll's CPU). This bundles the bench and the console code it imports with
// esbuild as electron-vite does (packages stay external, no keepNames), then runs the bundle.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z-]+$/.test(name)) {
  process.stderr.write('usage: node bench/run.mjs NAME [args]   (runs bench/NAME.ts)\n');
  process.exit(2);
}
if (!existsSync(`${root}/bench/${name}.ts`)) {
  const benches = readdirSync(`${root}/bench`)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3));
  process.stderr.write(`no bench named "${name}" in bench/; there are: ${benches.join(', ')}\n`);
  process.exit(2);
}
const outfile = `out/bench/${name}.mjs`;

/** Each module keeps its own import.meta.url (the testbed finds the repo from it), not the bundle's. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
      contents: (await readFile(path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href)),
      loader: 'ts',
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: [`bench/${name}.ts`],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [ownImportMetaUrl],
  logLevel: 'warning',
});
const child = spawn(process.execPath, [`${root}/${outfile}`, ...args], { stdio: 'inherit' });
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
