// Code highlighting at parse time, in main: highlight.js core with only the four languages
// runbooks use, so the renderer ships no highlighter and runs no highlighting code.
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import yaml from 'highlight.js/lib/languages/yaml';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('python', python);
hljs.registerLanguage('yaml', yaml);
hljs.registerLanguage('json', json);

const ALIASES: Readonly<Record<string, string>> = { sh: 'bash', shell: 'bash', console: 'bash', zsh: 'bash', py: 'python', yml: 'yaml' };

/** The registered language for a fence's info string, or null (plain text). */
export function codeLanguage(info: string): string | null {
  const name = info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const lang = ALIASES[name] ?? name;
  return hljs.getLanguage(lang) ? lang : null;
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Highlighted markup of a whole block (escaped plain text when the language is unknown). */
export function highlightBlock(code: string, lang: string | null): string {
  return lang ? hljs.highlight(code, { language: lang, ignoreIllegals: true }).value : escapeHtml(code);
}

/**
 * Highlighted markup per line. The block is highlighted whole (strings and heredocs span
 * lines), then cut at newlines, closing the open spans at each cut and reopening them on the
 * next line, so each line is well-formed on its own.
 */
export function highlightLines(code: string, lang: string | null): string[] {
  return splitLines(highlightBlock(code, lang));
}

/** Cuts highlighted markup at newlines, keeping each line's spans balanced. */
export function splitLines(html: string): string[] {
  const lines: string[] = [];
  const open: string[] = [];
  let current = '';
  const tag = /<span[^>]*>|<\/span>|\n/g;
  let last = 0;
  for (const m of html.matchAll(tag)) {
    current += html.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    if (m[0] === '\n') {
      lines.push(current + '</span>'.repeat(open.length));
      current = open.join('');
    } else if (m[0] === '</span>') {
      open.pop();
      current += m[0];
    } else {
      open.push(m[0]);
      current += m[0];
    }
  }
  lines.push(current + html.slice(last));
  return lines;
}
