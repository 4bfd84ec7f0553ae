// Every runbook panel against the real simulator, seen in headless Chromium through the real
// browser shell: for each scenario the right item turns the right status with the right words,
// and each panel is saved as a screenshot under e2e/output/ to look at. The deployment is polled
// directly (no SSH forward), so this spec needs no sshd or test hosts; its one configured host
// points at a closed loopback port and shows as a failed SSH connection, which is real too.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startSimProcess } from '../support/simProcess';
import { freePorts } from '../../testbed/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConsole, openConsole } from '../support/console';
import { REPO, type WebShell } from '../support/webShell';

const out = join(REPO, 'e2e', 'output');
const home = mkdtempSync(join(tmpdir(), 'opsdeck-panels-'));
let sim: ChildProcess;
let simUrl: string;
let shell: WebShell;
let browser: Browser;
let page: Page;

async function control(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${simUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

const panel = (name: string): Locator => page.getByRole('region', { name, exact: true });
const row = (panelName: string, item: string): Locator => panel(panelName).getByRole('row', { name: new RegExp(`\\b${item}\\b`) });

/** Wait until the item's row shows this status word and every given phrase. */
async function expectRow(panelName: string, item: string, status: RegExp, phrases: string[]): Promise<void> {
  const target = row(panelName, item);
  await expect
    .poll(
      async () => {
        if ((await target.count()) !== 1) return `no single row for ${item}`;
        // the status icon is named "<word>: <why>" (docs/keyboard.md); the word is before the colon
        const label = (await target.getByRole('img').first().getAttribute('aria-label'))?.split(':')[0];
        const text = (await target.textContent()) ?? '';
        const missing = phrases.filter((p) => !text.includes(p));
        return status.test(label ?? '') && missing.length === 0 ? 'ok' : `status ${label}; missing ${JSON.stringify(missing)} in "${text}"`;
      },
      { timeout: 15_000, interval: 250 },
    )
    .toBe('ok');
}

async function shoot(panelName: string, file: string): Promise<void> {
  await panel(panelName).screenshot({ path: join(out, file) });
}

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  const started = await startSimProcess(join(home, 'sim'));
  sim = started.child;
  simUrl = started.url;
  const config = join(home, 'config.yaml');
  writeFileSync(join(home, 'known_hosts'), '');
  writeFileSync(
    config,
    [
      'user: panels-e2e',
      `knownHostsFile: ${join(home, 'known_hosts')}`,
      `auditFile: ${join(home, 'audit.jsonl')}`,
      'hosts:',
      `  - { id: no-ssh, label: no-ssh, address: 127.0.0.1, port: ${(await freePorts(1))[0]}, connectTimeoutSeconds: 2 }`,
      'deployments:',
      '  - id: sim',
      '    name: Simulator',
      '    hosts: [no-ssh]',
      `    health: { url: "${simUrl}", intervalSeconds: 1, timeoutSeconds: 2, maxBackoffSeconds: 2 }`,
      '',
    ].join('\n'),
  );
  ({ shell, browser, page } = await openConsole({
    args: ['--config', config],
    env: { XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_STATE_HOME: join(home, 'xdg-state') },
    viewport: { width: 1440, height: 1000 },
  }));
});

afterAll(async () => {
  await closeConsole({ shell, browser });
  sim?.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
});

describe('runbook panels on the simulator', () => {
  it('opens with the token out of the URL and every panel green in the normal scenario', async () => {
    expect(page.url()).not.toContain('token');
    await control('POST', '/_sim/scenario', { name: 'normal' });
    for (const [name, item] of [
      ['Data freshness', 'coingecko'],
      ['Brokers', 'ibkr'],
      ['SLA', 'coingecko'],
      ['Circuit breakers', 'coingecko_api'],
      ['Rate limits', 'coingecko'],
      ['Worker queues', 'scanner'],
      ['Security checks', 'api_key_validation'],
    ] as const) {
      await expectRow(name, item, /^ok$/, []);
    }
    await page.screenshot({ path: join(out, 'panels-normal.png'), fullPage: true });
  });

  const scenarios: Array<{ scenario: string; panel: string; item: string; status: RegExp; phrases: string[] }> = [
    { scenario: 'freshness-stale', panel: 'Data freshness', item: 'coingecko', status: /^(warning|failing)$/, phrases: ['error rate 12 % > 5 %'] },
    { scenario: 'broker-down', panel: 'Brokers', item: 'ibkr', status: /^failing$/, phrases: ['offline: gateway port 4001 closed'] },
    {
      scenario: 'sla-degraded',
      panel: 'SLA',
      item: 'coingecko',
      status: /^warning$/,
      phrases: ['SLA DEGRADED', 'success rate 93 % < 95 %', 'p95 2400 ms > 2000 ms'],
    },
    { scenario: 'breaker-open', panel: 'Circuit breakers', item: 'coingecko_api', status: /^failing$/, phrases: ['OPEN: 7/5 failures, last: HTTP 429'] },
    { scenario: 'rate-limited', panel: 'Rate limits', item: 'coingecko', status: /^warning$/, phrases: ['usage 90 % > 80 %', '3 recent 429 responses'] },
    { scenario: 'queue-backlog', panel: 'Worker queues', item: 'scanner', status: /^warning$/, phrases: ['pending 120 > 50', 'queue degraded'] },
    { scenario: 'security-failing', panel: 'Security checks', item: 'ibkr_fa_scrubbing', status: /^failing$/, phrases: ['failing (critical)'] },
  ];

  for (const s of scenarios) {
    it(`${s.scenario}: ${s.panel} shows ${s.item} as ${s.status.source.replace(/[\^$()]/g, '')} with the reason in words`, async () => {
      await control('POST', '/_sim/scenario', { name: s.scenario });
      await expectRow(s.panel, s.item, s.status, s.phrases);
      await shoot(s.panel, `panel-${s.scenario}.png`);
    });
  }

  it('broker-down also counts down to nothing on the expired Questrade token', async () => {
    await control('POST', '/_sim/scenario', { name: 'broker-down' });
    await expectRow('Brokers', 'questrade', /^failing$/, ['error: token expired', 'token expired 2 d']);
  });

  it('security-failing names the missing keys', async () => {
    await control('POST', '/_sim/scenario', { name: 'security-failing' });
    await expectRow('Security checks', 'api_key_validation', /^(warning|failing)$/, ['missing GROQ_API_KEY, ETHERSCAN_API_KEY']);
    await expectRow('Security checks', 'dependency_vulnerabilities', /^failing$/, ['2 high findings']);
  });

  it('a bad item shows "unknown: <why>" while the rest of the panel renders', async () => {
    await control('POST', '/_sim/scenario', { name: 'normal' });
    await control('POST', '/_sim/fault', { kind: 'bad-item', endpoint: 'workers' });
    const rows = panel('Worker queues').getByRole('row');
    await expect.poll(async () => (await panel('Worker queues').textContent())?.includes('unknown: '), { timeout: 15_000 }).toBe(true);
    expect(await rows.count()).toBeGreaterThan(2);
    await expectRow('Worker queues', 'alerts', /^ok$/, []);
    await shoot('Worker queues', 'panel-bad-item.png');
    await control('DELETE', '/_sim/fault');
  });

  it('an HTTP 500 puts the panel in its error state with the time of the last good data, then it recovers', async () => {
    await control('POST', '/_sim/scenario', { name: 'normal' });
    await control('POST', '/_sim/fault', { kind: 'http-500', endpoint: 'circuitBreakers' });
    const breakers = panel('Circuit breakers');
    await expect
      .poll(async () => (await breakers.getByRole('status').allTextContents()).join(' | '), { timeout: 15_000 })
      .toMatch(/Error http: .*500.*last good data .* ago/);
    // The last good rows stay on screen under the error, and after two intervals they are marked stale.
    await expect.poll(async () => (await breakers.getByRole('status').allTextContents()).join(' | '), { timeout: 15_000 }).toMatch(/Stale data is .* old/);
    expect(await row('Circuit breakers', 'coingecko_api').count()).toBe(1);
    await shoot('Circuit breakers', 'panel-error-stale.png');
    await control('DELETE', '/_sim/fault');
    await expect.poll(async () => await breakers.getByRole('status').count(), { timeout: 20_000 }).toBe(0);
  });

  it('the fleet overview shows the deployment worst first and clicks through to the failing panel', async () => {
    await control('POST', '/_sim/scenario', { name: 'breaker-open' });
    await expectRow('Circuit breakers', 'coingecko_api', /^failing$/, []);
    await page.getByRole('tab', { name: 'Fleet' }).click();
    const cell = page.getByRole('button', { name: /^Simulator Circuit breakers: failing, coingecko_api: OPEN/ });
    await expect.poll(() => cell.count(), { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: join(out, 'panels-fleet.png') });
    await cell.click();
    expect(await page.getByRole('tab', { name: 'Deployment' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), { timeout: 5000 }).toBe('Circuit breakers');
  });

  // Last: it stops the console backend.
  it('when the console backend goes away the page says so, keeps the last data and marks it stale', async () => {
    await page.getByRole('tab', { name: 'Deployment' }).click();
    await shell.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'disconnected from console backend' });
    await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(1);
    expect(await row('Circuit breakers', 'coingecko_api').count()).toBe(1);
    await expect
      .poll(async () => (await panel('Circuit breakers').getByRole('status').allTextContents()).join(' | '), { timeout: 10_000 })
      .toMatch(/Stale data is .* old/);
    // still there seconds later, once the data is marked stale: kept, not cleared
    expect(await row('Circuit breakers', 'coingecko_api').count()).toBe(1);
    await page.screenshot({ path: join(out, 'panels-disconnected.png') });
  });
});
