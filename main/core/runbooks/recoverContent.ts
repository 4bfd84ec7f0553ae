// Markdown that would vanish without a word, brought back with a note. Two shapes lose text in
// CommonMark as markdown-it (and GitHub's sanitised view) render it: a raw <style>, <script>,
// <textarea> or <pre> never closed runs to the end of the file and is then removed whole; a list
// nested deeper than the parser's nesting limit ends parsing, so everything after it is gone.
// Each is cut where the loss starts and the rest parsed again as Markdown.
import type MarkdownIt from 'markdown-it';

type Markdown = InstanceType<typeof MarkdownIt>;
type Token = ReturnType<Markdown['parse']>[number];

const SWALLOWING = /^\s*<(script|style|textarea|pre)(?=[\s>/]|$)/i;

export function parseWithoutLoss(md: Markdown, source: string, env: Record<string, unknown>, notes: string[], offset = 0, depth = 0): Token[] {
  const tokens = md.parse(source, env);
  if (depth > 20) return tokens;
  const lines = source.split('\n');
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const tag = t.type === 'html_block' && t.level === 0 ? SWALLOWING.exec(t.content)?.[1] : undefined;
    if (tag && !new RegExp(`</${tag}\\s*>`, 'i').test(t.content) && t.map) {
      const line = t.map[0];
      notes.push(`an unclosed <${tag.toLowerCase()}> on line ${offset + line + 1} would hide everything after it: the tag is left out and the rest shown`);
      const rest = lines.slice(line + 1).join('\n');
      return [...out, ...parseWithoutLoss(md, rest, env, notes, offset + line + 1, depth + 1)];
    }
    out.push(t);
  }
  // the parser stops at its nesting limit and drops the rest: parse what follows on its own
  if (tokens.some((t) => t.level >= md.options.maxNesting - 2)) {
    const LEAVES = new Set(['inline', 'fence', 'code_block', 'html_block', 'hr']);
    const end = Math.max(0, ...tokens.filter((t) => LEAVES.has(t.type) && t.map).map((t) => t.map![1]));
    const remaining = lines.slice(end).join('\n');
    if (end > 0 && remaining.trim() !== '') {
      notes.push(
        `lists nested more than ${Math.floor(md.options.maxNesting / 2)} levels deep (line ${offset + end}) are cut at that depth; what follows them is shown`,
      );
      return [...out, ...parseWithoutLoss(md, remaining.replace(/^[ \t]+/gm, ''), env, notes, offset + end, depth + 1)];
    }
  }
  return out;
}
