// The two questions SSH asks while connecting (a key's passphrase, an unknown host key) under the
// one modal contract (renderer/src/a11y/useModal.ts), by keyboard alone: Escape cancels, focus
// returns where it was, and nothing else happens. Headless Chromium through the browser shell
// against real loopback sshds (testbed/sshd.ts), as e2e/ssh.e2e.test.ts drives the same dialogs
// by mouse. "Nothing else" is checked where the user would lose it: the passphrase typed before
// Escape never leaves the page, the host key is not pinned (known_hosts byte for byte), the sshd
// accepted no login, and the host says why it is down, with its Retry button. Last, Retry with the
// right passphrase: the host connects, its Retry goes, and focus lands on the host's name.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../testbed/sshd';
import { launchChromium } from './support/browser';
import { focused, tabTo } from './support/keyboard';
import { startSshLabShell } from './support/sshLab';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-ssh-kbd-e2e-'));
const knownHosts = join(dir, 'known_hosts');
const PASSPHRASE = 'kbd-Pass-3e9a61f0-ø';
let locked: Sshd;
let fresh: Sshd;
let pins: string;
let shell: WebShell;
let browser: Browser;
let page: Page;
const sent: string[] = [];

beforeAll(async () => {
  [locked, fresh] = await Promise.all([startSshd({ clientKeyPassphrase: PASSPHRASE }), startSshd()]);
  // the engineer's known_hosts pins other hosts, not fresh's key: its question is "unknown host key"
  pins = `# pinned by hand\n${locked.hostKeyLine}\n`;
  writeFileSync(knownHosts, pins);
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host lab-locked',
      '  HostName 127.0.0.1',
      `  Port ${locked.port}`,
      `  User ${locked.user}`,
      `  IdentityFile ${locked.clientKeyPath}`,
      `  UserKnownHostsFile ${locked.knownHostsPath}`,
      'Host lab-fresh',
      '  HostName 127.0.0.1',
      `  Port ${fresh.port}`,
      `  User ${fresh.user}`,
      `  IdentityFile ${fresh.clientKeyPath}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '',
    ].join('\n'),
  );
  shell = await startSshLabShell(dir, {
    user: 'e2e-keyboard',
    hosts: { locked: 'lab-locked', fresh: 'lab-fresh' },
    deployments: { lab: ['SSH lab', ['locked', 'fresh']] },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
  await page.goto(shell.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  await Promise.all([locked?.stop(), fresh?.stop()]);
});

const passphraseDialog = () => page.getByRole('dialog', { name: `Passphrase for ${locked.clientKeyPath}` });
const hostKeyDialog = () => page.getByRole('dialog', { name: `Unknown host key for [127.0.0.1]:${fresh.port}` });
const dotName = async (label: string) =>
  (await page
    .getByRole('list', { name: 'Host connections' })
    .getByRole('listitem', { name: new RegExp(`^${label}: `) })
    .getAttribute('aria-label')) ?? '';
const hasFocus = (locator: ReturnType<Page['getByRole']>) => locator.evaluate((el) => el === document.activeElement || el.contains(document.activeElement));
const LOCKED_DOWN = /^lab-locked: failed: .*key .* is encrypted and no passphrase was given/;
const FRESH_DOWN = /^lab-fresh: failed: host key for \[127\.0\.0\.1\]:\d+ is not known/;
const noLogin = (sshd: Sshd) => expect(sshd.log()).not.toMatch(/Accepted publickey/);

describe('SSH questions by keyboard', () => {
  it('at start-up, Escape cancels the passphrase (even one typed in full) and then the unknown host key: nothing is sent, pinned or logged in', async () => {
    // a passphrase is asked first; the host-key question waits behind it
    await passphraseDialog().waitFor({ timeout: 20_000 });
    const field = passphraseDialog().getByLabel('Passphrase');
    await expect.poll(() => hasFocus(field), { timeout: 5_000 }).toBe(true);
    await page.keyboard.type(PASSPHRASE);
    await page.screenshot({ path: join(out, 'ssh-kbd-passphrase.png') });
    await page.keyboard.press('Escape');

    await hostKeyDialog().waitFor({ timeout: 20_000 });
    expect(await passphraseDialog().count()).toBe(0);
    expect(await hostKeyDialog().getByLabel('Fingerprint').textContent()).toBe(fresh.hostKeyFingerprint);
    await expect.poll(() => hasFocus(hostKeyDialog()), { timeout: 5_000 }).toBe(true);
    await page.screenshot({ path: join(out, 'ssh-kbd-unknown-key.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count(), { timeout: 10_000 }).toBe(0);

    await expect.poll(() => dotName('lab-locked'), { timeout: 20_000 }).toMatch(LOCKED_DOWN);
    await expect.poll(() => dotName('lab-fresh'), { timeout: 20_000 }).toMatch(FRESH_DOWN);
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.filter((f) => f.includes(PASSPHRASE))).toEqual([]);
    expect(readFileSync(knownHosts, 'utf8')).toBe(pins);
    noLogin(locked);
    noLogin(fresh);
    // refused questions are not asked again on their own (only Retry asks): a wrong retry would
    // come at once or after the pool's first backoff (500 ms +- jitter), so look again after that
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.waitForTimeout(1_000);
    expect(await page.getByRole('dialog').count()).toBe(0);
  });

  it('each host shows its cancelled state with a Retry button in the Deployment view', async () => {
    await tabTo(page, /^(Fleet|Deployment|Runbooks|Actions|Hosts|Audit)$/); // the Views list's one Tab stop
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toEqual({ role: 'tab', name: 'Deployment' });
    await expect.poll(() => page.getByRole('tabpanel', { name: 'Deployment' }).isVisible(), { timeout: 5_000 }).toBe(true);
    const hosts = page.getByRole('table', { name: 'Hosts' });
    await expect.poll(() => hosts.getByRole('row', { name: /lab-locked/ }).textContent(), { timeout: 10_000 }).toContain('no passphrase was given');
    await expect
      .poll(() => hosts.getByRole('row', { name: /lab-fresh/ }).textContent(), { timeout: 10_000 })
      .toMatch(/host key for \[127\.0\.0\.1\]:\d+ is not known/);
    expect(await hosts.getByRole('button', { name: 'Retry SSH to lab-locked' }).count()).toBe(1);
    expect(await hosts.getByRole('button', { name: 'Retry SSH to lab-fresh' }).count()).toBe(1);
    // a host key fingerprint is one long word: it must not push the SSH column and its Retry
    // out of the half-width panel, where only a sideways scroll would find them
    const panel = page.getByRole('region', { name: 'Hosts' });
    const [panelBox, retryBox] = await Promise.all([panel.boundingBox(), hosts.getByRole('button', { name: 'Retry SSH to lab-fresh' }).boundingBox()]);
    expect(retryBox!.x + retryBox!.width).toBeLessThanOrEqual(panelBox!.x + panelBox!.width);
    expect(await panel.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(out, 'ssh-kbd-cancelled.png') });
  });

  it('Retry asks for the passphrase again; Escape cancels it and focus is back on Retry', async () => {
    await tabTo(page, 'Retry SSH to lab-locked');
    await page.keyboard.press('Enter');
    await passphraseDialog().waitFor({ timeout: 20_000 });
    await expect.poll(() => hasFocus(passphraseDialog().getByLabel('Passphrase')), { timeout: 5_000 }).toBe(true);
    // the host waits on the answer: the views show it connecting (and Retry has nothing to offer) meanwhile
    await expect.poll(() => dotName('lab-locked'), { timeout: 10_000 }).toMatch(/^lab-locked: connecting/);
    await page.keyboard.type(PASSPHRASE);
    await page.keyboard.press('Escape');
    await expect.poll(() => passphraseDialog().count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => dotName('lab-locked'), { timeout: 20_000 }).toMatch(LOCKED_DOWN);
    await expect.poll(() => focused(page), { timeout: 10_000 }).toEqual({ role: 'button', name: 'Retry SSH to lab-locked' });
    expect(sent.filter((f) => f.includes(PASSPHRASE))).toEqual([]);
    noLogin(locked);
  });

  it('Retry asks about the unknown host key again; Escape refuses it, known_hosts is untouched and focus is back on Retry', async () => {
    await tabTo(page, 'Retry SSH to lab-fresh');
    await page.keyboard.press('Enter');
    await hostKeyDialog().waitFor({ timeout: 20_000 });
    await expect.poll(() => hasFocus(hostKeyDialog()), { timeout: 5_000 }).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => hostKeyDialog().count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => dotName('lab-fresh'), { timeout: 20_000 }).toMatch(FRESH_DOWN);
    await expect.poll(() => focused(page), { timeout: 10_000 }).toEqual({ role: 'button', name: 'Retry SSH to lab-fresh' });
    expect(readFileSync(knownHosts, 'utf8')).toBe(pins);
    noLogin(fresh);
  });

  it('Retry with the right passphrase connects the host, and focus lands on its name in the Hosts table, not on the page', async () => {
    const hosts = page.getByRole('table', { name: 'Hosts' });
    await tabTo(page, 'Retry SSH to lab-locked');
    await page.keyboard.press('Enter');
    await passphraseDialog().waitFor({ timeout: 20_000 });
    await expect.poll(() => hasFocus(passphraseDialog().getByLabel('Passphrase')), { timeout: 5_000 }).toBe(true);
    await page.keyboard.type(PASSPHRASE);
    await page.keyboard.press('Enter'); // Unlock
    await expect.poll(() => passphraseDialog().count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => dotName('lab-locked'), { timeout: 30_000 }).toMatch(/^lab-locked: connected/);
    // success takes the Retry button away: focus goes to the host's name in that row (Tab
    // carries on from there), where Chromium would have left it on the page's body
    await expect.poll(() => hosts.getByRole('button', { name: /SSH to lab-locked$/ }).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement !== document.body), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => focused(page), { timeout: 10_000 }).toEqual({ role: 'th', name: 'lab-locked' });
    expect(await hasFocus(hosts.getByRole('rowheader', { name: 'lab-locked' }))).toBe(true);
    await page.screenshot({ path: join(out, 'ssh-kbd-connected-focus.png') });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toEqual({ role: 'button', name: 'Restart autotrader-ingestion on lab-locked' });
    expect(locked.log()).toMatch(/Accepted publickey/);
  });
});
