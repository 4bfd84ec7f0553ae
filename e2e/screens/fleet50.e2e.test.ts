// The fleet overview with fifty deployments, for real: fifty deployments polled by the browser
// shell, ten of them backed by a simulator whose coingecko_api breaker is OPEN and forty by one
// that is healthy. The grid must list all fifty, the ten failing ones first, and say so in the
// window title. Polled directly (no SSH): the one configured host points at a closed port.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePorts } from '../../testbed/sshd';
import { startSimProcess } from '../support/simProcess';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConsole, openConsole } from '../support/console';
import { REPO, type WebShell } from '../support/webShell';

const out = join(REPO, 'e2e', 'output');
const home = mkdtempSync(join(tmpdir(), 'opsdeck-fleet50-'));
const sims: ChildProcess[] = [];
let shell: WebShell;
let browser: Browser;
let page: Page;

const ids = Array.from({ length: 50 }, (_, i) => `d${String(i + 1).padStart(2, '0')}`);
/** every fifth deployment sits on the failing simulator */
const failing = ids.filter((_, i) => i % 5 === 2);

async function startSim(scenario: string): Promise<string> {
  const { url, child } = await startSimProcess(join(home, `sim-${scenario}`), scenario);
  sims.push(child);
  return url;
}

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  const [bad, good] = await Promise.all([startSim('breaker-open'), startSim('normal')]);
  writeFileSync(join(home, 'known_hosts'), '');
  const config = join(home, 'config.yaml');
  writeFileSync(
    config,
    [
      'user: fleet50-e2e',
      `knownHostsFile: ${join(home, 'known_hosts')}`,
      `auditFile: ${join(home, 'audit.jsonl')}`,
      'hosts:',
      `  - { id: no-ssh, address: 127.0.0.1, port: ${(await freePorts(1))[0]}, connectTimeoutSeconds: 2 }`,
      'deployments:',
      ...ids.map(
        (id) => `  - { id: ${id}, name: ${id.toUpperCase()}, hosts: [no-ssh], health: { url: "${failing.includes(id) ? bad : good}", intervalSeconds: 5 } }`,
      ),
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
  for (const sim of sims) sim.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
});

describe('fleet overview with fifty deployments', () => {
  it('opens on the fleet view and lists all fifty, the ten failing ones first', async () => {
    // the first view is chosen when the fleet arrives, a moment after the page loads
    await expect.poll(() => page.getByRole('tab', { name: 'Fleet' }).getAttribute('aria-selected'), { timeout: 15_000 }).toBe('true');
    const grid = page.getByRole('table', { name: 'Deployments by area' });
    const bodyRows = grid.locator('tbody tr');
    const breakerCells = () =>
      bodyRows.evaluateAll((rows) =>
        rows.map((row) => {
          const name = row.querySelector('th button')?.getAttribute('title') ?? '';
          const cell = Array.from(row.querySelectorAll('td button')).find((b) => /Circuit breakers:/.test(b.getAttribute('aria-label') ?? ''));
          return `${name} ${/Circuit breakers: (\w+)/.exec(cell?.getAttribute('aria-label') ?? '')?.[1] ?? '?'}`;
        }),
      );
    const expected = [
      ...failing.map((id) => `${id.toUpperCase()} failing`),
      ...ids.filter((id) => !failing.includes(id)).map((id) => `${id.toUpperCase()} ok`),
    ];
    await expect
      .poll(
        async () => {
          const cells = await breakerCells();
          // the healthy forty may sort among themselves by other areas; compare as a set after the first ten
          return [...cells.slice(0, 10), ...cells.slice(10).sort()].join('\n');
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe([...expected.slice(0, 10), ...expected.slice(10).sort()].join('\n'));
    expect(await bodyRows.count()).toBe(50);
    await expect.poll(() => page.title(), { timeout: 10_000 }).toMatch(/^■ 10 failing/);
    await page.screenshot({ path: join(out, 'fleet-50.png') });
  });

  it('picking a deployment in the header opens its panels', async () => {
    await page.getByRole('combobox', { name: 'Deployment' }).selectOption('d03');
    await page.getByRole('tab', { name: 'Deployment' }).click();
    const row = page.getByRole('region', { name: 'Circuit breakers', exact: true }).getByRole('row', { name: /coingecko_api/ });
    // the simulator keeps adding failures while its trials fail, so the count is not pinned
    await expect.poll(async () => (await row.textContent()) ?? '', { timeout: 15_000 }).toMatch(/OPEN: \d+\/5 failures, last: HTTP 429/);
  });
});
