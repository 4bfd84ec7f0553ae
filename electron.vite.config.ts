import { resolve } from 'node:path';
import { constants as zlib } from 'node:zlib';
import { defineConfig } from 'electron-vite';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';

// Three bundles. main: the Electron entry and the browser shell entry share the core.
// preload: sandboxed, so it must be one CommonJS file with its imports (zod, common/) bundled in.
// renderer: the React app, served by Electron from file:// or by the browser shell over HTTP.
/** OPSDECK_PLAIN_RENDERER=1: build only the unsplit, unminified renderer (bench comparator). */
const PLAIN_RENDERER = process.env.OPSDECK_PLAIN_RENDERER === '1';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          web: resolve(__dirname, 'main/web/cli.ts'),
          // runbook search runs in a worker thread (main/core/runbooks/search/SearchWorkerClient.ts)
          searchWorker: resolve(__dirname, 'main/core/runbooks/search/searchWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  // renderer: minified; React, zod and zustand in a vendor chunk (it changes less often than the
  // app, so the browser keeps it across app updates); what is not needed for the first data on
  // screen (the charts' recharts, the terminals' xterm.js, the runbook and action views) is
  // loaded by dynamic import when first shown, each in its own chunk.
  // Each text asset of 1 KiB or more also gets a brotli (quality 11) and a gzip copy beside it
  // (name.js.br, name.js.gz), which the browser shell sends as they are (main/web/staticFiles.ts).
  // docs/renderer-build.md has the figures.
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: PLAIN_RENDERER
      ? []
      : [
          compression({
            include: /\.(js|css|html|json|svg)$/,
            threshold: 1024,
            algorithms: [defineAlgorithm('brotliCompress', { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }), defineAlgorithm('gzip', { level: 9 })],
            logLevel: 'silent',
          }),
        ],
    build: PLAIN_RENDERER
      ? {
          // bench/renderer-load's comparator: the renderer as it used to ship, one unminified script
          outDir: 'out/renderer-plain',
          minify: false,
          rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') }, output: { codeSplitting: false } },
        }
      : {
          outDir: 'out/renderer',
          minify: true,
          rollupOptions: {
            input: { index: resolve(__dirname, 'renderer/index.html') },
            output: {
              codeSplitting: {
                groups: [
                  // the page's boot module (renderer/src/boot.ts) and the two it imports, alone: it
                  // opens the socket before the vendor chunk is evaluated
                  { name: 'boot', test: /renderer[\\/]src[\\/](boot|api[\\/]earlyConnection|api[\\/]sessionToken)\.ts$/ },
                  { name: 'vendor', test: /node_modules[\\/](react|react-dom|scheduler|zod|zustand)[\\/]/ },
                ],
              },
            },
          },
        },
  },
});
