// Loading the YAML config. The `yaml` package (eemeli/yaml) is used because it keeps source
// positions, so every error, syntax or schema, can name the line the user has to fix.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { OpsdeckConfig } from './configSchema';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export const expandHome = (path: string, home = homedir()): string => (path === '~' ? home : path.startsWith('~/') ? `${home}${path.slice(1)}` : path);

/** Parse config text; `file` only labels errors. */
export function parseConfig(text: string, file: string): OpsdeckConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new ConfigError(file, line, `YAML syntax: ${syntax.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const parsed = OpsdeckConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // Point at the deepest node of the path that exists in the document.
  let line: number | null = null;
  for (let depth = issue.path.length; depth >= 0 && line === null; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(issue.path.slice(0, depth) as (string | number)[], true);
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
  }
  const where = issue.path.length ? issue.path.join('.') : 'config';
  throw new ConfigError(file, line, `${where}: ${issue.message}`);
}

export async function loadConfig(file: string): Promise<OpsdeckConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, null, `cannot read: ${(error as Error).message}`);
  }
  return parseConfig(text, file);
}
