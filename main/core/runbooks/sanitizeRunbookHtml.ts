// The allow-list every runbook's HTML passes before it reaches the page. Runbooks come from
// folders a user names, so their raw HTML is untrusted: sanitize-html (htmlparser2 underneath)
// rather than regexes, because HTML parsing edge cases are exactly where hand-written
// sanitizers fail. No script, style, iframe, form or event attribute survives; links keep only
// http(s)/mailto and relative targets; images survive only as files inside the runbook's own
// folder, inlined as data: URIs (the page's CSP allows no remote image).
import { randomUUID } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, resolve, sep } from 'node:path';
import sanitizeHtml from 'sanitize-html';
import { recordFrom } from '../../../common/emptyRecord';

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};
const MAX_IMAGE_BYTES = 512 * 1024;

const TAGS = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'hr',
  'blockquote',
  'pre',
  'code',
  'span',
  'div',
  'ul',
  'ol',
  'li',
  'strong',
  'em',
  'b',
  'i',
  's',
  'del',
  'kbd',
  'sup',
  'sub',
  'a',
  'img',
  'input',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'dl',
  'dt',
  'dd',
  'details',
  'summary',
];

/**
 * A relative image as a data: URI, or null (remote, outside the folder, too big, not an image).
 * `src` is relative to `dir`, the runbook's own folder (as GitHub reads it); the file must lie
 * inside `root`, the configured runbook folder.
 */
export function inlineImage(src: string, dir: string | null, root: string | null = dir): string | null {
  if (!dir || !src || /^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('//') || isAbsolute(src)) return null;
  const type = IMAGE_TYPES[extname(src.split(/[?#]/)[0]!).toLowerCase()];
  if (!type) return null;
  try {
    const top = realpathSync(root ?? dir);
    const file = realpathSync(resolve(dir, decodeURI(src.split(/[?#]/)[0]!)));
    if (!file.startsWith(top + sep)) return null;
    if (statSync(file).size > MAX_IMAGE_BYTES) return null;
    return `data:${type};base64,${readFileSync(file).toString('base64')}`;
  } catch {
    return null;
  }
}

function prefixedId(attribs: Record<string, string>): Record<string, string> {
  if (attribs.id === undefined) return attribs;
  return { ...attribs, id: attribs.id.startsWith('rb-') ? attribs.id : `rb-${attribs.id}` };
}

export function sanitizeRunbookHtml(html: string, dir: string | null, root: string | null = dir): string {
  return sanitizeHtml(html, {
    allowedTags: TAGS,
    disallowedTagsMode: 'discard',
    allowedAttributes: {
      a: ['href', 'title'],
      img: ['src', 'alt', 'title'],
      input: ['type', 'checked', 'disabled'],
      h1: ['id'],
      h2: ['id'],
      h3: ['id'],
      h4: ['id'],
      h5: ['id'],
      h6: ['id'],
      ol: ['start'],
      th: ['scope'],
    },
    allowedClasses: {
      code: ['hljs', 'language-*'],
      span: ['hljs-*'],
      li: ['task-list-item'],
      // admonitions (GitHub alerts, MkDocs, Docusaurus)
      div: [
        'markdown-alert',
        'markdown-alert-*',
        'admonition',
        'note',
        'tip',
        'info',
        'caution',
        'danger',
        'warning',
        'important',
        'success',
        'secondary',
        'summary',
        'abstract',
        'tldr',
        'todo',
        'hint',
        'check',
        'done',
        'question',
        'help',
        'faq',
        'attention',
        'failure',
        'fail',
        'missing',
        'error',
        'bug',
        'example',
        'snippet',
        'quote',
        'cite',
      ],
      p: ['markdown-alert-title', 'admonition-title'],
      ul: ['contains-task-list'],
      input: ['task-list-item-checkbox'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    transformTags: {
      // every id on the page is the runbook's: prefixed, so raw HTML (<h2 id="root">) can clobber
      // neither the console's own ids nor window globals
      ...recordFrom(
        ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, (tagName: string, attribs: Record<string, string>) => ({ tagName, attribs: prefixedId(attribs) })]),
      ),
      img: (tagName, attribs) => {
        const data = inlineImage(attribs.src ?? '', dir, root);
        // Dropped images leave their alt text, so the reader knows something was there.
        if (!data) return { tagName: 'span', attribs: {}, text: attribs.alt ? `[image not shown: ${attribs.alt}]` : '[image not shown]' };
        return { tagName, attribs: { src: data, ...(attribs.alt ? { alt: attribs.alt } : {}) } };
      },
      input: (tagName, attribs) =>
        // only the disabled checkboxes of task lists
        attribs.type === 'checkbox'
          ? { tagName, attribs: { type: 'checkbox', disabled: '', ...(attribs.checked !== undefined ? { checked: '' } : {}) } }
          : { tagName: 'span', attribs: {} },
    },
  });
}

/** For one highlighted code line: spans with hljs classes, nothing else. */
export function sanitizeHighlight(html: string): string {
  return sanitizeHtml(html, { allowedTags: ['span'], allowedAttributes: {}, allowedClasses: { span: ['hljs-*'] }, disallowedTagsMode: 'escape' });
}

/**
 * A separator no runbook can contain: random per process, and plain text, so that it survives
 * every sanitizer here (highlighted code allows only spans and escapes any other tag, which
 * turned an HTML separator into text and sent every batch to the one-by-one fallback).
 */
const SEPARATOR = `\nrb-split-${randomUUID()}\n`;

/**
 * Sanitizes many fragments in one pass: sanitize-html rebuilds its option tables on every
 * call, which dominated parsing (one call per section part and per code block). Fragments are
 * joined with a random separator and split after; if the separator did not survive intact
 * (an unterminated attribute in a fragment can swallow it), each fragment is sanitized alone.
 */
export function sanitizeMany(fragments: readonly string[], sanitize: (html: string) => string): string[] {
  if (fragments.length <= 1) return fragments.map(sanitize);
  const joined = sanitize(fragments.join(SEPARATOR)).split(SEPARATOR);
  return joined.length === fragments.length ? joined : fragments.map(sanitize);
}
