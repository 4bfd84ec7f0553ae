// Code and docs name features and documents: a reader of this repository has no tracker and no
// record of the sessions that built it, so "see issue N" or "in session N" points nowhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const SKIP = new Set(['node_modules', 'out', 'dist', 'output', '.git', 'package-lock.json']);
const TEXT = /\.(ts|tsx|mjs|js|cjs|md|css|html|json|ya?ml|sh)$/;
// built from parts so this file does not match itself
const REFERENCE = new RegExp(`\\b(${['iss', 'ues?'].join('')}|${['sess', 'ion'].join('')})[ -]#?\\d+\\b`, 'i');

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (TEXT.test(entry.name)) yield path;
  }
}

it('no source, test or doc refers to a tracker number or a work session', () => {
  const hits: string[] = [];
  for (const file of files(root)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (REFERENCE.test(line)) hits.push(`${relative(root, file)}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  expect(hits).toEqual([]);
});
