// Other teams' runbooks in real Chromium through the browser shell, on the demo fleet (no host is
// needed: nothing here runs): a folder shaped like a team's repository (nested folders, several
// README.md, Hugo front matter) beside the bundled set. The library is grouped by folder with
// counts; hovering a withheld Run shows why in words; "Run on…" shows the runbook's line beside
// the command that runs with every difference marked; admonitions render as boxes. The texts the
// user sees are asserted, and the screenshots of each shape are written to docs/.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConsole, openConsole, type ConsolePage } from './support/console';
import { REPO } from './support/webShell';

const docs = join(REPO, 'docs');
const fixtures = join(REPO, 'main', 'core', 'runbooks', 'fixtures');
const home = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-runbook-shapes-'));
const team = join(home, 'team-runbooks');
let opened: ConsolePage;

/** A team's repository: the project's own fixtures placed the way such repositories nest them. */
function writeTeamFolder(): void {
  const put = (file: string, text: string) => {
    mkdirSync(join(team, file, '..'), { recursive: true });
    writeFileSync(join(team, file), text);
  };
  mkdirSync(join(team, 'redis'), { recursive: true });
  copyFileSync(join(fixtures, 'context-traps.md'), join(team, 'redis', 'context-traps.md'));
  mkdirSync(join(team, 'docs'), { recursive: true });
  copyFileSync(join(fixtures, 'admonitions.md'), join(team, 'docs', 'admonitions.md'));
  put(
    'README.md',
    '---\ntitle: Team runbooks\nweight: 1\naliases: [/runbooks/]\n---\n# Team runbooks\n\nStart with [the operator alerts](operator/alerts/README.md).\n',
  );
  put(
    'operator/alerts/README.md',
    '---\ntitle: Operator alerts\nweight: 10\n---\n# Operator alerts\n\n## Symptoms\n\n- the reconcile loop falls behind\n\n## Resolution\n\n```bash\njournalctl -u autotrader-api -n 100\n```\n',
  );
  put(
    'operator/alerts/queue-backlog.md',
    '---\nlinkTitle: Queue backlog\nweight: 20\nbookHidden: true\n---\n# Queue backlog\n\nSee [the alerts](README.md).\n',
  );
  put('operator/README.md', '---\nsidebar_label: Operator\nsidebar_position: 1\n---\n# The operator\n\nRunbooks for the operator’s alerts.\n');
}

beforeAll(async () => {
  writeTeamFolder();
  const config = join(home, 'config.yaml');
  // no hosts: the demo fleet, so "Run on…" has a deployment's hosts to offer
  // named as a user names it, under their home
  writeFileSync(config, 'hosts: []\nrunbooks:\n  folders: [~/team-runbooks]\n');
  opened = await openConsole({
    args: ['--config', config],
    env: { HOME: home, XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_STATE_HOME: join(home, 'xdg-state') },
    viewport: { width: 1280, height: 900 },
  });
  await opened.page.getByRole('tab', { name: 'Runbooks' }).click();
});

afterAll(() => closeConsole(opened));

const library = () => opened.page.getByRole('navigation', { name: 'Runbooks' });
const section = (title: string) => opened.page.getByRole('region', { name: `Section: ${title}` });
/** the code line whose text is exactly `text` */
const codeLine = (block: Locator, text: string) => block.locator('li.code-line').filter({ has: opened.page.locator('code', { hasText: text }) });

async function openRunbook(title: string): Promise<void> {
  await library().getByRole('button', { name: title, exact: true }).click();
  await opened.page.getByRole('article', { name: `Runbook: ${title}` }).waitFor({ timeout: 10_000 });
}

describe("other teams' runbooks in the browser shell", () => {
  it('lists the library grouped by source and folder, each with its count', async () => {
    await library().getByRole('button', { name: 'Operator alerts', exact: true }).waitFor({ timeout: 20_000 });
    const summaries = await library()
      .locator('summary')
      .evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
    expect(summaries).toContain('~/team-runbooks (6)');
    for (const folder of ['. (1)', 'docs (1)', 'operator (1)', 'operator/alerts (2)', 'redis (1)']) expect(summaries).toContain(folder);
    expect(summaries.some((s) => /^bundled \(\d+\)$/.test(s))).toBe(true);
    // within a folder, the source tool's order (Hugo weight), not the alphabet
    const alerts = library().locator('details.library-folder', { has: opened.page.locator('summary', { hasText: /^operator\/alerts/ }) });
    expect(await alerts.getByRole('button').allTextContents()).toEqual(['Operator alerts', 'Queue backlog']);
    await library().screenshot({ path: join(docs, 'runbooks-library.png') });
  });

  it('shows on hover why a line typed into another Redis has no Run', async () => {
    await openRunbook('Context traps');
    const redis = section('Another Redis');
    const del = codeLine(redis, 'DEL worker:ingest');
    expect(await del.getByRole('button', { name: /^Run on… / }).count()).toBe(0);
    const withheld = del.locator('.withheld');
    expect(await withheld.textContent()).toContain('no Run');
    const shown = () => withheld.evaluate((el) => getComputedStyle(el, '::after').content);
    // mid-page, clear of the sticky header and alert strip
    await redis.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    // nothing until the pointer is on it
    expect(await shown()).toBe('none');
    await withheld.hover();
    const reason = await shown();
    expect(reason).toContain('typed into `redis-cli -h 10.0.0.9 -p 6380 -n 5` (line 1)');
    expect(reason).toContain('10.0.0.9:6380, db 5');
    expect(reason).toContain("the host's own Redis (127.0.0.1:6379, db 0)");
    // the same words for a screen reader and for the keyboard
    expect(await withheld.getAttribute('aria-label')).toBe(`No Run: ${reason.slice(1, -1)}`);
    // the reason's box opens over the next line, and is drawn above that line's own mark where
    // they overlap, not under it
    const box = (await withheld.boundingBox())!;
    const next = (await codeLine(redis, 'KEYS worker:*').locator('.withheld').boundingBox())!;
    const overlap = { from: Math.max(box.x, next.x), to: next.x + next.width };
    expect(overlap.to - overlap.from).toBeGreaterThan(4);
    const onTop = await opened.page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('li')?.textContent ?? '', {
      x: (overlap.from + overlap.to) / 2,
      y: next.y + next.height / 2,
    });
    expect(onTop).toContain('DEL worker:ingest');
    // the page, not the element: an element screenshot scrolls and the pointer leaves it
    const area = (await redis.boundingBox())!;
    await opened.page.screenshot({ path: join(docs, 'runbooks-withheld.png'), clip: { x: area.x, y: area.y, width: area.width, height: area.height + 40 } });
    await opened.page.mouse.move(0, 0);
  });

  it('shows the runbook line beside the command that runs, every difference marked', async () => {
    const comments = section('Comments and hidden characters');
    const restart = codeLine(comments, 'systemctl restart autotrader-ingestion');
    await restart.getByRole('button', { name: /^Run on… / }).click();
    const form = comments.getByRole('form', { name: /^Run / });
    const pair = form.getByRole('group', { name: 'Runbook line and the command that runs' });
    await pair.waitFor({ timeout: 5_000 });
    const [line, command] = await pair.locator('code.diff-words').allTextContents();
    expect(line).toBe('systemctl restart autotrader-ingestion # ; rm -rf /');
    expect(command).toBe('systemctl restart autotrader-ingestion');
    expect(await pair.locator('mark.diff-line').allTextContents()).toEqual(['#', ';', 'rm', '-rf', '/']);
    expect(await pair.locator('mark.diff-command').count()).toBe(0);
    expect(await pair.getByText(/words differ/).textContent()).toBe('▲ 5 words differ (marked)');
    expect(await form.locator('.line-warning').first().textContent()).toContain('Run runs only `systemctl restart autotrader-ingestion`');
    // the next line hides a right-to-left override: shown as an escape, with no Run
    const bidi = codeLine(comments, 'systemctl restart autotrader-api');
    expect(await bidi.locator('code').first().textContent()).toContain('<U+202E>');
    expect(await bidi.getByRole('button', { name: /^Run on… / }).count()).toBe(0);
    await comments.screenshot({ path: join(docs, 'runbooks-preview-diff.png') });
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('renders the admonitions of GitHub, MkDocs and Docusaurus as titled boxes', async () => {
    await openRunbook('Admonitions');
    const article = opened.page.getByRole('article', { name: 'Runbook: Admonitions' });
    const titles = (await article.locator('.markdown-alert-title, .admonition-title').allTextContents()).map((t) => t.trim());
    expect(titles).toEqual(['Warning', 'Data loss', 'Faster']);
    expect(await article.locator('.markdown-alert-warning').textContent()).toContain('Draining a node evicts every pod on it.');
    expect(await article.locator('.admonition.danger').textContent()).toContain('Deleting the volume cannot be undone.');
    expect(await article.locator('.admonition.tip').textContent()).toContain('Use the bulk endpoint.');
    expect(await article.textContent()).not.toMatch(/\[!WARNING\]|!!! danger|:::tip/);
    await article.screenshot({ path: join(docs, 'runbooks-admonitions.png') });
  });
});
