// Files shaped like other teams' repositories, written for this test: other tools' front matter,
// folders at any depth, symbolic links (inside, outside, broken, a cycle), images beside the file,
// raw HTML that would swallow what follows, lists nested past the parser's limit, raw ids. What
// the reader must see: every runbook, nothing lost without a note, every skipped file named.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledCatalog } from '../actions/Catalog';
import type { Logger } from '../../../common/logger';
import { RunbookLibrary } from './RunbookLibrary';

const logger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const base = mkdtempSync(join(tmpdir(), 'opsdeck-shapes-'));
const root = join(base, 'repo');
const write = (name: string, text: string | Buffer) => {
  mkdirSync(join(root, name, '..'), { recursive: true });
  writeFileSync(join(root, name), text);
};
// a 1x1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

write('hugo/_index.md', '---\ntitle: Alerts\nweight: 10\naliases: [/old/alerts/]\nbookHidden: true\nbookCollapseSection: true\n---\n# Alerts\n\nIndex page.\n');
write(
  'hugo/kube/KubePodCrashLooping.md',
  '---\nweight: 20\ndescription: A pod restarts over and over.\ncustom_thing: 1\n---\n# KubePodCrashLooping\n\n![graph](img/graph.png)\n\nSee [the index](../_index.md) and [the API runbook](../../services/api/README.md#restart).\n',
);
write('hugo/kube/img/graph.png', PNG);
write('services/api/README.md', '# API\n\n## Restart\n\n```bash\nsystemctl restart autotrader-api\n```\n');
write('services/workers/README.md', '# Workers\n\nSee [API](../api/README.md).\n');
write('a/b/c/d/e/f/deep.md', '# Deep\n\nSix folders down.\n');
write('docusaurus.md', '---\nsidebar_position: 3\nsidebar_label: Short title\nhide_table_of_contents: true\n---\nNo heading here.\n');
write('badyaml.md', '---\ntitle: [unclosed\n---\n# Still shown\n\nBody.\n');
write('badarea.md', '---\narea: nowhere\n---\n# Area typo\n');
write('style.md', '# Styled\n\n<style>\n.x { color: red }\n\n## Escalation\n\nPage the on-call engineer.\n');
write(
  'deep-list.md',
  `# Deep list\n\n${Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n')}\n\n## Escalation\n\nCall the lead.\n`,
);
write('raw-id.md', '# Raw ids\n\n<h2 id="root">Root</h2>\n\n<h3 id="opsdeck-header">Clash</h3>\n');
mkdirSync(join(base, 'outside'));
writeFileSync(join(base, 'outside', 'secret.md'), '# Outside\n');
symlinkSync(join(root, 'services'), join(root, 'linked-services'));
symlinkSync(root, join(root, 'services', 'loop'));
symlinkSync(join(base, 'outside', 'secret.md'), join(root, 'outside-link.md'));
symlinkSync(join(root, 'missing.md'), join(root, 'broken-link.md'));

let library: RunbookLibrary;
beforeAll(async () => {
  library = new RunbookLibrary({ folders: [{ path: root, source: 'team' }], catalog: bundledCatalog(), logger });
  await library.load();
});
afterAll(() => library.close());

const byFile = (file: string) => {
  const summary = library.list().find((r) => r.file === file);
  if (!summary)
    throw new Error(
      `${file} not loaded; have ${library
        .list()
        .map((r) => r.file)
        .join(', ')}`,
    );
  return library.get(summary.id);
};
const html = (file: string) =>
  byFile(file)
    .sections.flatMap((s) => s.parts.map((p) => (p.kind === 'html' ? p.html : '')))
    .join('\n');

describe('folders as other teams keep them', () => {
  it('reads every depth and follows links that stay inside the folder', () => {
    const files = library.list().map((r) => r.file);
    expect(files).toEqual(
      expect.arrayContaining(['a/b/c/d/e/f/deep.md', 'linked-services/api/README.md', 'services/api/README.md', 'hugo/kube/KubePodCrashLooping.md']),
    );
    expect(files).not.toContain('outside-link.md');
  });

  it('names every file it skipped and why: a link outside, a broken link, a cycle', () => {
    expect(library.problems.find((p) => p.includes('outside-link.md'))).toMatch(/outside the runbook folder/);
    expect(library.problems.find((p) => p.includes('broken-link.md'))).toMatch(/broken symbolic link/);
    expect(library.problems.find((p) => p.includes('loop'))).toMatch(/cycle/);
  });
});

describe('front matter of other tools', () => {
  it('keeps what it can use and notes what it ignores, never refusing the file', () => {
    const hugo = byFile('hugo/_index.md');
    expect(hugo.title).toBe('Alerts');
    expect(hugo.weight).toBe(10);
    expect(hugo.notes.join(' ')).toMatch(/hidden or draft/);
    const kube = byFile('hugo/kube/KubePodCrashLooping.md');
    expect(kube.description).toBe('A pod restarts over and over.');
    expect(kube.notes).toEqual(['front matter keys Opsdeck does not use: custom_thing (ignored)']);
    const docu = byFile('docusaurus.md');
    expect(docu.title).toBe('Short title');
    expect(docu.weight).toBe(3);
    expect(byFile('badyaml.md').notes[0]).toMatch(/not valid YAML.*ignored/);
    expect(byFile('badyaml.md').title).toBe('Still shown');
    expect(byFile('badarea.md').notes[0]).toMatch(/area: "nowhere".*ignored/);
  });
});

describe('nothing lost in silence', () => {
  it('shows what an unclosed <style> would have swallowed, with a note', () => {
    expect(html('style.md')).toMatch(/Page the on-call engineer/);
    expect(byFile('style.md').notes[0]).toMatch(/unclosed <style> on line 3/);
  });

  it('shows what follows a list nested past the parser’s limit, with a note', () => {
    expect(html('deep-list.md')).toMatch(/Call the lead/);
    expect(html('deep-list.md')).toMatch(/level 59/);
    expect(byFile('deep-list.md').notes[0]).toMatch(/nested more than 50 levels/);
  });

  it('prefixes ids written in raw HTML', () => {
    expect(html('raw-id.md')).toContain('id="rb-root"');
    expect(html('raw-id.md')).toContain('id="rb-opsdeck-header"');
    expect(html('raw-id.md')).not.toMatch(/id="root"/);
  });

  it('reads images relative to the runbook’s own folder', () => {
    expect(html('hugo/kube/KubePodCrashLooping.md')).toMatch(/<img src="data:image\/png;base64,/);
  });
});

describe('admonitions of GitHub, MkDocs and Docusaurus', () => {
  it('render as marked boxes with their titles, not as raw text', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseRunbook } = await import('./parseRunbook');
    const { SnippetMatcher } = await import('./SnippetMatcher');
    const catalog = bundledCatalog();
    const doc = parseRunbook(readFileSync(join(import.meta.dirname, 'fixtures/admonitions.md'), 'utf8'), {
      id: 'a',
      source: 't',
      file: 'admonitions.md',
      dir: null,
      catalog,
      matcher: new SnippetMatcher(catalog),
    }).doc;
    const page = doc.sections.flatMap((s) => s.parts.map((p) => (p.kind === 'html' ? p.html : ''))).join('\n');
    expect(page).toMatch(/<div class="markdown-alert markdown-alert-warning"><p class="markdown-alert-title">\s*Warning<\/p>\s*<p>Draining a node/);
    expect(page).toMatch(/<div class="admonition danger">\s*<p class="admonition-title">Data loss<\/p>\s*<p>Deleting the volume/);
    expect(page).toMatch(/<div class="admonition tip"><p class="admonition-title">Faster<\/p>\s*<p>Use the bulk endpoint/);
    expect(page).not.toMatch(/\[!WARNING\]|!!!|:::/);
    expect(page).toMatch(/After all three/);
  });
});
