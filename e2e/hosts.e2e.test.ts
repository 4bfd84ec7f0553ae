// The host view end to end: the browser shell against two systemd-nspawn hosts. Chromium
// sees each host's figures as the host reports them, a stopped unit turn the host red and move
// it to the top within one refresh, a filled disk turn amber, a dashboard on the host's
// localhost reached through an SSH tunnel, and the escalation timeline.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testbed/fleet';
import { fleetConfigYaml } from './support/fleetConfig';
import { closeConsole, openConsole } from './support/console';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-hosts-e2e-'));
const REFRESH_S = 2;
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let page: Page;
let one: string;
let two: string;

const inside = async (host: string, command: string) => {
  const r = await fleet.exec(host, command);
  if (r.code !== 0) throw new Error(`${command}: ${r.stderr}`);
  return r.stdout.trim();
};

beforeAll(async () => {
  fleet = await startFleet({ name: `e2eh${process.pid % 100000}`, hosts: 2 });
  [one, two] = fleet.hosts.map((h) => h.name) as [string, string];
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    fleetConfigYaml(fleet, {
      user: 'e2e-engineer',
      auditFile: join(dir, 'audit.jsonl'),
      hosts: 2,
      intervalSeconds: 5,
      deploymentLines: ['    escalation: { ticket: "https://tickets.example.com/new?project=AUTOTRADER" }'],
      extraLines: [`hostView: { refreshSeconds: ${REFRESH_S} }`],
    }),
  );
  ({ shell, browser, page } = await openConsole({ args: ['--config', config], env: { XDG_STATE_HOME: dir }, viewport: { width: 1600, height: 1000 } }));
  await page.getByRole('tab', { name: 'Hosts' }).click();
});

afterAll(() => closeConsole({ shell, browser }, fleet));

const detail = (label: string) => page.getByRole('region', { name: `Host ${label}` });
const showHost = async (label: string) => page.getByRole('button', { name: `Show host ${label}` }).click();

describe('the host view on real hosts', () => {
  it('shows what the host itself reports: CPUs, memory, disks, units', async () => {
    await showHost('trader-1');
    const d = detail('trader-1');
    await expect.poll(() => d.getByRole('table', { name: 'Units' }).textContent(), { timeout: 20_000 }).toContain('autotrader-api.service');
    const [nproc, free, df, active] = await Promise.all([
      inside(one, 'nproc'),
      inside(one, 'free -b'),
      inside(one, 'df -B1 -P /'),
      fleet.exec(one, 'systemctl is-active autotrader-api autotrader-ingestion autotrader-workers redis-server').then((r) => r.stdout.trim().split('\n')),
    ]);
    const figures = (await d.getByRole('definition').allTextContents()).join(' | ');
    expect(figures).toContain(`on ${nproc} CPUs`);
    const totalGiB = Number(free.split('\n')[1]!.trim().split(/\s+/)[1]) / 1024 ** 3;
    expect(figures).toContain(`of ${totalGiB >= 100 ? Math.round(totalGiB) : totalGiB.toFixed(1)} GiB`);
    const rootSize = Number(df.split('\n')[1]!.trim().split(/\s+/)[1]) / 1024 ** 3;
    const rootRow = d.getByRole('table', { name: 'Disks' }).getByRole('row', { name: /^disk \/: / });
    expect(await rootRow.textContent()).toContain(`${rootSize >= 100 ? Math.round(rootSize) : rootSize.toFixed(1)} GiB`);
    const units = ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers', 'redis-server'];
    for (const [i, unit] of units.entries()) {
      const row = d.getByRole('row', { name: new RegExp(`^${unit}\\.service: `) });
      expect(await row.getAttribute('aria-label')).toContain(`, ${active[i]}`);
    }
    await page.screenshot({ path: join(out, 'hosts-overview.png'), fullPage: true });
  });

  it('turns a unit stopped on the host red within one refresh and sorts that host first', async () => {
    const firstRow = () => page.getByRole('table', { name: 'Hosts by trouble' }).getByRole('row').nth(1).textContent();
    await inside(two, 'systemctl stop autotrader-workers');
    const stoppedAt = Date.now();
    await showHost('trader-2');
    const row = detail('trader-2').getByRole('row', { name: /^autotrader-workers\.service: / });
    // one refresh interval plus the time the refresh itself and the 250 ms push window take
    await expect
      .poll(() => row.getAttribute('aria-label'), { timeout: REFRESH_S * 1000 + 2000, interval: 100 })
      .toBe('autotrader-workers.service: failing, inactive');
    const seenAfter = Date.now() - stoppedAt;
    expect(seenAfter).toBeLessThan(REFRESH_S * 1000 + 2000);
    expect(await firstRow()).toContain('trader-2');
    expect(await firstRow()).toContain('autotrader-workers.service stopped (dead)');
    await page.screenshot({ path: join(out, 'hosts-unit-stopped.png'), fullPage: true });
    await inside(two, 'systemctl start autotrader-workers');
  });

  it('turns a disk filled past 80 % amber', async () => {
    await inside(one, 'mkdir -p /mnt/fill && mount -t tmpfs -o size=20m tmpfs /mnt/fill && fallocate -l 17m /mnt/fill/blob');
    await showHost('trader-1');
    const row = detail('trader-1').getByRole('row', { name: /^disk \/mnt\/fill: / });
    await expect.poll(() => row.getAttribute('aria-label'), { timeout: REFRESH_S * 1000 + 3000 }).toBe('disk /mnt/fill: warning, 85 % used');
    const df = (await inside(one, 'df -B1 -P /mnt/fill')).split('\n')[1]!.trim().split(/\s+/);
    expect(df[4]).toBe('85%');
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(out, 'hosts-disk-amber.png'), fullPage: true });
    await inside(one, 'umount /mnt/fill');
  });

  it('cuts a long mount path with an ellipsis instead of pushing the Disks table out of its panel', async () => {
    const mount = '/srv/autotrader/spool/ingestion/coingecko/markets/backfill/2026-12/archive';
    await inside(one, `mkdir -p ${mount} && mount -t tmpfs -o size=4m tmpfs ${mount}`);
    try {
      await showHost('trader-1');
      const row = detail('trader-1').getByRole('row', { name: new RegExp(`^disk ${mount}: `) });
      await expect.poll(() => row.count(), { timeout: REFRESH_S * 1000 + 3000 }).toBe(1);
      const header = row.getByRole('rowheader');
      expect(await header.getAttribute('title')).toBe(mount);
      const fit = await detail('trader-1').evaluate((panel, path) => {
        const clip = Array.from(panel.querySelectorAll<HTMLElement>('table[aria-label="Disks"] .clip')).find((c) => c.textContent === path);
        return { panelFits: panel.scrollWidth <= panel.clientWidth, cut: clip ? clip.scrollWidth > clip.clientWidth : null };
      }, mount);
      expect(fit).toEqual({ panelFits: true, cut: true });
    } finally {
      await inside(one, `umount ${mount}`);
    }
  });

  it('opens the Operations dashboard on the host through an SSH tunnel and shows its link', async () => {
    await inside(one, "mkdir -p /srv/dash/ops && echo '<title>ops</title><h1>Operations dashboard of trader-1</h1>' > /srv/dash/ops/index.html");
    await inside(one, 'systemd-run --unit=fake-ops python3 -m http.server --bind 127.0.0.1 --directory /srv/dash 3000');
    await expect.poll(async () => (await fleet.exec(one, 'curl -sf http://127.0.0.1:3000/ops/')).code, { timeout: 10_000 }).toBe(0);
    await showHost('trader-1');
    await detail('trader-1').getByRole('button', { name: 'Open Operations dashboard on trader-1' }).click();
    const notice = page.getByRole('status', { name: 'Host tools notice' });
    await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toMatch(/Operations dashboard is at http:\/\/127\.0\.0\.1:\d+\/ops/);
    const url = await notice.getByRole('link').getAttribute('href');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ops$/);
    const tunnels = page.getByRole('table', { name: 'Open tunnels' });
    expect(await tunnels.textContent()).toContain('127.0.0.1:3000');
    // the page itself, fetched through the local port, as the browser would
    const dash = await browser.newPage();
    await dash.goto(`${url}/`);
    expect(await dash.getByRole('heading').textContent()).toBe('Operations dashboard of trader-1');
    await dash.screenshot({ path: join(out, 'hosts-tunnel-page.png') });
    await dash.close();
    await page.screenshot({ path: join(out, 'hosts-tunnel.png'), fullPage: true });
    await page.getByRole('button', { name: 'Close tunnel Operations dashboard on trader-1' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Open tunnels' }).count()).toBe(0);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });

  it('says so when a dashboard is not listening on the host', async () => {
    await detail('trader-1').getByRole('button', { name: 'Open Grafana on trader-1' }).click();
    const notice = page.getByRole('status', { name: 'Host tools notice' });
    await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toMatch(/cannot open Grafana: .*127\.0\.0\.1:9090/);
  });

  it("links the Deployment view's Hosts panel to the host view, and keeps its restart buttons", async () => {
    await page.getByRole('tab', { name: 'Deployment' }).click();
    expect(await page.getByRole('tabpanel', { name: 'Hosts' }).isHidden()).toBe(true);
    const panel = page.getByRole('region', { name: 'Hosts' }).filter({ has: page.getByRole('button', { name: 'Restart autotrader-ingestion on trader-2' }) });
    expect(await panel.getByRole('button', { name: 'Restart autotrader-ingestion on trader-1' }).count()).toBe(1);
    await panel.getByRole('button', { name: 'Host view of trader-2' }).click();
    await expect.poll(() => detail('trader-2').isVisible()).toBe(true);
    expect(await page.getByRole('tab', { name: 'Hosts' }).getAttribute('aria-selected')).toBe('true');
  });

  it('escalates: shows the ticket link and the incident timeline as Markdown', async () => {
    await inside(two, 'systemctl stop autotrader-workers');
    const timeline = page.getByRole('textbox', { name: 'Incident timeline' });
    // the host view notices the stop within a refresh or two; escalate until the timeline has it
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Escalate Autotrader test fleet to ticket system' }).click();
          return (await timeline.inputValue().catch(() => '')).includes('host trader-2: autotrader-workers.service stopped (dead)');
        },
        { timeout: (REFRESH_S * 3 + 10) * 1000, interval: 1000 },
      )
      .toBe(true);
    expect(await timeline.inputValue()).toContain('# Incident timeline: Autotrader test fleet');
    expect(await timeline.inputValue()).toContain('Audit log chain: verified.');
    const notice = page.getByRole('status', { name: 'Host tools notice' });
    expect(await notice.getByRole('link').getAttribute('href')).toBe('https://tickets.example.com/new?project=AUTOTRADER');
    await page.getByRole('region', { name: 'Escalation' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(out, 'hosts-escalate.png'), fullPage: true });
    await inside(two, 'systemctl start autotrader-workers');
  });

  it('says unknown, with its own reason, what it could not learn: systemctl missing, then sshd killed', async () => {
    await inside(two, 'mv /usr/bin/systemctl /usr/bin/systemctl.hidden');
    try {
      await showHost('trader-2');
      const failed = detail('trader-2').getByLabel('Failed units');
      await expect
        .poll(() => failed.textContent(), { timeout: REFRESH_S * 1000 + 5000 })
        .toBe('systemctl --failed: unknown: systemctl is not installed on this host');
      expect(await detail('trader-2').getByLabel('Units unknown').textContent()).toMatch(/^units unknown: systemctl is not installed on this host/);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(REPO, 'docs', 'screens', 'hosts-systemctl-unknown.png'), fullPage: true });
    } finally {
      await inside(two, 'mv /usr/bin/systemctl.hidden /usr/bin/systemctl');
    }
    await fleet.stopSshd(two);
    await fleet.exec(two, 'pkill -KILL -f "sshd:.*@"');
    try {
      const failed = detail('trader-2').getByLabel('Failed units');
      await expect.poll(() => failed.textContent(), { timeout: 20_000 }).toMatch(/^systemctl --failed: unknown: not connected/);
      const twoAddress = fleet.hosts[1]!.address;
      // trader-1 answered: its own "none", and nothing of trader-2's trouble
      await showHost('trader-1');
      await expect
        .poll(() => detail('trader-1').getByLabel('Failed units').textContent(), { timeout: REFRESH_S * 1000 + 5000 })
        .toBe('systemctl --failed: none');
      expect(await detail('trader-1').textContent()).not.toContain(twoAddress);
    } finally {
      await fleet.startSshd(two);
    }
  });
});
