// Audited actions through the UI, on two real systemd-nspawn hosts: one action of each risk level picked
// from the Actions tab's catalog, previewed, confirmed and run, with the effect checked on the
// hosts themselves. Read-only: a journal tail of autotrader-api with its secrets redacted on the
// page. Service-affecting: a restart fanned out to both hosts (both rows succeed, both MainPIDs
// change). Destructive: clearing worker:scanner:queue (the count shown first, Confirm disabled
// until the queue name is typed exactly, the queue empty afterwards). A config edit shows its
// diff before confirm and offers the restart after. The exported incident timeline lists them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testbed/fleet';
import { launchChromium } from './support/browser';
import { closeConsole } from './support/console';
import { fleetConfigYaml } from './support/fleetConfig';
import { REPO, startWebShell, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-act-'));
const NAME = `act${process.pid % 10000}`;
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let page: Page;
let one: string;
let two: string;

const inside = async (host: string, command: string): Promise<string> => {
  const r = await fleet.exec(host, command);
  if (r.code !== 0) throw new Error(`${host}: ${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
};
const mainPid = async (host: string, unit: string) => Number(await inside(host, `systemctl show -p MainPID --value ${unit}`));

beforeAll(async () => {
  fleet = await startFleet({ name: NAME, hosts: 2 });
  [one, two] = fleet.hosts.map((h) => h.name) as [string, string];
  const config = join(dir, 'config.yaml');
  writeFileSync(config, fleetConfigYaml(fleet, { user: 'e2e-engineer', auditFile: join(dir, 'audit.jsonl'), hosts: 2, intervalSeconds: 5 }));
  shell = await startWebShell(['--config', config], { XDG_STATE_HOME: dir });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(shell.url).origin });
  page = await context.newPage();
  await page.goto(shell.url);
  await page.getByRole('tab', { name: 'Actions' }).click();
  await page.getByRole('navigation', { name: 'Action catalog' }).getByRole('button').first().waitFor({ timeout: 20_000 });
}, 240_000);

afterAll(() => closeConsole({ shell, browser }, fleet));

// A test that fails mid-dialog must not leave the next one behind a modal.
afterEach(async () => {
  for (const name of ['Cancel run', 'Close', 'Cancel']) {
    const button = page.getByRole('dialog').getByRole('button', { name, exact: true });
    if ((await button.count()) > 0 && (await button.first().isEnabled())) await button.first().click();
  }
  await expect.poll(() => page.getByRole('dialog').count(), { timeout: 15_000 }).toBe(0);
});

const pick = async (title: string) => {
  await page.getByRole('tab', { name: 'Actions' }).click();
  await page
    .getByRole('navigation', { name: 'Action catalog' })
    .getByRole('button', { name: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) })
    .click();
  return page.getByRole('form', { name: `Run ${title}` });
};
const hostBox = (label: string) => page.getByRole('region', { name: 'Action' }).getByRole('checkbox', { name: label });
const previewDialog = () => page.getByRole('dialog', { name: /^Preview: / });
const runDialog = () => page.getByRole('dialog', { name: /^Run: / });

describe('one action of each risk level through the Actions tab, on two real hosts', () => {
  it('read-only: a journal tail of autotrader-api shows its lines with the secrets redacted', async () => {
    // The simulator never logs a secret itself, so a line is written into the unit's journal
    // from inside its cgroup (journald files it under autotrader-api exactly as if the API had).
    // The writer stays alive a moment: journald reads a stream's unit from its peer's cgroup, and
    // a writer that has already exited leaves the line without one.
    const line = 'order routed fa=DU7654321 COINGECKO_API_KEY=CG-opsdeckTestbedKey7Qm2xR9 Authorization: Bearer b3BzZGVjay10ZXN0YmVkLXRva2Vu';
    const wrote = await fleet.exec(one, [
      'sh',
      '-c',
      `echo $$ > /sys/fs/cgroup/system.slice/autotrader-api.service/cgroup.procs && exec systemd-cat -t autotrader-api sh -c 'sleep 0.5; printf "%s\\n" "$1"; sleep 1.5' sh "$1"`,
      'sh',
      line,
    ]);
    expect(wrote.code, wrote.stderr).toBe(0);
    await expect.poll(() => inside(one, 'journalctl -u autotrader-api -n 5 --no-pager'), { timeout: 10_000 }).toContain('fa=DU7654321');

    const form = await pick("Last lines of a unit's journal");
    await form.getByRole('combobox', { name: 'Unit' }).selectOption('autotrader-api');
    await form.getByRole('spinbutton', { name: 'Lines' }).fill('12');
    expect(await hostBox('trader-1').isChecked()).toBe(true);
    expect(await hostBox('trader-2').isChecked()).toBe(false);
    await page.screenshot({ path: join(out, 'actions-catalog.png') });
    await form.getByRole('button', { name: 'Preview' }).click();

    const preview = previewDialog();
    await expect
      .poll(() => preview.getByLabel('Command').textContent(), { timeout: 10_000 })
      .toBe('journalctl -u autotrader-api -n 12 --no-pager -o short-iso');
    await preview.getByRole('button', { name: 'Confirm' }).click();

    const run = runDialog();
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    const log = run.getByRole('log', { name: 'Output from trader-1' });
    await expect.poll(() => log.textContent(), { timeout: 5_000 }).toContain('order routed fa=[REDACTED]');
    const shown = (await log.textContent())!;
    expect(shown).toContain('COINGECKO_API_KEY=[REDACTED]');
    expect(shown).toContain('Authorization: Bearer [REDACTED]');
    const pageText = (await page.locator('body').textContent())!;
    for (const secret of ['DU7654321', 'CG-opsdeckTestbedKey7Qm2xR9', 'b3BzZGVjay10ZXN0YmVk']) expect(pageText).not.toContain(secret);
    await page.screenshot({ path: join(out, 'actions-read-only.png') });
    await run.getByRole('button', { name: 'Close' }).click();
  });

  it('service-affecting: a restart fanned out to both hosts, both rows succeed and both MainPIDs change', async () => {
    const before = [await mainPid(one, 'autotrader-ingestion'), await mainPid(two, 'autotrader-ingestion')];
    expect(before.every((pid) => pid > 0)).toBe(true);

    const form = await pick('Restart an autotrader service');
    await form.getByRole('combobox', { name: 'Unit' }).selectOption('autotrader-ingestion');
    await hostBox('trader-2').check();
    await form.getByRole('button', { name: 'Preview on 2 hosts' }).click();

    const preview = previewDialog();
    await expect.poll(() => preview.getByRole('list', { name: 'Target hosts' }).textContent(), { timeout: 10_000 }).toBe('trader-1trader-2');
    expect(await preview.getByLabel('Command').textContent()).toBe('systemctl restart autotrader-ingestion');
    await page.screenshot({ path: join(out, 'actions-fanout-preview.png') });
    await preview.getByRole('button', { name: 'Confirm' }).click();

    const run = runDialog();
    const progress = run.getByRole('table', { name: 'Host progress' });
    await expect.poll(() => run.getByRole('status', { name: 'Run progress' }).textContent(), { timeout: 60_000 }).toBe('2 hosts: 2 succeeded');
    expect(await progress.getByRole('row', { name: 'trader-1: succeeded, exit 0' }).count()).toBe(1);
    expect(await progress.getByRole('row', { name: 'trader-2: succeeded, exit 0' }).count()).toBe(1);
    await page.screenshot({ path: join(out, 'actions-fanout-run.png') });
    // a plain restart offers nothing after it
    expect(await run.getByRole('region', { name: 'Follow-up' }).count()).toBe(0);
    await run.getByRole('button', { name: 'Close' }).click();

    const after = [await mainPid(one, 'autotrader-ingestion'), await mainPid(two, 'autotrader-ingestion')];
    expect(after.every((pid) => pid > 0)).toBe(true);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });

  it('destructive: clearing worker:scanner:queue shows the count first and confirms only on the exact queue name', async () => {
    const queued = Number(await inside(one, 'redis-cli LLEN worker:scanner:queue'));
    expect(queued).toBeGreaterThan(0);

    const form = await pick('Clear a worker queue');
    await form.getByRole('combobox', { name: 'Queue' }).fill('worker:scanner:queue');
    await form.getByRole('button', { name: 'Preview' }).click();

    const preview = previewDialog();
    const count = preview.getByRole('region', { name: 'Jobs in the queue now' });
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toContain(`${queued} jobs in worker:scanner:queue`);
    const confirm = preview.getByRole('button', { name: 'Confirm' });
    const typed = preview.getByRole('textbox', { name: 'Type worker:scanner:queue to confirm' });
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill('worker:scanner');
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill('worker:scanner:queue ');
    expect(await confirm.isDisabled()).toBe(true);
    await typed.fill('worker:alerts:queue');
    expect(await confirm.isDisabled()).toBe(true);
    expect(await inside(one, 'redis-cli LLEN worker:scanner:queue')).toBe(String(queued));
    await typed.fill('worker:scanner:queue');
    expect(await confirm.isEnabled()).toBe(true);
    await page.screenshot({ path: join(out, 'actions-destructive-preview.png') });
    await confirm.click();

    const run = runDialog();
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    expect(await run.getByRole('log', { name: 'Output from trader-1' }).textContent()).toContain(`deleting worker:scanner:queue (${queued} jobs)`);
    await page.screenshot({ path: join(out, 'actions-destructive-run.png') });
    await run.getByRole('button', { name: 'Close' }).click();

    expect(await inside(one, 'redis-cli LLEN worker:scanner:queue')).toBe('0');
    // only what was named, only where it was run
    expect(Number(await inside(one, 'redis-cli LLEN worker:alerts:queue'))).toBeGreaterThan(0);
    expect(await inside(two, 'redis-cli LLEN worker:scanner:queue')).toBe(String(queued));
  });

  it('a config edit shows its diff before confirm, then offers the ingestion restart, which runs', async () => {
    const file = '/opt/autotrader/configs/ingestion.yaml';
    const original = await inside(one, `cat ${file}`);
    const current = /^update_frequency_seconds: (\d+)/m.exec(original)![1]!;
    const pidBefore = await mainPid(one, 'autotrader-ingestion');

    const form = await pick('Set update_frequency_seconds in configs/ingestion.yaml');
    await form.getByRole('spinbutton', { name: 'Seconds' }).fill('45');
    await form.getByRole('button', { name: 'Preview' }).click();
    const preview = previewDialog();
    const diff = preview.getByRole('region', { name: 'Change to configs/ingestion.yaml' });
    await expect.poll(() => diff.textContent(), { timeout: 15_000 }).toContain(`-update_frequency_seconds: ${current}\n+update_frequency_seconds: 45`);
    expect(await inside(one, `cat ${file}`)).toBe(original);
    await page.screenshot({ path: join(out, 'actions-config-preview.png') });
    await preview.getByRole('button', { name: 'Confirm' }).click();

    const run = runDialog();
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    expect(await inside(one, `cat ${file}`)).toBe(original.replace(`update_frequency_seconds: ${current}`, 'update_frequency_seconds: 45'));
    const offer = run.getByRole('region', { name: 'Follow-up' });
    await expect.poll(() => offer.textContent(), { timeout: 10_000 }).toContain('Restart an autotrader service (autotrader-ingestion) on trader-1 now?');
    await page.screenshot({ path: join(out, 'actions-config-followup.png') });
    await offer.getByRole('button', { name: 'Preview follow-up' }).click();

    const restart = previewDialog();
    await expect.poll(() => restart.getByLabel('Command').textContent(), { timeout: 10_000 }).toBe('systemctl restart autotrader-ingestion');
    expect(await restart.getByRole('list', { name: 'Target hosts' }).textContent()).toBe('trader-1');
    await restart.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => runDialog().getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    await runDialog().getByRole('button', { name: 'Close' }).click();
    expect(await mainPid(one, 'autotrader-ingestion')).not.toBe(pidBefore);
    await expect.poll(() => inside(one, 'journalctl -u autotrader-ingestion -n 30 --no-pager'), { timeout: 15_000 }).toContain('update_frequency_seconds=45');
  });

  it('a 5000-line tail arrives whole yet only the lines in view are in the page', async () => {
    await inside(one, "seq -f 'worker batch line %05g done' 1 5000 >> /var/log/autotrader/workers.log");
    const form = await pick('Last lines of an autotrader log file');
    await form.getByRole('combobox', { name: 'Log file' }).selectOption('workers');
    await form.getByRole('spinbutton', { name: 'Lines' }).fill('5000');
    await form.getByRole('button', { name: 'Preview' }).click();
    await previewDialog().getByRole('button', { name: 'Confirm' }).click();

    const run = runDialog();
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    const log = run.getByRole('log', { name: 'Output from trader-1' });
    await expect.poll(() => log.textContent(), { timeout: 5_000 }).toContain('worker batch line 05000 done');
    expect(await log.getAttribute('data-line-count')).toBe('5000');
    expect(await run.getByRole('status', { name: 'Dropped output from trader-1' }).count()).toBe(0);
    expect(await log.locator('.vout-line').count()).toBeLessThan(80);
    // scrolled to the top, the first lines are there too (autotrader-workers may have logged one
    // of its own after the seq, so the tail can start a line or two later)
    await log.evaluate((el) => (el.scrollTop = 0));
    await expect.poll(() => log.textContent(), { timeout: 5_000 }).toMatch(/worker batch line 0000[1-9] done/);
    await page.screenshot({ path: join(out, 'actions-long-output.png') });
    await run.getByRole('button', { name: 'Close' }).click();
  });

  it('a follow goes to the dock; flooded faster than the console shows, it loses no line, and Cancel stops it on the host', async () => {
    const form = await pick('Follow an autotrader log file live');
    await form.getByRole('combobox', { name: 'Log file' }).selectOption('workers');
    await form.getByRole('spinbutton', { name: 'Lines first' }).fill('0');
    await form.getByRole('button', { name: 'Preview' }).click();
    await previewDialog().getByRole('button', { name: 'Confirm' }).click();
    // not a modal: the follow runs in the dock at the bottom, the console stays usable
    const run = page.getByRole('region', { name: 'Follows' });
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 15_000 }).toMatch(/running/);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => inside(one, "pgrep -f '[/]var/log/autotrader/workers[.]log 0 -$' || true"), { timeout: 10_000 }).not.toBe('');
    // 20 000 lines at once: far more than one 100 ms batch carries; the channel is read no faster
    // than the view takes the lines (back-pressure), so none is dropped
    await inside(one, "seq -f 'flood line %05g' 1 20000 >> /var/log/autotrader/workers.log");
    const log = run.getByRole('region', { name: 'Output from trader-1' });
    await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain('flood line 20000');
    expect(await run.getByRole('status', { name: 'Dropped output from trader-1' }).count()).toBe(0);
    // a screen reader hears the flood in summary every few seconds, not 20,000 lines read out one by one
    expect(await run.getByRole('log').count()).toBe(0);
    await expect.poll(() => run.getByRole('status', { name: 'New lines' }).textContent(), { timeout: 15_000 }).toMatch(/^\d{1,2},\d{3} new lines/);
    // the page keeps the newest 256 KiB of a run (about 15,400 of these 17-character lines); the
    // whole follow, every line, is in its spool on disk (follow.fleet.int.test.ts counts them)
    const shown = Number(await log.getAttribute('data-line-count'));
    expect(shown).toBeGreaterThan(15_000);
    expect(shown).toBeLessThan(20_050);
    expect(await log.textContent()).not.toContain('flood line 00001');
    // of the 500 newest lines the tab holds, only the rows in view (and a few above) are drawn
    expect(await log.locator('.dock-line').count()).toBeLessThan(40);
    await page.screenshot({ path: join(out, 'actions-follow-flood.png') });

    // the whole follow is kept on disk: paged back to its first line and read page by page to
    // the newest, every flood line is there exactly once, in order
    await run.getByRole('button', { name: 'Older lines' }).click();
    const pager = run.getByRole('group', { name: 'Lines kept on disk' });
    const position = pager.getByRole('status', { name: 'Spool position' });
    await expect.poll(() => position.textContent(), { timeout: 10_000 }).toMatch(/ of [\d,]+ kept on disk$/);
    await pager.getByRole('button', { name: 'First line' }).click();
    await expect.poll(() => position.textContent(), { timeout: 10_000 }).toMatch(/^lines 1–/);
    await page.screenshot({ path: join(out, 'actions-follow-spool.png') });
    const paging = Date.now();
    const kept = run.getByRole('region', { name: 'Kept on disk from trader-1' });
    const flood: number[] = [];
    let numbered = 0;
    for (;;) {
      const rows = await kept
        .locator('[data-line]')
        .evaluateAll((els) => els.map((el) => [Number(el.getAttribute('data-line')), el.querySelector('.line-text')!.textContent!] as const));
      // each page follows the one before it, line numbers without a gap
      expect(rows[0]![0]).toBe(numbered + 1);
      numbered = rows.at(-1)![0];
      for (const [, text] of rows) {
        const m = /flood line (\d{5})$/.exec(text);
        if (m) flood.push(Number(m[1]));
      }
      const newer = pager.getByRole('button', { name: 'Newer' });
      if (await newer.isDisabled()) break;
      const before = await position.textContent();
      await newer.click();
      await expect.poll(() => position.textContent(), { timeout: 10_000 }).not.toBe(before);
    }
    console.log(`paged ${numbered} lines in ${Date.now() - paging} ms`);
    expect(flood).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));
    await run.getByRole('button', { name: /^Jump to now/ }).click();
    await expect.poll(() => log.textContent(), { timeout: 5_000 }).toContain('flood line 20000');

    // paused a few rows above the newest, the engineer's row holds still while a second flood
    // trims the lines above it from the page (only the rows in view are drawn: the view is anchored to them)
    const topRow = () =>
      log.evaluate((el) => {
        const top = el.getBoundingClientRect().top;
        const rows = Array.from(el.querySelectorAll('.dock-line')).filter((r) => r.getBoundingClientRect().bottom > top + 1);
        rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
        return rows[0]?.querySelector('.line-text')?.textContent ?? '';
      });
    await run.getByRole('button', { name: 'Pause' }).click();
    await log.evaluate((el) => (el.scrollTop = el.scrollHeight - el.clientHeight - 15 * 17));
    await expect.poll(topRow, { timeout: 5_000 }).toMatch(/^flood line 199\d\d$/);
    const reading = await topRow();
    // 15,200 more 17-character lines: the page keeps about 15,400, so it keeps none from before line 19,780
    await inside(one, "seq -f 'flood line %05g' 20001 35200 >> /var/log/autotrader/workers.log");
    // (the autotrader's workers write to the file too: a few more than these arrive)
    const newLines = async () =>
      Number(/\(([\d,]+) new lines?\)/.exec((await run.getByRole('button', { name: /^Jump to now/ }).textContent()) ?? '')?.[1]?.replaceAll(',', '') ?? 0);
    await expect.poll(newLines, { timeout: 15_000 }).toBeGreaterThanOrEqual(15_200);
    expect(await log.textContent()).not.toContain('flood line 19700');
    expect(await topRow()).toBe(reading);
    await run.getByRole('button', { name: /^Jump to now/ }).click();
    await expect.poll(() => log.textContent(), { timeout: 5_000 }).toContain('flood line 35200');
    // long lines wrap: following, the rows kept for newer lines are measured again, and no row
    // overlaps another
    const wrapped = (from: number) =>
      inside(one, `for i in $(seq ${from} ${from + 29}); do printf 'wrapped %03d %0400d\\nshort %03d\\n' $i 0 $i; done >> /var/log/autotrader/workers.log`);
    const overlapping = () =>
      log.evaluate((el) => {
        const rows = Array.from(el.querySelectorAll('.dock-line'), (r) => r.getBoundingClientRect()).sort((a, b) => a.top - b.top);
        return rows.filter((r, i) => i > 0 && r.top < rows[i - 1]!.bottom - 0.5).length;
      });
    await wrapped(1);
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain('short 030');
    await wrapped(31);
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain('short 060');
    await expect.poll(overlapping, { timeout: 2_000 }).toBe(0);
    await page.screenshot({ path: join(out, 'actions-follow-wrapped.png') });

    await run.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => run.getByRole('status', { name: 'trader-1 status' }).textContent(), { timeout: 15_000 }).toMatch(/cancelled/);
    await expect.poll(() => inside(one, "pgrep -f '[/]var/log/autotrader/workers[.]log 0 -$' || true"), { timeout: 10_000 }).toBe('');
    await run.getByRole('button', { name: 'Close' }).click();
  });

  it('exports the incident timeline with every action above, redacted, and copies it', async () => {
    await page.getByRole('tab', { name: 'Audit' }).click();
    const exporter = page.getByRole('region', { name: 'Incident timeline export' });
    await exporter.getByRole('button', { name: 'Export incident timeline' }).click();
    const markdown = exporter.getByRole('textbox', { name: 'Incident timeline Markdown' });
    await expect.poll(() => markdown.inputValue(), { timeout: 10_000 }).toContain('# Incident timeline: all deployments');
    const text = await markdown.inputValue();
    expect(text).toContain('Audit log chain: verified.');
    expect(text).toContain('e2e-engineer ran `journal.tail` on `at-1`');
    expect(text).toContain('e2e-engineer ran `service.restart` on `at-1`');
    expect(text).toContain('e2e-engineer ran `service.restart` on `at-2`');
    expect(text).toContain('e2e-engineer ran `queue.clear` on `at-1`');
    expect(text).toContain('e2e-engineer ran `config.update-frequency.set` on `at-1`');
    expect(text).toContain('`queue.clear` on `at-1` **succeeded**, exit code 0');
    // journal.tail, 2 restarts, clear, config edit, follow-up restart, logs.tail, logs.follow
    expect(text).toContain('| commands run (per host) | 8 |');
    // the order the engineer acted in
    const order = ['`journal.tail`', '`queue.clear`', '`config.update-frequency.set`'].map((s) => text.indexOf(`ran ${s}`));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const secret of ['DU7654321', 'CG-opsdeckTestbedKey7Qm2xR9']) expect(text).not.toContain(secret);
    expect(await exporter.getByRole('status', { name: 'Export status' }).textContent()).toMatch(/^Copied to the clipboard/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
    await page.screenshot({ path: join(out, 'actions-export.png'), fullPage: true });
  });
});
