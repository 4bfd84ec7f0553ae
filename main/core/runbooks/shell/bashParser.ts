// The bash parser behind the snippet matcher: tree-sitter-bash (the grammar GitHub uses for
// shell code) run by web-tree-sitter, both WebAssembly, so main needs no native build and no
// network. Loading is async (once per process); parsing after that is synchronous, so a runbook
// is still parsed in one pass. A tree with an ERROR or MISSING node is never trusted: the
// matcher stays silent on every line it covers.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

export type { Node as BashNode } from 'web-tree-sitter';

let parser: Parser | null = null;
let loading: Promise<void> | null = null;

/** Loads the grammar once; every later call returns the same promise. */
export function loadBashParser(): Promise<void> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const bash = await Language.load(new Uint8Array(await readFile(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'))));
    const p = new Parser();
    p.setLanguage(bash);
    parser = p;
  })();
  return loading;
}

export class BashParserNotLoaded extends Error {
  constructor() {
    super('the bash parser is not loaded: await loadBashParser() first');
    this.name = 'BashParserNotLoaded';
  }
}

/**
 * Parses `text` and hands the root node to `use`; the tree is freed afterwards (it lives in the
 * WebAssembly heap), so nothing of it may escape `use`.
 */
export function withBashTree<T>(text: string, use: (root: Node) => T): T {
  if (!parser) throw new BashParserNotLoaded();
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
}
