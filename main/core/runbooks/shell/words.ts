// A command node of the bash tree -> the words the shell would pass, as literal text, or null
// when any word's value is not known from the text alone (command substitution, arithmetic,
// $'…' strings, brace expansion, a prefix assignment, a redirect). Variables are kept as
// `$NAME` and listed, never expanded.
import type { BashNode } from './bashParser';

export interface Word {
  readonly text: string;
  /** an unquoted glob character: the shell expands it against files or units */
  readonly glob: boolean;
  /** environment variables the word refers to ($NAME / ${NAME}) */
  readonly vars: readonly string[];
}

export type Stage = Word[];

const GLOB = /[*?[]/;

function unescapeUnquoted(text: string): string {
  return text.replace(/\\(\n|.)/g, (_m, c: string) => (c === '\n' ? '' : c));
}

function part(node: BashNode): Word | null {
  switch (node.type) {
    case 'word':
    case 'number': {
      const raw = node.text;
      // a backslash-escaped glob character is literal; an unescaped one is a glob
      const glob = GLOB.test(raw.replace(/\\./g, ''));
      return { text: unescapeUnquoted(raw), glob, vars: [] };
    }
    case 'raw_string':
      return { text: node.text.slice(1, -1), glob: false, vars: [] };
    case 'simple_expansion':
    case 'expansion': {
      // $NAME or ${NAME}: nothing else (no defaults, no substitutions)
      const m = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(node.text);
      if (!m) return null;
      const name = (m[1] ?? m[2])!;
      return { text: `$${name}`, glob: false, vars: [name] };
    }
    case 'string': {
      let text = '';
      const vars: string[] = [];
      for (const child of node.namedChildren) {
        if (!child) return null;
        if (child.type === 'string_content') text += child.text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
        else if (child.type === 'simple_expansion' || child.type === 'expansion') {
          const inner = part(child);
          if (!inner) return null;
          text += inner.text;
          vars.push(...inner.vars);
        } else return null;
      }
      // string_content drops nothing but the quotes; anything tree-sitter kept apart is refused above
      return { text, glob: false, vars };
    }
    case 'concatenation': {
      let text = '';
      let glob = false;
      const vars: string[] = [];
      for (const child of node.namedChildren) {
        const inner = child ? part(child) : null;
        if (!inner) return null;
        text += inner.text;
        glob ||= inner.glob;
        vars.push(...inner.vars);
      }
      // a concatenation tree-sitter split around punctuation it keeps as anonymous nodes
      if (node.namedChildren.map((c) => c!.text).join('') !== node.text) return null;
      return { text, glob, vars };
    }
    default:
      return null;
  }
}

/** The words of a simple command (name first), or null when one cannot be read as literal text. */
export function commandWords(node: BashNode): Word[] | null {
  if (node.type !== 'command') return null;
  const words: Word[] = [];
  for (const child of node.namedChildren) {
    if (!child) return null;
    if (child.type === 'command_name') {
      const name = child.namedChildren[0];
      const w = name ? part(name) : null;
      if (!w || w.vars.length > 0 || w.glob) return null;
      words.push(w);
    } else if (child.type === 'comment') {
      continue;
    } else {
      // arguments; a prefix assignment (X=1 cmd), redirect or substitution is refused
      const w = part(child);
      if (!w) return null;
      words.push(w);
    }
  }
  return words.length > 0 ? words : null;
}

/** A simple command or a pipeline of simple commands -> its stages, or null. */
export function stagesOf(node: BashNode): Stage[] | null {
  if (node.type === 'command') {
    const words = commandWords(node);
    return words ? [words] : null;
  }
  if (node.type !== 'pipeline') return null;
  const stages: Stage[] = [];
  for (const child of node.children) {
    if (!child) return null;
    if (!child.isNamed) {
      if (child.type !== '|') return null; // |& also sends stderr down the pipe
      continue;
    }
    const words = commandWords(child);
    if (!words) return null;
    stages.push(words);
  }
  return stages.length > 1 ? stages : null;
}
