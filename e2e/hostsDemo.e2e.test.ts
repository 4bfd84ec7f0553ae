// The Hosts view on the built-in demo, in Chromium through the browser shell: a unit restarted
// from the Units table through the catalog's preview, confirm, outcome and audit row; the
// demo's health API opened through a dashboard tunnel (the note says why the usual dashboards
// are not offered); and the ssh_config import dialog, which offers no demo deployment.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConsole, openConsole } from './support/console';
import { REPO, type WebShell } from './support/webShell';

const shots = join(REPO, 'docs', 'screens');
const home = mkdtempSync(join(tmpdir(), 'opsdeck-hosts-demo-'));
let shell: WebShell;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ shell, browser, page } = await openConsole({
    args: [],
    env: { XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), OPSDECK_CONFIG: '' },
    viewport: { width: 1440, height: 900 },
  }));
  await page.getByRole('tab', { name: 'Hosts' }).click();
});

afterAll(() => closeConsole({ shell, browser }));

const detail = () => page.getByRole('region', { name: 'Host Demo host 1' });

describe('the Hosts view on the demo', () => {
  it('restarts a unit from the Units table: preview, confirm, outcome and the audit row', async () => {
    await page.getByRole('button', { name: 'Show host Demo host 1' }).click();
    const row = detail().getByRole('row', { name: /^autotrader-workers\.service: / });
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    // units the catalog's service actions do not take have no buttons, and say so
    expect(
      await detail()
        .getByRole('row', { name: /^redis-server\.service: / })
        .textContent(),
    ).toContain('not in the catalog');
    await row.getByRole('button', { name: 'Restart autotrader-workers.service on Demo host 1' }).click();
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect.poll(() => preview.getByLabel('Command').textContent(), { timeout: 10_000 }).toBe('systemctl restart autotrader-workers');
    expect(await preview.textContent()).toContain('Demo host 1');
    await page.screenshot({ path: join(shots, 'hosts-unit-restart-preview.png') });
    await preview.getByRole('button', { name: 'Confirm' }).click();
    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.getByRole('status', { name: 'Demo host 1 status' }).textContent(), { timeout: 20_000 }).toMatch(/succeeded, exit 0/);
    await run.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: 'Audit' }).click();
    const records = page.getByRole('table', { name: 'Audit records' });
    await expect.poll(() => records.textContent(), { timeout: 10_000 }).toContain('systemctl restart autotrader-workers');
    expect(await records.getByRole('row', { name: /^record \d+: result succeeded/ }).count()).toBeGreaterThan(0);
    await page.getByRole('tab', { name: 'Hosts' }).click();
  });

  it('opens the journal of a unit from its row in the follow dock', async () => {
    await detail().screenshot({ path: join(shots, 'hosts-units-actions.png') });
    await detail().getByRole('button', { name: 'Journal autotrader-ingestion.service on Demo host 1' }).click();
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect
      .poll(() => preview.getByLabel('Command').textContent(), { timeout: 10_000 })
      .toBe('journalctl -u autotrader-ingestion -f -n 20 --no-pager -o json');
    await preview.getByRole('button', { name: 'Confirm' }).click();
    const dock = page.getByRole('region', { name: 'Follows' });
    await expect.poll(() => dock.textContent(), { timeout: 15_000 }).toContain('autotrader-ingestion');
    await dock.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => dock.getByRole('button', { name: 'Close' }).count(), { timeout: 15_000 }).toBe(1);
    await dock.getByRole('button', { name: 'Close' }).click();
  });

  it("serves the demo's health API through a dashboard tunnel and says why the usual dashboards are not offered", async () => {
    expect(await detail().textContent()).toContain('The demo hosts run no Operations dashboard or Grafana');
    expect(await detail().getByRole('button', { name: 'Open Grafana on Demo host 1' }).count()).toBe(0);
    await detail().getByRole('button', { name: 'Open Health API on Demo host 1' }).click();
    const tunnels = page.getByRole('table', { name: 'Open tunnels' });
    await expect.poll(() => tunnels.textContent(), { timeout: 10_000 }).toContain('127.0.0.1:8000');
    const url = await tunnels.getByRole('link').first().getAttribute('href');
    const body = (await (await fetch(url!)).json()) as { status?: unknown };
    expect(typeof body.status).toBe('string');
    // from the top: the sticky header would otherwise be drawn where the page was scrolled to
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, 'hosts-demo-tunnel.png'), fullPage: true });
  });

  it('does not offer the demo deployment as an import target', async () => {
    await page.getByRole('button', { name: 'Import hosts from ~/.ssh/config' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import hosts from ~/.ssh/config' });
    await expect.poll(() => dialog.textContent(), { timeout: 10_000 }).toContain('The demo deployment exists only while your config names no hosts');
    expect(await dialog.getByRole('combobox', { name: 'Add to deployment' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
