import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

// Three bundles. main: the Electron entry and the browser shell entry share the core.
// preload: sandboxed, so it must be one CommonJS file with its imports (zod, common/) bundled in.
// renderer: the React app, served by Electron from file:// or by the browser shell over HTTP.
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
  renderer: {
    root: resolve(__dirname, 'renderer'),
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
