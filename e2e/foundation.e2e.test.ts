// The foundation slice end to end, for real: the browser shell against a systemd-nspawn host running
// the simulator as autotrader-api and a real autotrader-ingestion unit. Chromium sees the
// breaker panel, the simulator's breaker flips and the panel follows within a poll, the restart
// runs through preview and confirm, its audit record is written, and the unit's PID changed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testbed/fleet';
import { fleetConfigYaml } from './support/fleetConfig';
import { closeConsole, openConsole } from './support/console';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-'));
const auditFile = join(dir, 'audit.jsonl');
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let page: Page;

const hostExec = async (command: string) => (await fleet.exec(fleet.hosts[0]!.name, command)).stdout.trim();

beforeAll(async () => {
  // The pid keeps two suites running at once (a developer's and CI's) from sharing a fleet.
  fleet = await startFleet({ name: `fnd${process.pid % 100000}`, hosts: 1 });
  const config = join(dir, 'config.yaml');
  writeFileSync(config, fleetConfigYaml(fleet, { user: 'e2e-engineer', auditFile }));
  // The simulator starts in the normal scenario with every breaker CLOSED.
  await hostExec(`curl -sf -X POST -H 'content-type: application/json' -d '{"name":"normal"}' http://127.0.0.1:8000/_sim/scenario`);
  ({ shell, browser, page } = await openConsole({ args: ['--config', config], env: { XDG_STATE_HOME: dir }, viewport: { width: 1440, height: 900 } }));
});

afterAll(() => closeConsole({ shell, browser }, fleet));

const breakerRow = () => page.getByRole('region', { name: 'Circuit breakers' }).getByRole('row', { name: /coingecko_api/ });

describe('the foundation slice on a real systemd host', () => {
  it('shows the live circuit-breaker panel, polled through an SSH forward', async () => {
    await expect.poll(() => breakerRow().textContent(), { timeout: 30_000 }).toMatch(/CLOSED/);
    const connections = page.getByRole('list', { name: 'Host connections' });
    expect(await connections.getByRole('listitem', { name: /^trader-1: connected/ }).count()).toBe(1);
    await page.screenshot({ path: join(out, 'foundation-breakers-closed.png'), fullPage: true });
  });

  it('follows the simulator within one poll interval when a breaker opens', async () => {
    await hostExec(`curl -sf -X POST -H 'content-type: application/json' -d '{"state":"OPEN"}' http://127.0.0.1:8000/_sim/breaker/coingecko_api`);
    await expect.poll(() => breakerRow().textContent(), { timeout: 5_000, interval: 200 }).toMatch(/OPEN/);
    // the tripped breaker's longer texts stay inside its half-width panel: no column behind a sideways scroll
    expect(await page.getByRole('region', { name: 'Circuit breakers' }).evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(out, 'foundation-breaker-open.png'), fullPage: true });
  });

  it('restarts autotrader-ingestion through preview and confirm, streams the result and audits it', async () => {
    const pidBefore = await hostExec('systemctl show -p MainPID --value autotrader-ingestion');
    expect(Number(pidBefore)).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Restart autotrader-ingestion on trader-1' }).click();
    const preview = page.getByRole('dialog', { name: /^Preview: / });
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toContain('systemctl restart autotrader-ingestion');
    expect(await preview.getByRole('list', { name: 'Target hosts' }).textContent()).toContain('trader-1');
    await page.screenshot({ path: join(out, 'foundation-preview.png') });
    await preview.getByRole('button', { name: 'Confirm' }).click();

    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    await page.screenshot({ path: join(out, 'foundation-run.png') });
    await run.getByRole('button', { name: 'Close' }).click();

    const pidAfter = await hostExec('systemctl show -p MainPID --value autotrader-ingestion');
    expect(Number(pidAfter)).toBeGreaterThan(0);
    expect(pidAfter).not.toBe(pidBefore);

    const records = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.map((r) => r.kind)).toEqual(['intent', 'result']);
    expect(records[1]).toMatchObject({ user: 'e2e-engineer', hostId: 'at-1', command: 'systemctl restart autotrader-ingestion', exitCode: 0 });
    expect(Date.parse(records[1].at)).toBeGreaterThan(Date.now() - 120_000);

    await page.getByRole('tab', { name: 'Audit' }).click();
    const table = page.getByRole('table', { name: 'Audit records' });
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toContain('systemctl restart autotrader-ingestion');
    expect(await table.textContent()).toContain('e2e-engineer');
    await page.screenshot({ path: join(out, 'foundation-audit.png'), fullPage: true });
  });
});
