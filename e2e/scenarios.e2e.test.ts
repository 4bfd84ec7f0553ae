// The alert and history scenarios end to end on a real systemd-nspawn host: the simulator runs there as
// autotrader-api and the console polls it through an SSH forward. For each runbook area the
// simulator is switched to its scenario; Chromium must show the right item in the right
// status with the reason in words, the alert for it must fire exactly once (one instance, one
// desktop notification), and it must resolve when the simulator goes back to normal.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testbed/fleet';
import { launchChromium } from './support/browser';
import { closeConsole } from './support/console';
import { REPO, startWebShell, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-scenarios-'));
const DEPLOYMENT = 'Scenario fleet';
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function scenario(name: string): Promise<void> {
  const body = JSON.stringify({ name });
  const result = await fleet.exec(
    fleet.hosts[0]!.name,
    `curl -sf -X POST -H 'content-type: application/json' -d '${body}' http://127.0.0.1:8000/_sim/scenario`,
  );
  if (result.code !== 0) throw new Error(`switching the simulator to ${name} failed: ${result.stderr}`);
}

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  fleet = await startFleet({ name: `scen${process.pid % 100000}`, hosts: 1 });
  const host = fleet.hosts[0]!;
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'user: scenarios-e2e',
      `knownHostsFile: ${fleet.knownHostsPath}`,
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      'hosts:',
      `  - { id: at-1, label: trader-1, address: ${host.address}, port: ${host.sshPort}, user: root, identityFile: ${fleet.privateKeyPath} }`,
      'deployments:',
      '  - id: scen',
      `    name: ${DEPLOYMENT}`,
      '    hosts: [at-1]',
      '    health: { url: "http://127.0.0.1:8000", via: at-1, intervalSeconds: 1, timeoutSeconds: 2, maxBackoffSeconds: 2 }',
      // A short pending period keeps the spec fast; it still proves the alert waits for it.
      'alerts: { pendingSeconds: 2, notifications: { maxPerHour: 200 } }',
      '',
    ].join('\n'),
  );
  await scenario('normal');
  shell = await startWebShell(['--config', config], { XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_STATE_HOME: join(dir, 'xdg-state') });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.grantPermissions(['notifications'], { origin: new URL(shell.url).origin });
  // Headless Chromium shows no notification anyone could see, so the page's real Notification
  // is wrapped to count what the console asked it to show (it still calls through).
  await context.addInitScript(() => {
    const Real = window.Notification;
    const shown: Array<{ title: string; tag: string | undefined }> = [];
    (window as unknown as { __shown: typeof shown }).__shown = shown;
    class Counting extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, tag: options?.tag });
      }
    }
    window.Notification = Counting as typeof Notification;
  });
  page = await context.newPage();
  await page.goto(shell.url);
});

afterAll(() => closeConsole({ shell, browser }, fleet));

const panel = (name: string): Locator => page.getByRole('region', { name, exact: true });
/** Resolved alerts are folded under a toggle; unfold them (the strip keeps them unfolded after). */
async function showResolved(): Promise<void> {
  const toggle = page.getByRole('region', { name: 'Alerts' }).getByRole('button', { name: /^Show \d+ resolved$/ });
  await toggle.waitFor({ timeout: 15_000 });
  await toggle.click();
}
const alertRows = (item: string, title: string): Locator =>
  page.getByRole('region', { name: 'Alerts' }).getByRole('row', { name: new RegExp(`^${DEPLOYMENT} ${item} ${title}: `) });

async function rowVerdict(panelName: string, item: string): Promise<{ status: string; label: string; text: string }> {
  const row = panel(panelName).getByRole('row', { name: new RegExp(`\\b${item}\\b`) });
  if ((await row.count()) !== 1) return { status: 'none', label: '', text: '' };
  // the status icon is named "<word>: <why>" (colour has words: docs/keyboard.md); the word is before the colon
  const label = (await row.getByRole('img').first().getAttribute('aria-label')) ?? '';
  return { status: label.split(':')[0]!, label, text: (await row.textContent()) ?? '' };
}

const notificationsFor = (title: string) =>
  page.evaluate((t) => (window as unknown as { __shown: Array<{ title: string }> }).__shown.filter((n) => n.title.endsWith(t)).length, title);

const CASES = [
  {
    name: 'freshness-stale',
    panel: 'Data freshness',
    item: 'coingecko',
    status: /^(warning|failing)$/,
    words: 'error rate 12 % > 5 %',
    alert: 'source error rate',
  },
  { name: 'broker-down', panel: 'Brokers', item: 'ibkr', status: /^failing$/, words: 'offline: gateway port 4001 closed', alert: 'broker not online' },
  { name: 'sla-degraded', panel: 'SLA', item: 'coingecko', status: /^warning$/, words: 'success rate 93 % < 95 %', alert: 'success rate' },
  {
    name: 'breaker-open',
    panel: 'Circuit breakers',
    item: 'coingecko_api',
    status: /^failing$/,
    words: 'OPEN: 7/5 failures',
    alert: 'circuit breaker not closed',
  },
  { name: 'rate-limited', panel: 'Rate limits', item: 'coingecko', status: /^warning$/, words: 'usage 90 % > 80 %', alert: 'rate limit usage' },
  { name: 'queue-backlog', panel: 'Worker queues', item: 'scanner', status: /^warning$/, words: 'pending 120 > 50', alert: 'pending jobs' },
  {
    name: 'security-failing',
    panel: 'Security checks',
    item: 'ibkr_fa_scrubbing',
    status: /^failing$/,
    words: 'failing (critical)',
    alert: 'security check failing',
  },
] as const;

describe('every runbook scenario on a real host: panel, alert once, resolve', () => {
  it('starts with every panel polled and no alert firing', async () => {
    await expect.poll(async () => (await rowVerdict('Circuit breakers', 'coingecko_api')).status, { timeout: 30_000 }).toBe('ok');
    await expect.poll(() => page.getByRole('status', { name: 'Alert summary' }).textContent(), { timeout: 10_000 }).not.toMatch(/firing/);
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.panel} shows ${c.item} ${c.status.source.replace(/[\^$()]/g, '')}, "${c.item} ${c.alert}" fires once and resolves`, async () => {
      // taken before the switch, so the 2 s below is a true lower bound whatever the exec's return takes
      const switched = Date.now();
      await scenario(c.name);
      await expect
        .poll(
          async () => {
            const v = await rowVerdict(c.panel, c.item);
            // the colour's words are in the icon's name too, for a screen reader (docs/keyboard.md)
            return c.status.test(v.status) && v.text.includes(c.words) && v.label.includes(c.words) ? 'ok' : `${v.label} | ${v.text}`;
          },
          { timeout: 10_000, interval: 200 },
        )
        .toBe('ok');
      await panel(c.panel).screenshot({ path: join(out, `scenario-${c.name}.png`) });

      const rows = alertRows(c.item, c.alert);
      await expect
        .poll(async () => (await rows.count()) === 1 && (await rows.getAttribute('aria-label'))?.endsWith(': firing'), { timeout: 10_000, interval: 200 })
        .toBe(true);
      // The pending period (2 s) held it back: it did not fire on the first bad poll.
      expect(Date.now() - switched).toBeGreaterThanOrEqual(2_000);
      const text = (await rows.textContent()) ?? '';
      expect(text).toContain(`runbook: ${sectionOf(c.name)}`);
      // the alert's severity in words, not only red or amber: "critical: <reason>" / "warning: <reason>"
      expect(await rows.getByRole('img').first().getAttribute('aria-label')).toMatch(/^(critical|warning): \S/);
      await expect.poll(() => notificationsFor(`${c.item} ${c.alert}`), { timeout: 5_000 }).toBe(1);
      await page.getByRole('region', { name: 'Alerts' }).screenshot({ path: join(out, `scenario-${c.name}-alerts.png`) });

      await scenario('normal');
      if ((await page.getByRole('region', { name: 'Alerts' }).getByRole('button', { name: 'Hide resolved' }).count()) === 0) await showResolved();
      await expect
        .poll(async () => (await rows.count()) === 1 && (await rows.getAttribute('aria-label'))?.endsWith(': resolved'), { timeout: 15_000, interval: 200 })
        .toBe(true);
      await expect.poll(async () => (await rowVerdict(c.panel, c.item)).status, { timeout: 10_000 }).toBe('ok');
      // Once: one instance in the list and one notification, from fire to resolve.
      expect(await rows.count()).toBe(1);
      expect(await notificationsFor(`${c.item} ${c.alert}`)).toBe(1);
    });
  }

  it('acknowledge and snooze from the alert strip show who acknowledged and until when it is snoozed', async () => {
    await scenario('breaker-open');
    const rows = alertRows('coingecko_api', 'circuit breaker not closed');
    const firing = rows.and(page.getByRole('row', { name: /: firing$/ }));
    await expect.poll(() => firing.count(), { timeout: 10_000, interval: 200 }).toBe(1);
    await firing.getByRole('button', { name: 'Acknowledge coingecko_api circuit breaker not closed' }).click();
    await expect.poll(() => firing.textContent(), { timeout: 5_000 }).toContain('ack scenarios-e2e');
    await firing.getByRole('button', { name: 'Snooze coingecko_api circuit breaker not closed for 1 hour' }).click();
    await expect.poll(() => firing.textContent(), { timeout: 5_000 }).toMatch(/snoozed to \d\d:\d\d:\d\d UTC/);
    await page.getByRole('region', { name: 'Alerts' }).screenshot({ path: join(out, 'scenario-ack-snooze.png') });
    // The alert's runbook section is one click away.
    await firing.getByRole('button', { name: 'Open runbook circuit-breakers for coingecko_api circuit breaker not closed' }).click();
    const section = page.getByRole('tabpanel', { name: 'Runbooks' }).locator('section[data-area="circuit-breakers"]');
    await expect.poll(() => section.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(out, 'scenario-alert-runbook.png') });
    await scenario('normal');
    await expect.poll(() => firing.count(), { timeout: 15_000, interval: 200 }).toBe(0);
  });

  it('the alert list shows start time and duration for what happened', async () => {
    const list = page.getByRole('table', { name: 'Alert list' });
    const text = (await list.textContent()) ?? '';
    expect(text).toMatch(/\d\d:\d\d:\d\d UTC/);
    expect(await list.getByRole('row', { name: /: resolved$/ }).count()).toBeGreaterThanOrEqual(CASES.length);
    await page.screenshot({ path: join(out, 'scenario-alert-list.png'), fullPage: true });
  });
});

function sectionOf(name: string): string {
  return {
    'freshness-stale': 'data-freshness',
    'broker-down': 'broker-connectivity',
    'sla-degraded': 'sla-violations',
    'breaker-open': 'circuit-breakers',
    'rate-limited': 'rate-limits',
    'queue-backlog': 'worker-queues',
    'security-failing': 'security-checks',
  }[name]!;
}
