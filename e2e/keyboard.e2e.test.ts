// Keyboard-only use of the whole app (docs/keyboard.md): the browser shell against a real
// systemd-nspawn host, driven with the keyboard alone (no click, no mouse). Every view is
// reached through the Views tab list; every control that takes focus in every view (and in
// the preview dialog) must have an accessible name, as Chromium computes it; a panel item
// leads to its runbook section; a preview closed with Escape runs nothing (the audit log has
// no new record); a read-only runbook snippet runs through the keyboard confirm and its
// output shows; focus comes back to the control that opened each dialog; the terminal keeps
// Tab for the shell and lets go on Escape then Tab; acknowledging an alert leaves focus on that
// alert's next button, and so does its resolving. Screenshots with the focus ring in
// e2e/output/keyboard-*.png.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testbed/fleet';
import { fleetConfigYaml } from './support/fleetConfig';
import { focused as focusedIn, tabTo as tabToIn } from './support/keyboard';
import { closeConsole, openConsole } from './support/console';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-keyboard-'));
const auditFile = join(dir, 'audit.jsonl');
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let page: Page;

const auditRecords = (): Array<{ kind: string; actionId: string | null; exitCode: number | null }> =>
  existsSync(auditFile)
    ? readFileSync(auditFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line))
    : [];

const focused = () => focusedIn(page);
const tabTo = (name: RegExp | string, options?: { back?: boolean; max?: number }) => tabToIn(page, name, options);

/**
 * Every node Chromium's accessibility tree marks focusable, with no name: what a screen reader
 * would announce as just "button" or "group". The page itself (RootWebArea) is left out.
 */
async function unnamedFocusables(): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: Array<{
        ignored: boolean;
        role?: { value: string };
        name?: { value: string };
        properties?: Array<{ name: string; value: { value: unknown } }>;
        backendDOMNodeId?: number;
      }>;
    };
    const bad = nodes.filter(
      (n) =>
        !n.ignored &&
        n.role?.value !== 'RootWebArea' &&
        n.properties?.some((p) => p.name === 'focusable' && p.value.value === true) &&
        !String(n.name?.value ?? '').trim(),
    );
    // one round trip for all of them (recharts alone has dozens of script-focusable layers)
    const found = await Promise.all(
      bad.map(async (n) => ({
        role: n.role?.value ?? '?',
        node: n.backendDOMNodeId
          ? ((await cdp.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId })) as { node: { nodeName: string; attributes?: string[] } }).node
          : null,
      })),
    );
    const described: string[] = [];
    for (const { role, node } of found) {
      const attributes = node?.attributes ?? [];
      // tabindex="-1" is focusable by script only (a panel the grid jumps to, recharts' layers): Tab never stops there
      const tabindex = attributes.indexOf('tabindex');
      if (tabindex >= 0 && attributes[tabindex + 1] === '-1') continue;
      described.push(`${role} <${node?.nodeName.toLowerCase() ?? '?'} ${attributes.join(' ')}>`);
    }
    return described;
  } finally {
    await cdp.detach();
  }
}

/** Focus is on a runbook heading (ids rb-…), where a jump to a section puts it. */
const sectionFocused = () => page.evaluate(() => !!document.activeElement?.id.startsWith('rb-') && !!document.activeElement.closest('article'));

/** Ctrl+K, type, wait until the wanted option is the active one, Enter: a jump by keyboard. */
async function jump(query: string, option: RegExp): Promise<void> {
  await page.keyboard.press('Control+k');
  const input = page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox', { name: 'Jump to' });
  await expect.poll(() => input.evaluate((el) => el === document.activeElement), { timeout: 5_000 }).toBe(true);
  await page.keyboard.type(query);
  const active = () => input.evaluate((el) => document.getElementById(el.getAttribute('aria-activedescendant') ?? '')?.getAttribute('aria-label') ?? '');
  await expect.poll(active, { timeout: 5_000 }).toMatch(option);
  await page.keyboard.press('Enter');
}

/** Switches the simulator on the host to a runbook scenario (sim/). */
async function scenario(name: string): Promise<void> {
  const result = await fleet.exec(
    fleet.hosts[0]!.name,
    `curl -sf -X POST -H 'content-type: application/json' -d '{"name":"${name}"}' http://127.0.0.1:8000/_sim/scenario`,
  );
  if (result.code !== 0) throw new Error(`switching the simulator to ${name} failed: ${result.stderr}`);
}

const shoot = (name: string) => page.screenshot({ path: join(out, `keyboard-${name}.png`) });

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  // the pid keeps two runs at once (a developer's and CI's) from sharing a fleet
  fleet = await startFleet({ name: `kbd${process.pid % 100000}`, hosts: 1 });
  const config = join(dir, 'config.yaml');
  // a short pending period: the alert the last spec acknowledges fires soon after its scenario starts
  writeFileSync(config, fleetConfigYaml(fleet, { user: 'e2e-keyboard', auditFile, extraLines: ['alerts: { pendingSeconds: 1 }'] }));
  await scenario('normal');
  ({ shell, browser, page } = await openConsole({ args: ['--config', config], env: { XDG_STATE_HOME: dir }, viewport: { width: 1440, height: 900 } }));
  try {
    await page
      .getByRole('list', { name: 'Host connections' })
      .getByRole('listitem', { name: /^trader-1: connected/ })
      .waitFor({ timeout: 30_000 });
    // the Brokers panel has data: its area button and runbook link are live
    await page.getByRole('table', { name: 'Brokers' }).waitFor({ timeout: 30_000 });
  } catch (error) {
    await page.screenshot({ path: join(out, 'keyboard-start-failed.png') });
    throw new Error(`the console never showed trader-1's panels: ${(error as Error).message}\nshell output:\n${shell.output().slice(-3000)}`);
  }
});

afterAll(() => closeConsole({ shell, browser }, fleet));

const VIEWS = ['Fleet', 'Deployment', 'Runbooks', 'Actions', 'Hosts', 'Audit'] as const;

describe('the whole console by keyboard alone', () => {
  it('switches every view from the Views tab list (one Tab stop, arrows move), and every focusable control in each view has a name', async () => {
    await tabTo('Deployment'); // the selected tab is the list's one Tab stop
    expect(await focused()).toEqual({ role: 'tab', name: 'Deployment' });
    await page.keyboard.press('Home');
    const problems: Record<string, string[]> = {};
    for (const [i, view] of VIEWS.entries()) {
      if (i > 0) await page.keyboard.press('ArrowRight');
      expect(await focused()).toEqual({ role: 'tab', name: view });
      await expect.poll(() => page.getByRole('tab', { name: view }).getAttribute('aria-selected'), { timeout: 5_000 }).toBe('true');
      await expect.poll(() => page.getByRole('tabpanel', { name: view }).isVisible(), { timeout: 5_000 }).toBe(true);
      if (view === 'Actions') await page.getByRole('navigation', { name: 'Action catalog' }).getByRole('button').first().waitFor({ timeout: 10_000 });
      if (view === 'Runbooks') await page.getByRole('navigation', { name: 'Runbooks' }).getByRole('button').first().waitFor({ timeout: 10_000 });
      const unnamed = await unnamedFocusables();
      if (unnamed.length) problems[view] = unnamed;
      await shoot(`tab-${view.toLowerCase()}`);
    }
    expect(problems).toEqual({});
    // wraps around, and Tab leaves the list instead of walking its six tabs
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toEqual({ role: 'tab', name: 'Fleet' });
    await page.keyboard.press('End');
    expect(await focused()).toEqual({ role: 'tab', name: 'Audit' });
    await page.keyboard.press('Tab');
    expect((await focused()).role).not.toBe('tab');
  });

  it("opens a panel from the fleet grid, and that panel item's runbook section, by Enter", async () => {
    await tabTo('Audit', { back: true });
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Fleet' }).isVisible(), { timeout: 5_000 }).toBe(true);
    await tabTo(/^Autotrader test fleet Brokers: /);
    await shoot('fleet-cell');
    await page.keyboard.press('Enter');
    // the Brokers panel of the deployment, focused: the next Tab is inside it
    await expect.poll(focused, { timeout: 10_000 }).toEqual({ role: 'section', name: 'Brokers' });
    await shoot('deployment-panel');
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual({ role: 'button', name: 'Open runbook: Brokers' });
    await page.keyboard.press('Enter');
    const article = page.getByRole('article', { name: 'Runbook: Broker connectivity' });
    await expect.poll(() => article.count(), { timeout: 10_000 }).toBe(1);
    // focus went to the section's heading, so the keyboard continues there, not at the top of the page
    await expect.poll(sectionFocused, { timeout: 10_000 }).toBe(true);
    await shoot('runbook-section');
  });

  it('Escape on a preview runs nothing, closes the dialog and gives focus back to the button that opened it', async () => {
    const before = auditRecords().length;
    await tabTo(/^Run on… Last lines of a unit's journal$/);
    await page.keyboard.press('Enter'); // opens the snippet's form
    await tabTo('Preview');
    await page.keyboard.press('Enter');
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect.poll(() => preview.getByLabel('Command').textContent(), { timeout: 10_000 }).toContain('journalctl -u autotrader-api -n 100');
    // the read-only confirm has focus; Tab cycles inside the dialog and never reaches the page
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'button', name: 'Confirm' });
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'))).toBe(true);
    }
    expect(await unnamedFocusables()).toEqual([]);
    await shoot('preview-dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => preview.count(), { timeout: 5_000 }).toBe(0);
    expect(await focused()).toEqual({ role: 'button', name: "Run on… Last lines of a unit's journal" });
    expect(auditRecords().length).toBe(before);

    // the same from the Deployment view's service-affecting restart
    await jump('view deployment', /^View: Deployment$/);
    // the jump leaves focus on the view's tab (the control the palette was opened from is hidden)
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'tab', name: 'Deployment' });
    await tabTo('Restart autotrader-ingestion on trader-1');
    await page.keyboard.press('Enter');
    await expect
      .poll(
        () =>
          page
            .getByRole('dialog', { name: /^Preview: / })
            .getByLabel('Command')
            .textContent(),
        { timeout: 10_000 },
      )
      .toContain('systemctl restart autotrader-ingestion');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count(), { timeout: 5_000 }).toBe(0);
    expect(await focused()).toEqual({ role: 'button', name: 'Restart autotrader-ingestion on trader-1' });
    expect(auditRecords().length).toBe(before);
    // and the Audit view says so too
    await tabTo('Deployment', { back: true });
    await page.keyboard.press('End');
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Audit' }).isVisible(), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Audit' }).textContent(), { timeout: 10_000 }).toContain('no actions recorded yet');
    // seconds after both Escapes: a run they had wrongly started would have its intent on disk by now
    expect(auditRecords().length).toBe(before);
  });

  it('runs the read-only journal snippet by keyboard confirm, shows its output, and focus returns to "Run on…"', async () => {
    await jump('runbook broker connectivity', /^Runbook: Broker connectivity/);
    // the runbook is open already: wait for the jump to land on its heading before tabbing from there
    await expect.poll(sectionFocused, { timeout: 10_000 }).toBe(true);
    await tabTo(/^Run on… Last lines of a unit's journal$/);
    await page.keyboard.press('Space'); // Space works as well as Enter on a button
    await tabTo('Preview');
    await page.keyboard.press('Enter');
    await expect.poll(focused, { timeout: 10_000 }).toEqual({ role: 'button', name: 'Confirm' });
    await page.keyboard.press('Enter');
    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    await expect.poll(() => run.getByRole('log', { name: 'Output from trader-1' }).textContent(), { timeout: 5_000 }).toMatch(/autotrader|-- No entries --/);
    // finished: Close has focus, so Enter closes
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'button', name: 'Close' });
    await shoot('run-dialog');
    await page.keyboard.press('Enter');
    await expect.poll(() => run.count(), { timeout: 5_000 }).toBe(0);
    expect(await focused()).toEqual({ role: 'button', name: "Run on… Last lines of a unit's journal" });
    expect(auditRecords().map((r) => [r.kind, r.actionId, r.exitCode])).toEqual([
      ['intent', 'journal.tail', null],
      ['result', 'journal.tail', 0],
    ]);
  });

  it('the terminal keeps Tab for the shell and lets go on Escape then Tab', async () => {
    await jump('host trader-1', /^Host: trader-1/);
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Hosts' }).isVisible(), { timeout: 5_000 }).toBe(true);
    // the jump leaves focus on the host's name, so Tab continues in its view
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'h2', name: 'trader-1' });
    await shoot('host-jump');
    await tabTo('Open terminal on trader-1');
    await page.keyboard.press('Enter');
    const pane = page.getByRole('region', { name: 'Terminal trader-1 #1' });
    await expect.poll(() => pane.getByRole('status', { name: 'Terminal status' }).textContent(), { timeout: 20_000 }).toMatch(/^connected/);
    const inTerminal = () => page.evaluate(() => !!document.activeElement?.closest('.terminal-box'));
    await expect.poll(inTerminal, { timeout: 5_000 }).toBe(true);
    // the way out is written beside the terminal and is the input's description
    expect(await pane.textContent()).toContain('Esc then Tab leaves the terminal');
    expect(await page.evaluate(() => document.getElementById(document.activeElement?.getAttribute('aria-describedby') ?? '')?.textContent ?? '')).toContain(
      'Esc then Tab',
    );
    await page.keyboard.press('Tab'); // completion in the shell: focus stays
    expect(await inTerminal()).toBe(true);
    await shoot('terminal');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    expect(await inTerminal()).toBe(false);
    expect(await focused()).toEqual({ role: 'button', name: 'Close terminal trader-1 #1' });
    await page.keyboard.press('Tab'); // back in
    expect(await inTerminal()).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await inTerminal()).toBe(false);
    // Close takes the pane, and the button, away: focus goes to the Terminals heading (no tab left)
    await page.keyboard.press('Shift+Tab'); // back into the shell, just before
    expect(await inTerminal()).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toEqual({ role: 'button', name: 'Close terminal trader-1 #1' });
    await page.keyboard.press('Enter');
    await expect.poll(() => pane.count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'h2', name: 'Terminals' });
    await shoot('terminal-closed');
  });

  it('the ssh_config import dialog: focus inside, Escape cancels, focus back on its button', async () => {
    await jump('view fleet', /^View: Fleet$/);
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'tab', name: 'Fleet' });
    await tabTo('Import hosts from ~/.ssh/config');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Import hosts from ~/.ssh/config' });
    await expect.poll(() => dialog.count(), { timeout: 5_000 }).toBe(1);
    await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]')), { timeout: 5_000 }).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count(), { timeout: 5_000 }).toBe(0);
    expect(await focused()).toEqual({ role: 'button', name: 'Import hosts from ~/.ssh/config' });
  });

  it("acknowledging an alert by Enter moves focus to the same alert's Snooze, not to the page; Snooze keeps it", async () => {
    await scenario('breaker-open');
    const list = page.getByRole('table', { name: 'Alert list' });
    const row = list.getByRole('row', { name: 'Autotrader test fleet coingecko_api circuit breaker not closed: firing' });
    await row.waitFor({ timeout: 60_000 });
    // the alert strip sits under the header, on every view: Tab reaches it from the header
    await tabTo('Acknowledge coingecko_api circuit breaker not closed');
    await page.keyboard.press('Enter');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('ack e2e-keyboard');
    // acknowledged: the Ack button is gone, and focus with it would have fallen to the page's body
    expect(await row.getByRole('button', { name: 'Acknowledge coingecko_api circuit breaker not closed' }).count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement !== document.body), { timeout: 5_000 }).toBe(true);
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'button', name: 'Snooze coingecko_api circuit breaker not closed for 1 hour' });
    await shoot('alert-acknowledged');
    // Snooze stays (as Unsnooze) and keeps focus
    await page.keyboard.press('Enter');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('snoozed to');
    await expect.poll(focused, { timeout: 5_000 }).toEqual({ role: 'button', name: 'Unsnooze coingecko_api circuit breaker not closed' });
    // the breaker closes: the alert resolves, its Unsnooze goes and the row folds away with the
    // resolved ones; focus goes to the strip's own first button (the resolved fold's toggle), not
    // to the page's body
    await scenario('normal');
    await expect.poll(() => row.count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(focused, { timeout: 5_000 }).toMatchObject({ role: 'button', name: expect.stringMatching(/^Show \d+ resolved$/) });
    await page.keyboard.press('Enter');
    await list.getByRole('row', { name: 'Autotrader test fleet coingecko_api circuit breaker not closed: resolved' }).waitFor({ timeout: 5_000 });
    await shoot('alert-resolved-focus');
  });
});
