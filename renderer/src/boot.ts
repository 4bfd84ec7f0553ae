// The page's first code to run: it opens the socket to the browser shell before React, zod and
// the app are evaluated (a third of a second of CPU on a busy machine), so the fleet and its
// state, which the server sends unasked, arrive meanwhile and wait for the app's first render.
// It is the entry's first import and has a chunk of its own (electron.vite.config.ts): module
// chunks run in import order once all are fetched, so this runs before the vendor chunk.
import { openEarlyConnection } from './api/earlyConnection';

export const early = openEarlyConnection(window as Window & { opsdeck?: unknown });
