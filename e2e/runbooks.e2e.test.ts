// The runbook viewer end to end, offline: the browser shell against a real systemd-nspawn host, with every
// request the page makes outside the shell's own 127.0.0.1 origin aborted (and counted: the
// spec fails if one is even attempted). Search "circuit breaker", open the section, run its
// snippet through preview and confirm on the host and read the output; open a runbook from a
// red panel; drive the command palette with the keyboard alone. Screenshots in e2e/output/.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testbed/fleet';
import { launchChromium } from './support/browser';
import { closeConsole } from './support/console';
import { fleetConfigYaml } from './support/fleetConfig';
import { REPO, startWebShell, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-runbooks-'));
const auditFile = join(dir, 'audit.jsonl');
/** the team's own runbook folder (their file kept verbatim as a fixture), named in the config like a user would */
const teamFolder = resolve(REPO, 'main', 'core', 'runbooks', 'fixtures', 'team');
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let page: Page;
const leaked: string[] = [];

const hostExec = async (command: string) => (await fleet.exec(fleet.hosts[0]!.name, command)).stdout.trim();

beforeAll(async () => {
  // the pid keeps two runs at once (a developer's and CI's) from sharing a fleet
  fleet = await startFleet({ name: `rbk${process.pid % 100000}`, hosts: 1 });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    fleetConfigYaml(fleet, {
      user: 'e2e-runbooks',
      auditFile,
      // alerts fire after 1 s instead of the default pending period, so the spec can follow one
      extraLines: ['alerts: { pendingSeconds: 1 }', 'runbooks:', `  folders: [${JSON.stringify(teamFolder)}]`],
    }),
  );
  await hostExec(`curl -sf -X POST -H 'content-type: application/json' -d '{"name":"normal"}' http://127.0.0.1:8000/_sim/scenario`);
  shell = await startWebShell(['--config', config], { XDG_STATE_HOME: dir });
  const origin = new URL(shell.url).origin;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // No network: anything not to the shell's own origin is aborted and remembered.
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url === origin) return route.continue();
    leaked.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) leaked.push(url);
  });
  await page.goto(shell.url);
  try {
    await page
      .getByRole('list', { name: 'Host connections' })
      .getByRole('listitem', { name: /^trader-1: connected/ })
      .waitFor({ timeout: 30_000 });
  } catch (error) {
    await page.screenshot({ path: join(out, 'runbooks-start-failed.png') });
    throw new Error(`trader-1 never connected: ${(error as Error).message}\nshell output:\n${shell.output().slice(-3000)}`);
  }
});

afterAll(() => closeConsole({ shell, browser }, fleet));

const runbooksPanel = () => page.getByRole('tabpanel', { name: 'Runbooks' });

describe('the offline runbook viewer on a real host', () => {
  it('searches "circuit breaker": the circuit-breaker sections rank first, the matched words are marked', async () => {
    await page.getByRole('tab', { name: 'Runbooks' }).click();
    await page.getByRole('searchbox', { name: 'Search runbooks' }).fill('circuit breaker');
    const results = runbooksPanel().getByRole('list', { name: 'Search results' });
    await expect.poll(() => results.getByRole('button').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const names = await results.getByRole('button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    // the bundled runbook (searched by its parts: a hit opens at the part it matched) and the
    // team's imported section, before anything that only mentions breakers
    const [first, second] = names.slice(0, 2).sort();
    expect(first).toMatch(/^Circuit breakers › Circuit breakers › (Symptoms|Diagnosis|Resolution|Escalation)$/);
    expect(second).toBe('Operations Runbooks › Circuit Breaker Trips');
    const marks = (await results.getByRole('button').first().locator('mark').allTextContents()).map((m) => m.toLowerCase());
    expect(marks).toContain('circuit');
    expect(marks.some((m) => m.startsWith('breaker'))).toBe(true);
    await page.screenshot({ path: join(out, 'runbooks-search.png') });
  });

  it('opens the section, runs its breaker check through preview and confirm on the host, and shows the output', async () => {
    await runbooksPanel().getByRole('button', { name: 'Circuit breakers › Circuit breakers › Resolution' }).click();
    const article = page.getByRole('article', { name: 'Runbook: Circuit breakers' });
    await expect.poll(() => article.count(), { timeout: 10_000 }).toBe(1);
    const live = article.getByRole('complementary', { name: 'Live state: Circuit breakers' });
    await expect.poll(() => live.textContent(), { timeout: 20_000 }).toMatch(/Autotrader test fleet: all ok/);
    // the watched curl is the one runnable shell line; it becomes the catalog's breaker check
    const block = article.getByRole('figure', { name: 'Code: Watch it recover (preferred)' });
    await block.getByRole('button', { name: "Run on… Circuit breakers as the host's health API reports them" }).click();
    const form = article.getByRole('form', { name: "Run Circuit breakers as the host's health API reports them" });
    expect(await form.getByRole('checkbox', { name: 'trader-1' }).isChecked()).toBe(true);
    await page.screenshot({ path: join(out, 'runbooks-section.png') });
    await form.getByRole('button', { name: 'Preview' }).click();

    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain('circuit-breakers');
    expect(await preview.getByRole('list', { name: 'Target hosts' }).textContent()).toContain('trader-1');
    await preview.getByRole('button', { name: 'Confirm' }).click();
    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    try {
      // the output view follows the newest line; scroll it to the top to read the first breaker
      const output = run.getByLabel('Output from trader-1');
      await output.evaluate((el) => (el.scrollTop = 0));
      await expect.poll(() => output.textContent(), { timeout: 5_000 }).toContain('coingecko_api');
      expect(await output.textContent()).toContain('CLOSED');
      await page.screenshot({ path: join(out, 'runbooks-run-output.png') });
    } finally {
      await run.getByRole('button', { name: 'Close' }).click();
    }

    const records = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.map((r) => [r.kind, r.actionId, r.hostId])).toEqual([
      ['intent', 'check.circuit-breakers', 'at-1'],
      ['result', 'check.circuit-breakers', 'at-1'],
    ]);
    expect(records[1]).toMatchObject({ user: 'e2e-runbooks', exitCode: 0 });
  });

  it('offers Copy, not Run, for a line with a placeholder, and fills the placeholder only from what is typed', async () => {
    await runbooksPanel().getByRole('navigation', { name: 'Runbooks' }).getByRole('button', { name: 'Rate limits' }).click();
    const article = page.getByRole('article', { name: 'Runbook: Rate limits' });
    await expect.poll(() => article.count(), { timeout: 10_000 }).toBe(1);
    const line = article.getByRole('listitem').filter({ hasText: 'export COINGECKO_API_KEY="your-pro-key"' });
    expect(await line.getByRole('button', { name: /^Run on/ }).count()).toBe(0);
    expect(await line.getByRole('button', { name: 'Copy' }).count()).toBe(1);
    await line.getByRole('textbox', { name: 'Fill in pro key' }).fill('typed-by-me');
    await line.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => line.getByRole('status').textContent(), { timeout: 5_000 }).toMatch(/copied|copy failed/);
  });

  it('imports the team runbook folder named in the config: seven area sections, each with its live state', async () => {
    await runbooksPanel().getByRole('navigation', { name: 'Runbooks' }).getByRole('button', { name: 'Operations Runbooks' }).click();
    const article = page.getByRole('article', { name: 'Runbook: Operations Runbooks' });
    await expect.poll(() => article.getByRole('complementary', { name: /^Live state: / }).count(), { timeout: 10_000 }).toBe(7);
    // its own table of contents link scrolls to the heading inside the page
    await article.getByRole('link', { name: 'Worker Queue Backlog' }).first().click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id ?? ''), { timeout: 5_000 }).toBe('rb-worker-queue-backlog');
    await page.screenshot({ path: join(out, 'runbooks-shared-import.png') });
  });

  it('opens the runbook section from a red panel and from the firing alert, showing the live failure at its top', async () => {
    await hostExec(`curl -sf -X POST -H 'content-type: application/json' -d '{"state":"OPEN"}' http://127.0.0.1:8000/_sim/breaker/coingecko_api`);
    await page.getByRole('tab', { name: 'Deployment' }).click();
    const panel = page.getByRole('region', { name: 'Circuit breakers' });
    await expect.poll(() => panel.getByRole('row', { name: /coingecko_api/ }).textContent(), { timeout: 15_000 }).toMatch(/OPEN/);
    await panel.getByRole('button', { name: 'Open runbook: Circuit breakers' }).click();
    const article = page.getByRole('article', { name: 'Runbook: Circuit breakers' });
    await expect.poll(() => article.count(), { timeout: 10_000 }).toBe(1);
    const live = article.getByRole('complementary', { name: 'Live state: Circuit breakers' });
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toMatch(/failing[\s\S]*coingecko_api: OPEN/);
    await page.screenshot({ path: join(out, 'runbooks-from-red-panel.png') });

    // the same section from the alert list, once the breaker alert fires
    await runbooksPanel().getByRole('navigation', { name: 'Runbooks' }).getByRole('button', { name: 'Rate limits' }).click();
    await expect.poll(() => page.getByRole('article', { name: 'Runbook: Rate limits' }).count(), { timeout: 10_000 }).toBe(1);
    const alertButton = page.getByRole('region', { name: 'Alerts' }).getByRole('button', { name: /^Open runbook circuit-breakers for coingecko_api/ });
    await alertButton.first().waitFor({ timeout: 30_000 });
    await alertButton.first().click();
    await expect.poll(() => page.getByRole('article', { name: 'Runbook: Circuit breakers' }).count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: join(out, 'runbooks-from-alert.png') });

    // and from the red item itself, in its panel row
    await page.getByRole('tab', { name: 'Deployment' }).click();
    const breakers = page.getByRole('region', { name: 'Circuit breakers' });
    const rowLink = breakers.getByRole('row', { name: /coingecko_api/ }).getByRole('button', { name: 'Open runbook for coingecko_api' });
    await rowLink.waitFor({ timeout: 10_000 });
    // only items in trouble carry the link: a healthy breaker's row stays quiet
    expect(await breakers.getByRole('button', { name: 'Open runbook for dexscreener_api' }).count()).toBe(0);
    await rowLink.click();
    await expect.poll(() => page.getByRole('article', { name: 'Runbook: Circuit breakers' }).count(), { timeout: 10_000 }).toBe(1);
  });

  it('drives the command palette by keyboard alone', async () => {
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const input = palette.getByRole('combobox', { name: 'Jump to' });
    await expect.poll(() => input.evaluate((el) => el === document.activeElement), { timeout: 5_000 }).toBe(true);
    await page.keyboard.type('panel rate');
    const active = () => input.evaluate((el) => document.getElementById(el.getAttribute('aria-activedescendant') ?? '')?.getAttribute('aria-label') ?? '');
    await expect.poll(active, { timeout: 5_000 }).toBe('Panel: Rate limits');
    await page.screenshot({ path: join(out, 'runbooks-palette.png') });
    await page.keyboard.press('Enter');
    expect(await palette.count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), { timeout: 5_000 }).toBe('Rate limits');

    // arrows move the active option; Enter opens a runbook section
    await page.keyboard.press('Control+k');
    await page.keyboard.type('runbook worker');
    try {
      await expect.poll(active, { timeout: 5_000 }).toMatch(/^Runbook: .*Worker/);
    } finally {
      await page.screenshot({ path: join(out, 'runbooks-palette-runbook.png') });
    }
    const first = await active();
    await page.keyboard.press('ArrowDown');
    await expect.poll(active, { timeout: 5_000 }).not.toBe(first);
    await page.keyboard.press('ArrowUp');
    await expect.poll(active, { timeout: 5_000 }).toBe(first);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('article', { name: /^Runbook: / }).getAttribute('aria-label'), { timeout: 10_000 })
      .toMatch(/Worker queues|Operations Runbooks/);

    // Escape closes and gives focus back to where it was
    await page.getByRole('searchbox', { name: 'Search runbooks' }).focus();
    await page.keyboard.press('Control+k');
    expect(await palette.count()).toBe(1);
    await page.keyboard.press('Escape');
    expect(await palette.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search runbooks');

    // a host jumps to the host view on that host
    await page.keyboard.press('Control+k');
    await page.keyboard.type('host trader-1');
    await expect.poll(active, { timeout: 5_000 }).toMatch(/^Host: trader-1/);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Hosts' }).isVisible(), { timeout: 5_000 }).toBe(true);
    expect(await runbooksPanel().isVisible()).toBe(false);
  });

  it('sent no request anywhere but the shell itself', () => {
    expect(leaked).toEqual([]);
  });
});
