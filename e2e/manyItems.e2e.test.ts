// 500 items on every endpoint, end to end: the real simulator (a real HTTP server) serves them,
// the browser shell polls it and Chromium shows them. A panel of many items is a scroll box with
// only the rows in view in the page; every row is still reached by scrolling, by keyboard (the
// box's End key, Tab through the rows' runbook links), and a view switch keeps the Deployment
// view as it was. The charts draw the worst few items and say how many they leave out.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startSimProcess } from './support/simProcess';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser';
import { allRows, rowOf } from './support/itemRows';
import { REPO, startWebShell, type WebShell } from './support/webShell';

const ITEMS = 500;
/** the simulator's endpoints have up to 4 items of their own, and the health API allows 500 */
const EXTRA = ITEMS - 4;
const shots = join(REPO, 'docs', 'screens');
mkdirSync(shots, { recursive: true });
const home = mkdtempSync(join(tmpdir(), 'opsdeck-many-items-'));
let sim: ChildProcess;
let shell: WebShell;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const started = await startSimProcess(join(home, 'sim'), 'normal');
  sim = started.child;
  const simUrl = started.url;
  const items = Array.from({ length: EXTRA }, (_, i) => ({ name: `item-${String(i).padStart(3, '0')}`, text: `failing ${i}` }));
  const set = await fetch(`${simUrl}/_sim/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
  expect(set.status).toBe(200);
  writeFileSync(join(home, 'known_hosts'), '');
  const config = join(home, 'config.yaml');
  writeFileSync(
    config,
    [
      'user: many-items-e2e',
      `knownHostsFile: ${join(home, 'known_hosts')}`,
      `auditFile: ${join(home, 'audit.jsonl')}`,
      'hosts:',
      // no SSH here: the host's connection fails and the panels are what is looked at
      '  - { id: no-ssh, address: 127.0.0.1, port: 9, connectTimeoutSeconds: 2 }',
      'deployments:',
      `  - { id: many, name: Many items, hosts: [no-ssh], health: { url: "${simUrl}", intervalSeconds: 2 } }`,
      'alerts: { pendingSeconds: 1 }',
      '',
    ].join('\n'),
  );
  shell = await startWebShell(['--config', config], { XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_STATE_HOME: join(home, 'xdg-state') });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(shell.url);
  await box()
    .waitFor({ timeout: 60_000 })
    .catch(async (error: unknown) => {
      await page.screenshot({ path: join(home, 'not-ready.png') });
      throw new Error(`no scroll box in the Circuit breakers panel (screenshot ${join(home, 'not-ready.png')})`, { cause: error });
    });
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  sim?.kill();
});

const breakers = () => page.getByRole('region', { name: 'Circuit breakers', exact: true });
const box = () => breakers().getByRole('group', { name: /^Circuit breakers: \d+ items, scroll for more$/ });
const tab = (name: string) => page.getByRole('tablist', { name: 'Views' }).getByRole('tab', { name, exact: true });

describe(`${ITEMS} items on every endpoint`, () => {
  it('a panel is a scroll box with the rows in view in the page, and every row is reached by scrolling', async () => {
    const count = Number(await breakers().getByRole('table').getAttribute('aria-rowcount')) - 1;
    expect(count).toBeGreaterThan(EXTRA);
    // a box's worth of rows in the page, not 500
    const inPage = await breakers().locator('tbody tr[aria-rowindex]').count();
    expect(inPage).toBeGreaterThan(10);
    expect(inPage).toBeLessThan(80);
    // every item is there to be read, once each, by scrolling the box
    const rows = await allRows(breakers());
    expect(rows.size).toBe(count);
    for (const i of [0, 250, EXTRA - 1]) expect(rows.get(`item-${String(i).padStart(3, '0')}`), `item ${i}`).toContain('OPEN');
    // and a row far down the list is found the way a user finds it
    const far = await rowOf(breakers(), 'item-480');
    await expect.poll(() => far.isVisible()).toBe(true);
    expect(await far.getByRole('img').first().getAttribute('aria-label')).toMatch(/^failing: OPEN/);
    await page.screenshot({ path: join(shots, 'many-items-deployment.png') });
    expect(pageErrors).toEqual([]);
  });

  it('the keyboard reaches the end of the list: the box is a Tab stop (End), and Tab walks the rows past the first box', async () => {
    await box().focus();
    await page.keyboard.press('End');
    const last = Number(await breakers().getByRole('table').getAttribute('aria-rowcount'));
    await expect.poll(() => breakers().locator(`tbody tr[aria-rowindex="${last}"]`).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Home');
    // at the top: rows are measured as they render, so the position can settle a pixel off (CI
    // read 1 once under load); no user sees one pixel
    await expect.poll(() => box().evaluate((el) => el.scrollTop)).toBeLessThanOrEqual(1);
    // from the first row's runbook link, 60 Tabs later focus is still on a row's link, rows further down
    await breakers()
      .getByRole('button', { name: /^Open runbook for item-/ })
      .first()
      .focus();
    for (let i = 0; i < 60; i++) await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => ({
      label: document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName,
      row: Number(document.activeElement?.closest('tr')?.getAttribute('aria-rowindex')),
    }));
    expect(focused.label).toMatch(/^Open runbook for item-\d+$/);
    expect(focused.row).toBeGreaterThan(55);
    expect(await box().evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  });

  it('switching away and back keeps the Deployment view as it was', async () => {
    const mark = await box().evaluate((el) => {
      el.scrollTop = 600;
      el.dataset.mark = 'kept';
      return el.scrollTop;
    });
    for (const view of ['Hosts', 'Fleet', 'Audit', 'Deployment']) await tab(view).click();
    await expect.poll(() => box().isVisible()).toBe(true);
    // the same box (not built again), where it was scrolled to, and its rows still there
    expect(await box().getAttribute('data-mark')).toBe('kept');
    expect(await breakers().locator('tbody tr[aria-rowindex]').count()).toBeGreaterThan(10);
    expect(mark).toBeGreaterThan(0);
    // where it was, within the pixel that measured rows can move it (CI read 599 for 600 once)
    expect(Math.abs((await box().evaluate((el) => el.scrollTop)) - mark)).toBeLessThanOrEqual(1);
    expect(pageErrors).toEqual([]);
  });

  it('a chart draws the worst few items and says how many it leaves out', async () => {
    const chart = page.getByRole('figure', { name: 'p95 latency history' });
    await expect.poll(() => chart.textContent(), { timeout: 60_000 }).toMatch(/the 7 worst of \d+ items/);
  });
});
