// First run on a fresh machine: no config, no sshd, no root. The browser shell must write the
// commented example config, open the DEMO fleet, show live panels and run the restart action
// on a demo host through preview, confirm, output and audit.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConsole, openConsole } from './support/console';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const home = mkdtempSync(join(tmpdir(), 'opsdeck-demo-'));
let shell: WebShell;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ shell, browser, page } = await openConsole({
    args: [],
    env: { XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), OPSDECK_CONFIG: '' },
    viewport: { width: 1440, height: 900 },
  }));
});

afterAll(() => closeConsole({ shell, browser }));

describe('the demo fleet on first run', () => {
  it('writes the commented example config and says it is a demo', async () => {
    const config = join(home, 'config', 'opsdeck', 'config.yaml');
    expect(existsSync(config)).toBe(true);
    expect(readFileSync(config, 'utf8')).toContain('While "hosts" is empty, Opsdeck opens its built-in DEMO fleet');
    expect(shell.output()).toMatch(/DEMO fleet/);
    await expect.poll(() => page.getByText('DEMO', { exact: true }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it('shows the circuit breakers live, over the demo host SSH forward', async () => {
    const panel = page.getByRole('region', { name: 'Circuit breakers' });
    await expect.poll(() => panel.getByRole('row', { name: /coingecko_api/ }).count(), { timeout: 20_000 }).toBe(1);
    await page.screenshot({ path: join(out, 'demo-deployment.png'), fullPage: true });
  });

  it('restarts autotrader-ingestion on a demo host through preview and confirm, and audits it', async () => {
    const restart = page.getByRole('button', { name: /^Restart autotrader-ingestion on / }).first();
    await restart.click();
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain('systemctl restart autotrader-ingestion');
    await page.screenshot({ path: join(out, 'demo-preview.png') });
    await preview.getByRole('button', { name: 'Confirm' }).click();
    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.textContent(), { timeout: 15_000 }).toMatch(/succeeded, exit 0/);
    await page.screenshot({ path: join(out, 'demo-run.png') });
    await run.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: 'Audit' }).click();
    const records = page.getByRole('table', { name: 'Audit records' });
    await expect.poll(() => records.textContent(), { timeout: 10_000 }).toContain('systemctl restart autotrader-ingestion');
    expect(await page.getByRole('status', { name: 'Chain status' }).textContent()).toContain('hash chain intact');
    await page.screenshot({ path: join(out, 'demo-audit.png'), fullPage: true });
    const audit = readFileSync(join(home, 'state', 'opsdeck', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(audit.map((record) => record.kind)).toEqual(['intent', 'result']);
    expect(audit[1]).toMatchObject({ command: 'systemctl restart autotrader-ingestion', exitCode: 0 });
  });

  it("shows a unit's journal from a demo host, with the secrets the services log redacted", async () => {
    await page.getByRole('tab', { name: 'Actions' }).click();
    await page
      .getByRole('navigation', { name: 'Action catalog' })
      .getByRole('button', { name: /^Last lines of a unit's journal/ })
      .click();
    const form = page.getByRole('form', { name: "Run Last lines of a unit's journal" });
    await form.getByRole('combobox', { name: 'Unit' }).selectOption('autotrader-ingestion');
    await form.getByRole('spinbutton', { name: 'Lines' }).fill('200');
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect
      .poll(() => preview.getByLabel('Command').textContent(), { timeout: 10_000 })
      .toBe('journalctl -u autotrader-ingestion -n 200 --no-pager -o short-iso');
    await preview.getByRole('button', { name: 'Confirm' }).click();
    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.getByRole('status', { name: 'Demo host 1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    const log = run.getByRole('log', { name: 'Output from Demo host 1' });
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain('ibkr gateway session opened fa=[REDACTED] port=4001');
    const shown = (await log.textContent())!;
    expect(shown).toContain('COINGECKO_API_KEY=[REDACTED]');
    expect(shown).toContain('Authorization: Bearer [REDACTED]');
    expect(shown).not.toMatch(/not emulated/);
    const pageText = (await page.locator('body').textContent())!;
    for (const secret of ['DU7654321', 'CG-opsdeckDemoKey4Hq8vN2', 'b3BzZGVjay1kZW1vLWhvc3Q']) expect(pageText).not.toContain(secret);
    await page.screenshot({ path: join(out, 'demo-journal.png') });
    await run.getByRole('button', { name: 'Close' }).click();
  });

  it("shows each demo host's own figures in the Hosts view: CPUs, memory, disks, units with their PIDs", async () => {
    await page.getByRole('tab', { name: 'Hosts' }).click();
    const fleet = page.getByRole('table', { name: 'Hosts by trouble' });
    await expect.poll(() => fleet.getByRole('row').count(), { timeout: 15_000 }).toBe(3);
    // the restart earlier in this file ran on Demo host 1 (the first button): its ingestion counts one restart
    for (const [label, cpus, memory, ingestionRestarts] of [
      ['Demo host 1', 2, '8.0 GiB', '1'],
      ['Demo host 2', 4, '16.0 GiB', '0'],
    ] as const) {
      await page.getByRole('button', { name: `Show host ${label}` }).click();
      const detail = page.getByRole('region', { name: `Host ${label}` });
      await expect.poll(() => detail.getByRole('table', { name: 'Units' }).textContent(), { timeout: 20_000 }).toContain('autotrader-api.service');
      const figures = (await detail.getByRole('definition').allTextContents()).join(' | ');
      expect(figures).toContain(`on ${cpus} CPUs`);
      expect(figures).toContain(`of ${memory}`);
      expect(
        await detail
          .getByRole('table', { name: 'Disks' })
          .getByRole('row', { name: /^disk \/: / })
          .textContent(),
      ).toContain('40.0 GiB');
      expect(
        await detail
          .getByRole('table', { name: 'Disks' })
          .getByRole('row', { name: /^disk \/var\/log: / })
          .textContent(),
      ).toContain('10.0 GiB');
      for (const unit of ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers', 'redis-server']) {
        const row = detail.getByRole('row', { name: new RegExp(`^${unit}\\.service: `) });
        expect(await row.getAttribute('aria-label')).toContain(', active');
        // cells: status, state, PID, restarts
        expect(await row.getByRole('cell').nth(2).textContent()).toMatch(/^\d+$/);
      }
      const ingestion = detail.getByRole('row', { name: /^autotrader-ingestion\.service: / });
      // within one refresh (10 s) of the restart
      await expect.poll(() => ingestion.getByRole('cell').nth(3).textContent(), { timeout: 30_000 }).toBe(ingestionRestarts);
      // the figures come from the demo host itself, not a placeholder saying it has none
      expect(await detail.textContent()).not.toMatch(/no host facts|not emulated/);
      await page.screenshot({ path: join(out, `demo-hosts-${label.replace(/\D/g, '')}.png`), fullPage: true });
    }
  });

  it('keeps the Hosts and Runbooks views off the window edges, as the Deployment view is', async () => {
    // the left and right edges of a view's content, in CSS pixels from the window's sides
    const inset = (panel: string) =>
      page
        .locator(`${panel} > *`)
        .first()
        .evaluate((el) => {
          const box = el.getBoundingClientRect();
          return { left: Math.round(box.left), right: Math.round(document.documentElement.clientWidth - box.right) };
        });
    await page.getByRole('tab', { name: 'Deployment' }).click();
    const deployment = await inset('#view-deployment');
    expect(deployment.left).toBeGreaterThan(0);

    await page.getByRole('tab', { name: 'Hosts' }).click();
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Hosts' }).getByRole('table').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(out, 'demo-hosts.png'), fullPage: true });
    const hosts = await inset('#view-hosts');

    await page.getByRole('tab', { name: 'Runbooks' }).click();
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Runbooks' }).getByRole('searchbox').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(out, 'demo-runbooks.png'), fullPage: true });
    const runbooks = await inset('#view-runbooks');

    await page.getByRole('tab', { name: 'Actions' }).click();
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Actions' }).getByRole('button').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const actions = await inset('#view-actions');
    expect({ hosts, runbooks, actions }).toEqual({ hosts: deployment, runbooks: deployment, actions: deployment });
  });
});
