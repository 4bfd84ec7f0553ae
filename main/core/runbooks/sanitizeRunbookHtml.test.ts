// A runbook from a user's folder is untrusted input: whatever raw HTML or links it holds, the
// page must receive nothing that runs, loads from the network or escapes the runbook's folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledCatalog } from '../actions/Catalog';
import { parseRunbook } from './parseRunbook';
import { sanitizeHighlight, sanitizeMany, sanitizeRunbookHtml } from './sanitizeRunbookHtml';
import { loadBashParser } from './shell/bashParser';
import { SnippetMatcher } from './SnippetMatcher';

beforeAll(() => loadBashParser());

const catalog = bundledCatalog();
const matcher = new SnippetMatcher(catalog);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const folder = mkdtempSync(join(tmpdir(), 'opsdeck-runbook-'));
mkdirSync(join(folder, 'img'));
writeFileSync(join(folder, 'img', 'flow.png'), PNG);
writeFileSync(join(tmpdir(), 'opsdeck-outside.png'), PNG);

const html = (markdown: string): string =>
  parseRunbook(markdown, { id: 't', source: 'test', file: 't.md', dir: folder, catalog, matcher })
    .doc.sections.flatMap((s) => s.parts.map((p) => (p.kind === 'html' ? p.html : '')))
    .join('\n');

describe('runbook HTML sanitization', () => {
  it('drops script tags and their content', () => {
    const out = html('# T\n\nbefore\n\n<script>window.pwned = 1</script>\n\nafter <script src="https://evil.example/x.js"></script>');
    expect(out).not.toMatch(/<script/i);
    expect(out).not.toContain('pwned');
    expect(out).toContain('before');
    expect(out).toContain('after');
  });

  it('removes javascript:, data: and vbscript: links but keeps their text; keeps https and relative links', () => {
    const out = html(
      '# T\n\n[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html;base64,PHNjcmlwdD4=) <a href="vbscript:x">d</a> [e](https://status.alpaca.markets) [f](other.md#x) [g](#symptoms)',
    );
    // markdown-it already refuses these as links (they stay visible, inert text); raw <a> loses its href
    expect(out).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
    expect(out).toContain('<a>d</a>');
    expect((out.match(/<a /g) ?? []).length).toBe(3);
    expect(out).toContain('href="https://status.alpaca.markets"');
    expect(out).toContain('href="other.md#x"');
    expect(out).toContain('href="#symptoms"');
  });

  it('strips event handler attributes, style, iframes, forms, objects, fonts and meta refreshes', () => {
    const out = html(
      [
        '# T',
        '',
        '<img src="x" onerror="window.pwned=1">',
        '<p onclick="steal()" style="background:url(https://evil.example/t.png)">click</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<style>@font-face { src: url(https://evil.example/f.woff) }</style>',
        '<form action="https://evil.example"><input name="q"><button>go</button></form>',
        '<object data="x.swf"></object><embed src="x.swf"><link rel="stylesheet" href="https://evil.example/s.css">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<svg><script>alert(1)</script></svg><math><mtext><img src=x onerror=alert(1)></mtext></math>',
      ].join('\n'),
    );
    expect(out).not.toMatch(/onerror|onclick|style=|<iframe|<style|<form|<object|<embed|<link|<meta|<svg|<math|evil\.example|pwned|alert/i);
    expect(out).toContain('click');
  });

  it('shows no remote image: http(s), protocol-relative and data: images are replaced by their alt text', () => {
    const out = html(
      '# T\n\n![chart](https://evil.example/track.png) ![pixel](//evil.example/p.png) ![inline](data:image/png;base64,iVBORw0KGgo=) <img src="data:image/svg+xml;base64,PHN2Zz4=" alt="raw">',
    );
    expect(out).not.toMatch(/<img/);
    expect(out).toContain('[image not shown: chart]');
    expect(out).toContain('[image not shown: pixel]');
    expect(out).toContain('[image not shown: inline]');
    expect(out).toContain('[image not shown: raw]');
  });

  it('inlines an image from the runbook folder, and refuses one that climbs out of it', () => {
    const out = html('# T\n\n![flow](img/flow.png)\n\n![escape](../opsdeck-outside.png)\n\n![abs](/etc/passwd)');
    expect(out).toContain(`<img src="data:image/png;base64,${PNG.toString('base64')}" alt="flow" />`);
    expect(out).toContain('[image not shown: escape]');
    expect(out).toContain('[image not shown: abs]');
  });

  it('renders GFM tables, task lists (disabled checkboxes) and heading anchors with the rb- prefix', () => {
    const out = html('# T\n\n## Steps\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n');
    expect(out).toContain('<h2 id="rb-steps">Steps</h2>');
    expect(out).toMatch(/<table>[\s\S]*<th>a<\/th>[\s\S]*<td>2<\/td>/);
    expect(out).toContain('<li class="task-list-item"><input type="checkbox" disabled checked /> done</li>');
    expect(out).toContain('<li class="task-list-item"><input type="checkbox" disabled /> todo</li>');
    expect(out).not.toContain('style=');
  });

  it('keeps nothing but hljs spans in highlighted code, even when a fence holds HTML', () => {
    const { doc } = parseRunbook('# T\n\n```bash\necho "<script>alert(1)</script>" <img src=x onerror=alert(1)>\n```\n', {
      id: 't',
      source: 's',
      file: 't.md',
      dir: null,
      catalog,
      matcher,
    });
    const block = doc.sections[0]!.parts.find((p) => p.kind === 'code');
    const line = block && block.kind === 'code' ? block.block.lines[0]! : null;
    expect(line?.html).not.toMatch(/<script|<img/);
    expect(line?.html).toContain('&lt;script&gt;');
  });

  it('sanitizeRunbookHtml on its own: an input that is not a checkbox becomes plain text', () => {
    expect(sanitizeRunbookHtml('<input type="text" value="x" autofocus onfocus="x()">', null)).toBe('<span></span>');
  });

  it('sanitizes many fragments in one pass, and falls back to one by one when a fragment swallows the separator', () => {
    const clean = (html: string) => sanitizeRunbookHtml(html, null);
    expect(sanitizeMany(['<p>a</p>', '<script>x()</script><p>b</p>', '<p onclick="y()">c</p>'], clean)).toEqual(['<p>a</p>', '<p>b</p>', '<p>c</p>']);
    const hostile = ['<a title="unterminated>one</a>', '<img src=x onerror=alert(1)><p>two</p>', '<p>three</p>'];
    const out = sanitizeMany(hostile, clean);
    expect(out).toHaveLength(3);
    expect(out.join('')).not.toMatch(/onerror|<img|rb-split/);
    expect(out[2]).toBe('<p>three</p>');
  });

  it('takes one sanitizer pass for a batch of ordinary fragments, HTML and highlighted code alike', () => {
    let calls = 0;
    const counting = (sanitize: (html: string) => string) => (html: string) => {
      calls++;
      return sanitize(html);
    };
    expect(
      sanitizeMany(
        ['<p>a</p>', '<ul><li>b</li></ul>', '<p>c</p>'],
        counting((h) => sanitizeRunbookHtml(h, null)),
      ),
    ).toEqual(['<p>a</p>', '<ul><li>b</li></ul>', '<p>c</p>']);
    expect(calls).toBe(1);
    calls = 0;
    const code = ['<span class="hljs-built_in">systemctl</span> restart x', 'redis-cli LLEN <span class="hljs-string">"worker:q"</span>', '<b>not a span</b>'];
    expect(sanitizeMany(code, counting(sanitizeHighlight))).toEqual([code[0], code[1], '&lt;b&gt;not a span&lt;/b&gt;']);
    expect(calls).toBe(1);
  });

  it('names the field when front matter is wrong, and still shows the runbook', () => {
    const bad = parseRunbook('---\narea: not-an-area\n---\n# T\n', { id: 't', source: 's', file: 'team/bad.md', dir: null, catalog, matcher }).doc;
    expect(bad.title).toBe('T');
    expect(bad.notes[0]).toMatch(/front matter: area: "not-an-area" .*: ignored/);
    const yaml = parseRunbook('---\nalerts: [a\n---\n# T\n', { id: 't', source: 's', file: 'team/bad.md', dir: null, catalog, matcher }).doc;
    expect(yaml.notes[0]).toMatch(/front matter is not valid YAML/);
  });
});
