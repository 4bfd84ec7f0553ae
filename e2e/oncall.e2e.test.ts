// The on-call loop on the demo fleet in real Chromium through the browser shell: the header and
// alert strip stay in view, alerts grouped with the panel's reason, from an alert to its runbook
// and, after a run, one step back to its panel; parameters typed as the panel shows them;
// required fields checked before Preview; the chart range; the audit table fitting its panel and
// a run's kept output opened from it; the Hosts view. Screenshots of each screen go to docs/screens/.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser';
import { REPO, startWebShell, type WebShell } from './support/webShell';

const shots = join(REPO, 'docs', 'screens');
mkdirSync(shots, { recursive: true });
const home = mkdtempSync(join(tmpdir(), 'opsdeck-oncall-'));
let shell: WebShell;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // Main's chart history starts with its first poll: a day of it would take a day. The web
  // shell's test-only --test-history-hours puts 24 made-up hours behind each endpoint's first
  // poll (main/core/health/history/backfillHistory.ts), so the 24 h range has a day to draw.
  shell = await startWebShell(['--test-history-hours', '24'], {
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    OPSDECK_CONFIG: '',
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(shell.url);
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
});

const alerts = () => page.getByRole('region', { name: 'Alerts' });
const topOf = async (name: string) => (await page.getByRole('region', { name }).boundingBox())?.y ?? NaN;

describe('on call on the demo fleet', () => {
  it('keeps the header and the alert strip in view while the panels scroll', async () => {
    await page
      .getByRole('region', { name: 'Circuit breakers' })
      .getByRole('row', { name: /coingecko_api/ })
      .waitFor({ timeout: 30_000 });
    const before = await topOf('Alerts');
    await page.mouse.wheel(0, 1500);
    await expect.poll(() => page.evaluate(() => window.scrollY), { timeout: 5_000 }).toBeGreaterThan(150);
    expect(await topOf('Alerts')).toBeCloseTo(before, 0);
    expect((await page.getByRole('banner').boundingBox())?.y).toBe(0);
    await page.screenshot({ path: join(shots, 'sticky-header-scrolled.png') });
    await page.mouse.wheel(0, -3000);
  });

  it("shows an alert with the panel's reason, active ones first, resolved ones folded", async () => {
    // the demo cycles through one scenario per runbook area: an alert fires within a minute
    const firing = alerts().getByRole('row', { name: /: firing$/ });
    await expect.poll(() => firing.count(), { timeout: 90_000, interval: 500 }).toBeGreaterThan(0);
    const summary = await page.getByRole('status', { name: 'Alert summary' }).textContent();
    expect(summary).toMatch(/\d+ firing/);
    // resolved rows are not shown until asked for
    expect(
      await alerts()
        .getByRole('row', { name: /: resolved$/ })
        .count(),
    ).toBe(0);
    await alerts().screenshot({ path: join(shots, 'alerts-strip.png') });
  });

  it("opens the alert's runbook section with the header still in view, and after a run offers one step back to the panel", async () => {
    const row = alerts()
      .getByRole('row', { name: /: firing$/ })
      .first();
    const name = (await row.getAttribute('aria-label'))!;
    await row.getByRole('button', { name: /^Open runbook / }).click();
    const runbooks = page.getByRole('tabpanel', { name: 'Runbooks' });
    await expect.poll(() => runbooks.locator('section[data-area]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect((await page.getByRole('banner').boundingBox())?.y).toBe(0);
    expect(await alerts().isVisible()).toBe(true);
    await page.screenshot({ path: join(shots, 'alert-to-runbook.png') });

    // a read-only run from the Actions view: the run dialog then offers the way back
    await page.getByRole('tab', { name: 'Actions' }).click();
    await page
      .getByRole('navigation', { name: 'Action catalog' })
      .getByRole('button', { name: /^List worker queues and their lengths/ })
      .click();
    await page
      .getByRole('form', { name: 'Run List worker queues and their lengths' })
      .getByRole('button', { name: /^Preview/ })
      .click();
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await preview.waitFor({ timeout: 15_000 });
    await preview.getByRole('button', { name: 'Confirm' }).click();
    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.textContent(), { timeout: 20_000 }).toMatch(/succeeded, exit 0/);
    const back = run.getByRole('button', { name: /^Back to / });
    // "<deployment> <item> <rule>: firing": back to that deployment's item
    expect(await back.textContent()).toContain(`Back to ${name.slice(0, name.indexOf(' ', 'autotrader (DEMO) '.length))}`);
    await page.screenshot({ path: join(shots, 'run-back-to-panel.png') });
    await back.click();
    await expect.poll(() => page.getByRole('tab', { name: 'Deployment' }).getAttribute('aria-selected'), { timeout: 5_000 }).toBe('true');
    // the panel the alert came from has focus, below the sticky block, not under it
    const focusedPanel = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const top = document.querySelector('.app-top')!.getBoundingClientRect().bottom;
      return el?.classList.contains('panel') ? { label: el.getAttribute('aria-label'), belowTop: el.getBoundingClientRect().top >= top - 1 } : null;
    });
    expect(focusedPanel).toMatchObject({ belowTop: true });
  });

  it('takes a queue as the panel names it, and checks required fields before Preview', async () => {
    await page.getByRole('tab', { name: 'Actions' }).click();
    await page
      .getByRole('navigation', { name: 'Action catalog' })
      .getByRole('button', { name: /^Peek at a worker queue/ })
      .click();
    const form = page.getByRole('form', { name: 'Run Peek at a worker queue' });
    await form.getByRole('button', { name: /^Preview/ }).click();
    expect(await form.getByRole('alert').textContent()).toBe('Fill in Queue first: nothing was sent.');
    expect(await page.getByRole('dialog').count()).toBe(0);
    const live = form.getByLabel('Live Queue values');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toContain('scanner');
    await form.getByRole('combobox', { name: 'Queue' }).fill('scanner');
    expect(await live.textContent()).toContain('sends worker:scanner:queue');
    await page.screenshot({ path: join(shots, 'param-live-queue.png') });
    await form.getByRole('button', { name: /^Preview/ }).click();
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect.poll(() => preview.getByLabel('Command').textContent(), { timeout: 15_000 }).toContain('worker:scanner:queue');
    await preview.getByRole('button', { name: 'Cancel' }).click();
  });

  it('draws the charts over a chosen time range with the unit on the axis', async () => {
    await page.getByRole('tab', { name: 'Deployment' }).click();
    const range = page.getByRole('group', { name: 'Chart time range' });
    await range.getByRole('button', { name: '15 min' }).click();
    expect(await range.getByRole('button', { name: '15 min' }).getAttribute('aria-pressed')).toBe('true');
    const chart = page.getByRole('figure', { name: 'p95 latency history' });
    await expect.poll(() => chart.locator('svg .recharts-label').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await chart.locator('svg .recharts-label').first().textContent()).toBe('ms');
    await page.getByRole('region', { name: 'SLA' }).screenshot({ path: join(shots, 'charts-range-unit.png') });

    // a day back: main's minutes before the live hour, the made-up spike 20 h ago among them
    await range.getByRole('button', { name: '24 h' }).click();
    await expect.poll(() => chart.locator('figcaption').textContent(), { timeout: 15_000 }).toMatch(/24 h: since \d\d:\d\d UTC · per-minute worst beyond 1 h/);
    const caption = (await chart.locator('figcaption').textContent())!;
    const since = caption.match(/since (\d\d):(\d\d) UTC/)!;
    const sinceMinutes = Number(since[1]) * 60 + Number(since[2]);
    const now = new Date();
    // a day before the newest point, to the minute (its first minute may begin just after)
    const back = (now.getUTCHours() * 60 + now.getUTCMinutes() - sinceMinutes + 1440) % 1440;
    expect(back <= 2 || back >= 1438, `since ${since[0]}, now ${now.toISOString()}`).toBe(true);
    // ticks on round hours, every 3 h (fewer where the chart is narrow)
    const ticks = chart.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value');
    await expect.poll(() => ticks.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    for (const tick of await ticks.allTextContents()) expect(tick).toMatch(/^(00|03|06|09|12|15|18|21):00$/);
    await page.getByRole('region', { name: 'SLA' }).screenshot({ path: join(shots, 'charts-range-24h.png') });
    await range.getByRole('button', { name: '1 h' }).click();
  });

  it('fits the audit table in its panel, outcome first', async () => {
    await page.getByRole('tab', { name: 'Audit' }).click();
    const table = page.getByRole('table', { name: 'Audit records' });
    await table.waitFor({ timeout: 10_000 });
    const fit = await page.evaluate(() => {
      const t = document.querySelector('table[aria-label="Audit records"]') as HTMLElement;
      const panel = t.closest('section') as HTMLElement;
      return { table: t.getBoundingClientRect().width, panel: panel.clientWidth };
    });
    expect(fit.table).toBeLessThanOrEqual(fit.panel);
    expect(await table.getByRole('img', { name: 'succeeded' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'audit-fits.png') });
  });

  it("opens a run's kept output from its audit row, by keyboard, after its dialog is gone", async () => {
    // the worker queue listing run above: its result row's Output button
    const open = page
      .getByRole('table', { name: 'Audit records' })
      .getByRole('button', { name: /^Output: queue\.list on / })
      .first();
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /^Output: queue\.list on / });
    await dialog.waitFor({ timeout: 10_000 });
    await expect
      .poll(() => dialog.getByRole('status', { name: 'Kept output position' }).textContent(), { timeout: 10_000 })
      .toMatch(/^page 1 of 1 · \d+ lines? kept$/);
    const log = dialog.getByRole('log', { name: /^Output from / });
    // what the run printed on the host: a worker:* key and its length, or that there are none
    expect(await log.textContent()).toMatch(/worker:\S+ \d+|no worker:\* keys/);
    await page.screenshot({ path: join(shots, 'audit-run-output.png') });
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect(await open.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('follows a journal in the dock while the console stays usable', async () => {
    await page.getByRole('tab', { name: 'Actions' }).click();
    await page
      .getByRole('navigation', { name: 'Action catalog' })
      .getByRole('button', { name: /^Follow a unit's journal live/ })
      .click();
    await page
      .getByRole('form', { name: "Run Follow a unit's journal live" })
      .getByRole('button', { name: /^Preview/ })
      .click();
    await page
      .getByRole('dialog', { name: /^Preview: / })
      .getByRole('button', { name: 'Confirm' })
      .click();
    const dock = page.getByRole('region', { name: 'Follows' });
    await dock.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByRole('dialog').count(), { timeout: 10_000 }).toBe(0);
    const log = dock.getByRole('region', { name: /^Output from / });
    await expect.poll(async () => Number(await log.getAttribute('data-line-count')), { timeout: 20_000 }).toBeGreaterThan(0);
    // the console is not inert: another view opens while the follow runs
    await page.getByRole('tab', { name: 'Deployment' }).click();
    await page.getByRole('region', { name: 'Worker queues' }).waitFor({ timeout: 5_000 });
    await dock.getByRole('searchbox', { name: 'Search lines' }).fill('autotrader');
    await page.screenshot({ path: join(shots, 'follow-dock.png') });
    await dock.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => dock.getByRole('button', { name: 'Close' }).count(), { timeout: 15_000 }).toBe(1);
    await dock.getByRole('button', { name: 'Close' }).click();
    expect(await dock.count()).toBe(0);
  });

  it("shows the Hosts view with each host's own facts", async () => {
    await page.getByRole('tab', { name: 'Hosts' }).click();
    const failed = page.getByLabel('Failed units');
    await expect.poll(() => failed.textContent(), { timeout: 20_000 }).toMatch(/^systemctl --failed: /);
    await page.screenshot({ path: join(shots, 'hosts-view.png'), fullPage: true });
  });
});
