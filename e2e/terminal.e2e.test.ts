// The host terminal end to end: xterm.js in headless Chromium on a pty shell of a real
// systemd-nspawn host, through the browser shell. Types a command and sees its output, resizes
// the page and sees the remote `stty size` follow, searches the scrollback, sees the
// disconnect notice when the host's sshd stops and its session dies, and reconnects with Enter.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../testbed/fleet';
import { fleetConfigYaml } from './support/fleetConfig';
import { closeConsole, openConsole } from './support/console';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-term-e2e-'));
const auditFile = join(dir, 'audit.jsonl');
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let page: Page;
let host: string;

beforeAll(async () => {
  fleet = await startFleet({ name: `e2et${process.pid % 100000}`, hosts: 1 });
  host = fleet.hosts[0]!.name;
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    fleetConfigYaml(fleet, {
      user: 'e2e-engineer',
      auditFile,
      hostSettings: 'keepaliveSeconds: 2',
      intervalSeconds: null,
      extraLines: ['terminal: { record: true }'],
    }),
  );
  ({ shell, browser, page } = await openConsole({ args: ['--config', config], env: { XDG_STATE_HOME: dir }, viewport: { width: 1400, height: 1000 } }));
  await page.getByRole('tab', { name: 'Hosts' }).click();
});

afterAll(() => closeConsole({ shell, browser }, fleet));

const pane = () => page.getByRole('region', { name: 'Terminal trader-1 #1' });
/** The terminal's screen as the user sees it, one string per row. */
const screen = async () => (await pane().locator('.xterm-rows > div').allTextContents()).map((r) => r.replace(/\u00a0/g, ' ').trimEnd());
const status = () => pane().getByRole('status', { name: 'Terminal status' });
const typeLine = async (text: string) => {
  await pane().locator('.xterm').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
};

describe('the host terminal', () => {
  it('types into a real shell and shows the answer', async () => {
    await page.getByRole('button', { name: 'Open terminal on trader-1' }).click();
    await expect.poll(() => status().textContent(), { timeout: 20_000 }).toBe('connected: trader-1 #1');
    await expect.poll(async () => (await screen()).join('\n'), { timeout: 10_000 }).toMatch(new RegExp(`root@${fleet.hosts[0]!.name}:~#$`, 'm'));
    await typeLine('echo $((6*7))');
    await expect.poll(async () => (await screen()).includes('42'), { timeout: 5_000 }).toBe(true);
    await pane().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(out, 'terminal-echo.png'), fullPage: true });
  });

  it('resizes the remote pty with the page', async () => {
    await typeLine('clear; stty size');
    await expect.poll(async () => (await screen()).find((l) => /^\d+ \d+$/.test(l)) ?? null, { timeout: 5_000 }).not.toBeNull();
    const before = (await screen())
      .find((l) => /^\d+ \d+$/.test(l))!
      .split(' ')
      .map(Number);
    const rowsShown = (await screen()).length;
    expect(before[0]).toBe(rowsShown);
    await page.setViewportSize({ width: 900, height: 1000 });
    await typeLine('clear; stty size');
    // a new size line, not the old one and not the blank screen between `clear` and `stty`
    const newSize = async () => (await screen()).find((l) => /^\d+ \d+$/.test(l) && l !== before.join(' ')) ?? null;
    await expect.poll(newSize, { timeout: 5_000 }).not.toBeNull();
    const after = (await newSize())!.split(' ').map(Number);
    expect(after[1]).toBeLessThan(before[1]!);
    expect(after[0]).toBe((await screen()).length);
    // what the remote side thinks the width is matches what the page draws: a line of that many
    // characters fills exactly one row
    await typeLine(`printf '%*s|\\n' ${after[1]! - 1} '' | tr ' ' x`);
    await expect.poll(async () => (await screen()).some((l) => l === `${'x'.repeat(after[1]! - 1)}|`), { timeout: 5_000 }).toBe(true);
    await page.screenshot({ path: join(out, 'terminal-resized.png'), fullPage: true });
  });

  it('searches the scrollback', async () => {
    await typeLine('seq 1 300 | sed s/^/line-/');
    await expect.poll(async () => (await screen()).includes('line-300'), { timeout: 5_000 }).toBe(true);
    await pane().getByRole('textbox', { name: 'Search terminal output' }).fill('line-17');
    await pane().getByRole('button', { name: 'Next' }).click();
    // xterm selects the match and scrolls it into view: the row is on screen again
    await expect.poll(async () => (await screen()).some((l) => l.startsWith('line-17')), { timeout: 5_000 }).toBe(true);
  });

  it('shows a clear notice when the host drops the session, and reconnects with Enter', async () => {
    // typing scrolls xterm back to the bottom after the search moved it up
    await typeLine('clear');
    await fleet.stopSshd(host);
    await fleet.exec(host, 'pkill -f "sshd:.*@"');
    await expect.poll(() => status().textContent(), { timeout: 15_000 }).toBe('Disconnected: the connection to the host was lost. Press Enter to reconnect.');
    // the status line is React's and shows at once; xterm parses and paints its writes a frame later
    await expect
      .poll(async () => (await screen()).join('\n'), { timeout: 5_000 })
      .toContain('*** Disconnected: the connection to the host was lost. Press Enter to reconnect. ***');
    await page.screenshot({ path: join(out, 'terminal-disconnected.png'), fullPage: true });
    await fleet.startSshd(host);
    await pane().locator('.xterm').click();
    await page.keyboard.press('Enter');
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toBe('connected: trader-1 #1');
    await typeLine('echo back-$((1+1))');
    await expect.poll(async () => (await screen()).includes('back-2'), { timeout: 10_000 }).toBe(true);
  });

  it('audits start and end with host and user, and logs or audits no keystroke', async () => {
    await pane().getByRole('button', { name: 'Close terminal trader-1 #1' }).click();
    await expect.poll(() => readFileSync(auditFile, 'utf8').trim().split('\n').length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    const records = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.outcome)).toEqual([
      'terminal started (recorded)',
      'terminal ended after ' + records[1].outcome.split('after ')[1],
      'terminal started (recorded)',
      records[3].outcome,
    ]);
    expect(records[1].outcome).toMatch(/^terminal ended after \d+ s: the connection to the host was lost$/);
    expect(records[3].outcome).toMatch(/^terminal ended after \d+ s: closed$/);
    for (const r of records) expect(r).toMatchObject({ kind: 'note', user: 'e2e-engineer', hostId: 'at-1' });
    const raw = readFileSync(auditFile, 'utf8');
    expect(raw).not.toContain('6*7');
    expect(raw).not.toContain('seq 1 300');
    // the recordings (terminal.record: true) hold what the screen showed, one file per shell
    const casts = readdirSync(join(dir, 'recordings')).filter((f) => f.endsWith('.cast'));
    expect(casts).toHaveLength(2);
    const events = casts.map((f) =>
      readFileSync(join(dir, 'recordings', f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    for (const e of events) expect(e[0]).toMatchObject({ version: 2, env: { TERM: 'xterm-256color' } });
    const shown = events.map((e) =>
      e
        .slice(1)
        .filter((x: unknown[]) => x[1] === 'o')
        .map((x: unknown[]) => x[2])
        .join(''),
    );
    expect(shown.some((t) => /[\r\n]42\r\n/.test(t))).toBe(true);
    expect(shown.some((t) => t.includes('back-2'))).toBe(true);
    // nor the console's own log
    expect(shell.output()).not.toContain('6*7');
    expect(shell.output()).not.toContain('seq 1 300');
  });
});
