// The docs are the map a newcomer follows: a path they name that no longer exists (a file
// split, a folder renamed) sends the reader nowhere. Every repository path the docs name, in
// backticks, in a link or in docs/architecture.md's tree, must exist in this tree.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Top-level folders of the repository: a path is one of ours when it starts with one. */
const TOP = ['common', 'main', 'preload', 'renderer', 'sim', 'testbed', 'e2e', 'bench', 'resources', 'scripts', 'docs', '.ci'];
/** What the tests, benches and builds write: named in the docs, absent from a fresh clone. */
const WRITTEN = ['out/', 'e2e/output/', 'bench/output/'];
/** Paths on the autotrader hosts (relative to /opt/autotrader), not in this repository. */
const ON_THE_HOSTS = ['scripts/setup/'];

/** The file and folder paths in the tree block of docs/architecture.md (two spaces per level). */
function treePaths(markdown: string): string[] {
  const block = /```\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  const paths: string[] = [];
  const stack: { indent: number; path: string }[] = [];
  for (const line of block.split('\n')) {
    const m = /^( *)([A-Za-z0-9_.-]+(?:\/|\.[a-z]+))(?: {2,}|$)/.exec(line);
    if (!m || m[1]!.length % 2 !== 0) continue;
    const indent = m[1]!.length;
    while (stack.length && stack.at(-1)!.indent >= indent) stack.pop();
    // deeper than one level under the last entry: a continuation of its description
    if (indent > (stack.at(-1)?.indent ?? -2) + 2) continue;
    const path = `${stack.at(-1)?.path ?? ''}${m[2]}`;
    paths.push(path);
    if (path.endsWith('/')) stack.push({ indent, path });
  }
  return paths;
}

/** Repository paths named in backticks, in link targets or in parentheses, as written. */
function namedPaths(markdown: string, docFile: string): string[] {
  const found = new Set<string>();
  const top = TOP.map((t) => t.replace('.', '\\.')).join('|');
  for (const m of markdown.matchAll(new RegExp(`(?<![\\w./~-])((?:${top})/[A-Za-z0-9_./-]*[A-Za-z0-9_/-])`, 'g'))) found.add(m[1]!);
  // relative links to other docs: [ssh.md](ssh.md#anchor)
  for (const m of markdown.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)) found.add(normalize(join(dirname(docFile), m[1]!)));
  return [...found].filter(
    (p) =>
      !/[A-Z]{3,}/.test(
        p
          .replace(/\.[A-Za-z]+$/, '')
          .split('/')
          .at(-1)!,
      ) || existsSync(join(root, p)),
  );
}

describe('paths named in the docs', () => {
  it('reads the architecture tree as paths (a check of the reader itself)', () => {
    const tree =
      '```\ncommon/        the contract\n  contract.ts    calls\nmain/\n  core/          work\n    app.ts       root;\n                 reloadFleet() applies\n```\n';
    expect(treePaths(tree)).toEqual(['common/', 'common/contract.ts', 'main/', 'main/core/', 'main/core/app.ts']);
  });

  it.each(docs)('every path %s names exists', (doc) => {
    const text = readFileSync(join(root, doc), 'utf8');
    const paths = [...namedPaths(text, doc), ...(doc === 'docs/architecture.md' ? treePaths(text) : [])];
    expect(paths.length).toBeGreaterThan(0);
    const missing = paths.filter((p) => ![...WRITTEN, ...ON_THE_HOSTS].some((w) => p.startsWith(w)) && !existsSync(join(root, p)));
    expect(missing).toEqual([]);
  });
});
