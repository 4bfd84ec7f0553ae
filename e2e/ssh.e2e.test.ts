// SSH the way engineers already have it, in headless Chromium through the browser shell against
// real loopback sshds: hosts named by ssh_config aliases, an unknown host key shown with
// OpenSSH's fingerprint and trusted into a known_hosts the OpenSSH client accepts, a changed key
// refused until the host name is typed exactly, an encrypted key unlocked by a passphrase that
// never comes back from main (no WebSocket frame, no file, no log line), the import picker, and
// Retry on a host refused for its key once the engineer has fixed their agent.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSshd, type Sshd } from '../testbed/sshd';
import { launchChromium } from './support/browser';
import { startSshLabShell } from './support/sshLab';
import { REPO, type WebShell } from './support/webShell';

const run = promisify(execFile);
const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-ssh-e2e-'));
const knownHosts = join(dir, 'known_hosts');
const configFile = join(dir, 'config.yaml');
const PASSPHRASE = 'e2e-Pass-7d0c4b19-ß';
let plain: Sshd;
let locked: Sshd;
let agented: Sshd;
let agent: ChildProcess;
// outside dir: the passphrase test reads every file under dir, and a socket cannot be read
const agentSock = join(mkdtempSync(join(tmpdir(), 'opsdeck-ssh-e2e-agent-')), 'agent.sock');
let shell: WebShell;
let browser: Browser;
let page: Page;
const frames: string[] = [];

beforeAll(async () => {
  [plain, locked, agented] = await Promise.all([startSshd(), startSshd({ clientKeyPassphrase: PASSPHRASE }), startSshd()]);
  // an engineer's agent that does not hold the key yet: the host is refused until they ssh-add it
  agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
  await vi.waitFor(() => run('test', ['-S', agentSock]), { timeout: 10_000, interval: 50 });
  writeFileSync(join(dir, 'lab.conf'), ['Host lab-*', '  HostName 127.0.0.1', `  User ${plain.user}`, '  ServerAliveInterval 2', ''].join('\n'));
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      `Include ${join(dir, 'lab.conf')}`,
      'Host lab-plain',
      `  Port ${plain.port}`,
      `  IdentityFile ${plain.clientKeyPath}`,
      `  UserKnownHostsFile ${knownHosts}`,
      'Host lab-locked',
      `  Port ${locked.port}`,
      `  IdentityFile ${locked.clientKeyPath}`,
      `  UserKnownHostsFile ${locked.knownHostsPath}`,
      'Host lab-agent',
      `  Port ${agented.port}`,
      `  IdentityAgent ${agentSock}`,
      `  IdentityFile ${join(dir, 'no-such-key')}`,
      `  UserKnownHostsFile ${agented.knownHostsPath}`,
      'Host lab-spare',
      `  Port ${plain.port}`,
      `  IdentityFile ${plain.clientKeyPath}`,
      `  UserKnownHostsFile ${knownHosts}`,
      '',
    ].join('\n'),
  );
  shell = await startSshLabShell(dir, {
    comment: 'e2e config: two hosts by ssh_config alias only',
    user: 'e2e-engineer',
    hosts: { plain: 'lab-plain', locked: 'lab-locked', 'agent-host': 'lab-agent' },
    deployments: { lab: ['SSH lab', ['plain', 'locked']], 'agent-lab': ['Agent lab', ['agent-host']] },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
  await page.goto(shell.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  agent?.kill();
  await Promise.all([plain?.stop(), locked?.stop(), agented?.stop()]);
});

const dot = (label: string) => page.getByRole('list', { name: 'Host connections' }).getByRole('listitem', { name: new RegExp(`^${label}: `) });
const dotName = async (label: string) => (await dot(label).getAttribute('aria-label')) ?? '';

function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('SSH in the console', () => {
  it('asks for the passphrase of an encrypted key, connects, and the passphrase never comes back from main', async () => {
    const dialog = page.getByRole('dialog', { name: `Passphrase for ${locked.clientKeyPath}` });
    await dialog.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(out, 'ssh-passphrase.png') });
    await dialog.getByLabel('Passphrase').fill('not-the-passphrase');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent(), { timeout: 20_000 }).toBe('That passphrase was wrong. Try again.');
    await dialog.getByLabel('Passphrase').fill(PASSPHRASE);
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => dotName('lab-locked'), { timeout: 20_000 }).toBe('lab-locked: connected');
    expect(frames.length).toBeGreaterThan(3);
    expect(frames.filter((f) => f.includes(PASSPHRASE))).toEqual([]);
    for (const file of filesUnder(dir)) expect(readFileSync(file, 'utf8').includes(PASSPHRASE), file).toBe(false);
    expect(shell.output()).not.toContain(PASSPHRASE);
  });

  it('shows an unknown host key with the fingerprint OpenSSH prints; Trust connects and writes a pin ssh accepts', async () => {
    const dialog = page.getByRole('dialog', { name: `Unknown host key for [127.0.0.1]:${plain.port}` });
    await dialog.waitFor({ timeout: 20_000 });
    expect(await dialog.getByLabel('Fingerprint').textContent()).toBe(plain.hostKeyFingerprint);
    // the question and the host's state reach the page as separate events: the dot may follow a moment later
    await expect.poll(() => dotName('lab-plain'), { timeout: 10_000 }).toMatch(/^lab-plain: failed: host key for \[127\.0\.0\.1\]:\d+ is not known/);
    await page.screenshot({ path: join(out, 'ssh-unknown-key.png') });
    await dialog.getByRole('button', { name: 'Trust' }).click();
    await expect.poll(() => dotName('lab-plain'), { timeout: 20_000 }).toBe('lab-plain: connected');
    expect(readFileSync(knownHosts, 'utf8')).toBe(`${plain.hostKeyLine}\n`);
    const { stdout } = await run('ssh', [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-i',
      plain.clientKeyPath,
      '-p',
      String(plain.port),
      `${plain.user}@127.0.0.1`,
      'echo pinned-ok',
    ]);
    expect(stdout).toBe('pinned-ok\n');
  });

  it('refuses a changed host key loudly; a wrong typed name keeps it refused, the exact one reconnects', async () => {
    const before = readFileSync(knownHosts, 'utf8');
    const pinned = plain.hostKeyFingerprint;
    const next = await plain.replaceHostKey();
    const dialog = page.getByRole('alertdialog', { name: `Host key CHANGED for [127.0.0.1]:${plain.port}` });
    await dialog.waitFor({ timeout: 30_000 });
    expect(await dialog.getByLabel('Presented fingerprint').textContent()).toBe(next.hostKeyFingerprint);
    expect(await dialog.getByRole('list', { name: 'Pinned keys' }).textContent()).toBe(`line 1: ED25519 ${pinned}`);
    await expect.poll(() => dotName('lab-plain'), { timeout: 10_000 }).toMatch(/^lab-plain: failed: WARNING: host key for \[127\.0\.0\.1\]:\d+ has CHANGED/);
    await page.screenshot({ path: join(out, 'ssh-changed-key.png') });
    await dialog.getByRole('textbox', { name: 'Type 127.0.0.1 to replace the pinned key' }).fill('127.0.0.2');
    await dialog.getByRole('button', { name: 'Replace pinned key' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent(), { timeout: 10_000 })
      .toBe('the typed name does not match 127.0.0.1: the key stays refused');
    expect(readFileSync(knownHosts, 'utf8')).toBe(before);
    await expect.poll(() => dotName('lab-plain'), { timeout: 10_000 }).toMatch(/^lab-plain: failed/);
    await page.screenshot({ path: join(out, 'ssh-changed-key-wrong-name.png') });
    await dialog.getByRole('textbox', { name: 'Type 127.0.0.1 to replace the pinned key' }).fill('127.0.0.1');
    await dialog.getByRole('button', { name: 'Replace pinned key' }).click();
    await expect.poll(() => dotName('lab-plain'), { timeout: 20_000 }).toBe('lab-plain: connected');
    expect(readFileSync(knownHosts, 'utf8')).toBe(`${next.hostKeyLine}\n`);
    expect(await dialog.count()).toBe(0);
  });

  it('imports a host from the ssh_config into the YAML config, keeping its comments, and connects it without a restart', async () => {
    await page.getByRole('button', { name: 'Import hosts from ~/.ssh/config' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import hosts from ~/.ssh/config' });
    await dialog.getByRole('group', { name: 'lab-*' }).waitFor({ timeout: 10_000 });
    expect(await dialog.getByRole('checkbox', { name: /^lab-plain / }).isDisabled()).toBe(true);
    await dialog.getByRole('checkbox', { name: `lab-spare (${plain.user}@127.0.0.1:${plain.port})` }).check();
    await dialog.getByRole('combobox', { name: 'Add to deployment' }).selectOption('lab');
    await page.screenshot({ path: join(out, 'ssh-import.png') });
    await dialog.getByRole('button', { name: 'Import 1 host' }).click();
    await expect
      .poll(() => dialog.getByRole('status').textContent(), { timeout: 10_000 })
      .toMatch(/^Added lab-spare to .*config\.yaml .*They are connecting now\.$/);
    // it appears in the deployment's host list and connects (the pin Trust wrote covers it: same sshd)
    await expect.poll(() => dotName('lab-spare'), { timeout: 20_000 }).toBe('lab-spare: connected');
    const text = readFileSync(configFile, 'utf8');
    expect(text).toContain('# e2e config: two hosts by ssh_config alias only');
    expect(text).toMatch(/id: lab-spare[\s\S]*sshAlias: lab-spare/);
    expect(text).toMatch(/hosts:\s*\[\s*plain,\s*locked,\s*lab-spare\s*\]/);
    await page.screenshot({ path: join(out, 'ssh-import-done.png') });
  });

  it('Escape closes the import and refuses a changed host key: nothing pinned, focus back where it was', async () => {
    const importDialog = page.getByRole('dialog', { name: 'Import hosts from ~/.ssh/config' });
    await page.keyboard.press('Escape');
    await expect.poll(() => importDialog.count(), { timeout: 5_000 }).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Import hosts from ~/.ssh/config');

    const before = readFileSync(knownHosts, 'utf8');
    await plain.replaceHostKey();
    const dialog = page.getByRole('alertdialog', { name: `Host key CHANGED for [127.0.0.1]:${plain.port}` });
    await dialog.waitFor({ timeout: 30_000 });
    // focus is on Refuse (Enter never accepts a changed key), and Tab cannot leave the dialog
    // the dialog came with an event, not a keypress: its focus effect may run a task after it shows
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: 5_000 }).toBe('Refuse');
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => !!document.activeElement?.closest('[role="alertdialog"]'))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toBe(before);
    await expect.poll(() => dotName('lab-plain'), { timeout: 10_000 }).toMatch(/^lab-plain: (failed|connecting)/);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Import hosts from ~/.ssh/config');
  });

  it('a host refused for its key stays failed with the refusal shown; after ssh-add, Retry connects it', async () => {
    const importDialog = page.getByRole('dialog', { name: 'Import hosts from ~/.ssh/config' });
    if (await importDialog.count()) await importDialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('combobox', { name: 'Deployment', exact: true }).selectOption('agent-lab');
    await page.getByRole('tab', { name: 'Deployment' }).click();
    const refusal = `lab-agent: failed: agent-host (${agented.user}@127.0.0.1:${agented.port}): authentication refused by the server (tried the agent at ${agentSock}): All configured authentication methods failed`;
    await expect.poll(() => dotName('lab-agent'), { timeout: 20_000 }).toBe(refusal);
    const row = page.getByRole('table', { name: 'Hosts' }).getByRole('row', { name: /lab-agent/ });
    expect(await row.getByRole('cell').last().textContent()).toContain('authentication refused by the server (tried the agent at');
    const retry = row.getByRole('button', { name: 'Retry SSH to lab-agent' });
    await page.screenshot({ path: join(out, 'ssh-retry-failed.png') });
    await run('ssh-add', [agented.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: agentSock } });
    await retry.click();
    await expect.poll(() => dotName('lab-agent'), { timeout: 20_000 }).toBe('lab-agent: connected');
    await expect.poll(() => row.getByRole('button', { name: /SSH to lab-agent/ }).count(), { timeout: 10_000 }).toBe(0);
    await page.screenshot({ path: join(out, 'ssh-retry-connected.png') });
  });
});
