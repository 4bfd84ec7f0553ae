// `node --import ./register.mjs out/main/index.js`: every import of 'electron' (ESM or CJS)
// gets the stand-in beside this file.
import { register } from 'node:module';
import Module from 'node:module';

const standIn = new URL('./electron.cjs', import.meta.url);
register(
  `data:text/javascript,export async function resolve(specifier, context, next) { if (specifier === 'electron') return { url: ${JSON.stringify(standIn.href)}, shortCircuit: true }; return next(specifier, context); }`,
);
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') return new URL(standIn).pathname;
  return originalResolve.call(this, request, ...rest);
};
