// The on-call loop for every runbook area on the demo fleet, in real Chromium through the
// browser shell, by mouse and by keyboard: pick the area's scenario in the DEMO picker, its alert
// fires, the alert opens the runbook at the fix for its item (marked), Run, preview, confirm, one
// step back to the panel, which has recovered and carries the run as a mark. Mouse clicks from
// the alert to the recovered panel are counted: at most 5. Screenshots go to docs/screens/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser';
import { focused, tabTo } from './support/keyboard';
import { REPO, startWebShell, type WebShell } from './support/webShell';

const shots = join(REPO, 'docs', 'screens');
mkdirSync(shots, { recursive: true });
const home = mkdtempSync(join(tmpdir(), 'opsdeck-demoloop-'));
let shell: WebShell;
let browser: Browser;
let page: Page;

interface Area {
  scenario: string;
  section: string;
  panel: string;
  item: string;
  /** the fix's action title, a Run button in the section */
  fix: string;
  /** the code block the alert marks, by its label in the runbook: the fix is in it */
  block: string;
  /** the mouse walk's screenshot, when not loop-<section>.png */
  shot?: string;
  /** what the panel shows before the fix (checked on the mouse walk, which comes first) */
  before?: (panel: Locator) => Promise<void>;
  /** what the recovered panel shows beyond the item's row being ok */
  recovered?: (panel: Locator) => Promise<void>;
}

const AREAS: Area[] = [
  {
    scenario: 'freshness-stale',
    section: 'data-freshness',
    panel: 'Data freshness',
    item: 'coingecko',
    fix: 'Restart an autotrader service',
    block: 'CoinGecko',
  },
  {
    scenario: 'broker-down',
    section: 'broker-connectivity',
    panel: 'Brokers',
    item: 'questrade',
    fix: 'Refresh the Questrade token',
    block: 'Questrade',
  },
  {
    // the same scenario's other broker: the runbook's gateway restart brings it back
    scenario: 'broker-down',
    section: 'broker-connectivity',
    panel: 'Brokers',
    item: 'ibkr',
    fix: 'Restart IB Gateway',
    block: 'Interactive Brokers (IBKR)',
    shot: 'loop-broker-connectivity-ibkr.png',
    recovered: async (panel) => expect.poll(() => cellOf(panel, 'ibkr', 'Detail'), { timeout: 20_000 }).toMatch(/IB Gateway on port 4001/),
  },
  {
    scenario: 'sla-degraded',
    section: 'sla-violations',
    panel: 'SLA',
    item: 'coingecko',
    fix: 'Restart an autotrader service',
    block: 'Low success rate',
  },
  {
    scenario: 'breaker-open',
    section: 'circuit-breakers',
    panel: 'Circuit breakers',
    item: 'coingecko_api',
    fix: 'Reset a circuit breaker',
    block: 'Reset by hand (only when the service is known to be healthy)',
  },
  {
    scenario: 'rate-limited',
    section: 'rate-limits',
    panel: 'Rate limits',
    item: 'coingecko',
    fix: 'Restart an autotrader service',
    block: 'Now',
  },
  {
    scenario: 'queue-backlog',
    section: 'worker-queues',
    panel: 'Worker queues',
    item: 'scanner',
    fix: 'Set WORKER_COUNT and restart the workers',
    block: 'More workers',
    before: async (panel) => expect(await cellOf(panel, 'scanner', 'Workers')).toBe('2'),
    // "scale workers to 4": the panel says 4
    recovered: async (panel) => expect.poll(() => cellOf(panel, 'scanner', 'Workers'), { timeout: 20_000 }).toBe('4'),
  },
  {
    scenario: 'security-failing',
    section: 'security-checks',
    panel: 'Security checks',
    item: 'ibkr_fa_scrubbing',
    fix: 'Rolling restart of every autotrader service',
    block: 'FA ids in the logs',
  },
];

beforeAll(async () => {
  // no hosts: the demo fleet; alerts fire after 1 s instead of 30 so each area takes seconds
  const config = join(home, 'config.yaml');
  writeFileSync(config, 'alerts: { pendingSeconds: 1 }\n');
  shell = await startWebShell(['--config', config], { XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(shell.url);
  await page.getByRole('combobox', { name: 'Demo scenario' }).waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
});

const panelOf = (area: Area) => page.getByRole('region', { name: area.panel, exact: true });
const rowOf = (panel: Locator, item: string) => panel.locator('table.items tbody tr').filter({ has: page.locator(`th.item-name:text-is("${item}")`) });
async function cellOf(panel: Locator, item: string, header: string): Promise<string> {
  const headers = await panel.locator('table.items thead th').allTextContents();
  return (await rowOf(panel, item).locator('th, td').nth(headers.indexOf(header)).textContent()) ?? '';
}
const rowOk = async (panel: Locator, item: string) => ((await rowOf(panel, item).getAttribute('class')) ?? '').includes('row-ok');
const openRunbookButton = (area: Area) =>
  page
    .getByRole('region', { name: 'Alerts' })
    .getByRole('button', { name: new RegExp(`^Open runbook ${area.section} for ${area.item}( |$)`) })
    .first();

/** The section opened, with the alert's fix marked; returns the fix's Run button. */
async function checkRunbook(area: Area): Promise<Locator> {
  const section = page.locator(`section.runbook-section[data-area="${area.section}"]`);
  await section.waitFor({ timeout: 15_000 });
  // exactly the block with the fix for this alert is marked, no other
  const marked = section.locator('figure[data-for-alert]');
  await expect.poll(() => marked.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label'))), { timeout: 5_000 }).toEqual([`Code: ${area.block}`]);
  // the first marked Run button has focus: Enter starts the fix for the item that alerted
  await expect.poll(async () => (await focused(page)).name, { timeout: 5_000 }).toMatch(/^Run on… /);
  const run = marked.getByRole('button', { name: `Run on… ${area.fix}` }).first();
  expect(await run.count()).toBe(1);
  return run;
}

/** Back at the panel: recovered, with the run as a mark (a line on every panel, a mark on its charts). */
async function checkRecovered(area: Area, shot: string | null): Promise<void> {
  const panel = panelOf(area);
  await expect.poll(() => page.getByRole('tab', { name: 'Deployment' }).getAttribute('aria-selected'), { timeout: 5_000 }).toBe('true');
  await expect.poll(() => rowOk(panel, area.item), { timeout: 45_000, interval: 500 }).toBe(true);
  await area.recovered?.(panel);
  const marks = panel.getByRole('list', { name: `Actions on ${area.panel}` });
  await expect.poll(() => marks.textContent(), { timeout: 10_000 }).toContain(area.fix);
  const charts = panel.locator('figure.chart');
  if ((await charts.count()) > 0) {
    await expect.poll(() => panel.locator('g.action-mark title').allTextContents(), { timeout: 15_000 }).toContainEqual(expect.stringContaining(area.fix));
  }
  if (shot) {
    await panel.scrollIntoViewIfNeeded();
    const box = (await panel.boundingBox())!;
    await page.screenshot({
      path: join(shots, shot),
      fullPage: true,
      clip: { x: box.x, y: box.y + (await page.evaluate(() => window.scrollY)), width: box.width, height: box.height },
    });
  }
}

/**
 * The run's intent in the Audit view names the alert it came from; reached by Tab and opened by
 * Enter, the link focuses that alert in the strip (resolved by now: unfolded for it).
 */
async function checkAuditLinksBack(area: Area): Promise<void> {
  await page.getByRole('tab', { name: 'Audit' }).click();
  const link = page.getByRole('table', { name: 'Audit records' }).getByRole('button', { name: new RegExp(`^from alert: .* ${area.item}$`) });
  await expect.poll(() => link.count(), { timeout: 10_000 }).toBeGreaterThan(0);
  await tabTo(page, new RegExp(`^from alert: .* ${area.item}$`));
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused(page)).name, { timeout: 5_000 }).toMatch(new RegExp(` ${area.item} .*: (resolved|firing)$`));
  await page.screenshot({ path: join(shots, 'audit-from-alert.png') });
  // fold the resolved alerts again: the walks after this one find their alerts as before
  const hide = page.getByRole('region', { name: 'Alerts' }).getByRole('button', { name: 'Hide resolved' });
  if ((await hide.count()) > 0) await hide.click();
}

async function waitForAlert(area: Area): Promise<void> {
  await expect.poll(() => openRunbookButton(area).count(), { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
}

// a walk that failed half-way leaves its dialog open: the next area starts without it
beforeEach(async () => {
  for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) > 0; i++) await page.keyboard.press('Escape');
});

describe('the loop for each runbook area on the demo fleet', () => {
  describe('by mouse', () => {
    it.each(AREAS)(
      '$section for $item: alert, marked fix, Run, preview, confirm, back at the recovered panel with its mark in at most 5 clicks',
      async (area) => {
        await page.getByRole('tab', { name: 'Deployment' }).click();
        const picker = page.getByRole('combobox', { name: 'Demo scenario' });
        await picker.selectOption(area.scenario);
        await waitForAlert(area);
        if (area.scenario === 'breaker-open') {
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: join(shots, 'demo-scenario-picker.png') });
        }

        await area.before?.(panelOf(area));
        let clicks = 0;
        const click = async (locator: Locator) => {
          clicks++;
          await locator.click();
        };
        if (area.item === 'questrade') {
          // the walk whose audit row links back: a pending alert that resolves without having
          // fired is not kept (its link opens the panel instead), so this run starts from a firing one
          const alerts = page.getByRole('region', { name: 'Alerts' });
          await expect.poll(() => alerts.getByRole('row', { name: / questrade broker not online: firing$/ }).count(), { timeout: 60_000 }).toBeGreaterThan(0);
        }
        await click(openRunbookButton(area));
        const run = await checkRunbook(area);
        if (area.item === 'questrade') await page.screenshot({ path: join(shots, 'runbook-alert-fix-marked.png') });
        await click(run);
        await click(page.getByRole('form', { name: `Run ${area.fix}` }).getByRole('button', { name: 'Preview' }));
        const preview = page.getByRole('dialog', { name: /^Preview: / });
        await preview.waitFor({ timeout: 15_000 });
        await click(preview.getByRole('button', { name: 'Confirm' }));
        const dialog = page.getByRole('dialog', { name: /^Run: / });
        await expect.poll(() => dialog.textContent(), { timeout: 30_000 }).toMatch(/succeeded/);
        await click(dialog.getByRole('button', { name: /^Back to / }));
        await checkRecovered(area, area.shot ?? `loop-${area.section}.png`);
        expect(clicks).toBeLessThanOrEqual(5);
        if (area.item === 'questrade') await checkAuditLinksBack(area);
      },
    );
  });

  describe('by keyboard', () => {
    it.each(AREAS)('$section for $item: the same loop with the keyboard alone', async (area) => {
      await page.getByRole('tab', { name: 'Deployment' }).click();
      await page.getByRole('combobox', { name: 'Demo scenario' }).selectOption('normal');
      await page.locator('body').click({ position: { x: 2, y: 2 } });
      // the picker by Tab, the scenario by arrowing down from "healthy" to the area's entry
      await tabTo(page, 'Demo scenario');
      const options = await page
        .getByRole('combobox', { name: 'Demo scenario' })
        .locator('option')
        .evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value));
      for (let i = options.indexOf('normal'); i < options.indexOf(area.scenario); i++) await page.keyboard.press('ArrowDown');
      await expect.poll(() => page.getByRole('combobox', { name: 'Demo scenario' }).inputValue(), { timeout: 5_000 }).toBe(area.scenario);
      await waitForAlert(area);
      await tabTo(page, new RegExp(`^Open runbook ${area.section} for ${area.item}( |$)`), { back: true });
      await page.keyboard.press('Enter');
      await checkRunbook(area);
      if ((await focused(page)).name !== `Run on… ${area.fix}`) await tabTo(page, `Run on… ${area.fix}`);
      await page.keyboard.press('Enter');
      await tabTo(page, 'Preview');
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: /^Preview: / }).waitFor({ timeout: 15_000 });
      await tabTo(page, 'Confirm');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: /^Run: / });
      await expect.poll(() => dialog.textContent(), { timeout: 30_000 }).toMatch(/succeeded/);
      await tabTo(page, /^Back to /);
      await page.keyboard.press('Enter');
      await checkRecovered(area, null);
    });
  });
});
