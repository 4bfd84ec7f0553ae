// A frozen link as the engineer sees it, in headless Chromium through the browser shell against
// a real loopback sshd: its per-connection sshd SIGSTOPped, the host's dot and Hosts row say
// "unresponsive" (red square, the word) within seconds instead of "connected", Reconnect is
// offered, and the host is connected again when the session answers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, startSshd, type Sshd } from '../testbed/sshd';
import { launchChromium } from './support/browser';
import { startSshLabShell } from './support/sshLab';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-liveness-e2e-'));
let sshd: Sshd;
let shell: WebShell;
let browser: Browser;
let page: Page;
let frozen: number[] = [];

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone
    }
  }
}

beforeAll(async () => {
  sshd = await startSshd();
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host lab-frozen',
      '  HostName 127.0.0.1',
      `  User ${sshd.user}`,
      `  Port ${sshd.port}`,
      `  IdentityFile ${sshd.clientKeyPath}`,
      `  UserKnownHostsFile ${sshd.knownHostsPath}`,
      '',
    ].join('\n'),
  );
  shell = await startSshLabShell(dir, { user: 'e2e-engineer', hosts: { frozen: 'lab-frozen' }, deployments: { lab: ['Liveness lab', ['frozen']] } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(shell.url);
}, 60_000);

afterAll(async () => {
  signal(frozen, 'SIGCONT');
  await browser?.close();
  await shell?.stop();
  await sshd?.stop();
});

const dotName = async () =>
  (await page
    .getByRole('list', { name: 'Host connections' })
    .getByRole('listitem', { name: /^lab-frozen: / })
    .getAttribute('aria-label')) ?? '';

describe('a frozen SSH session', () => {
  it('is shown unresponsive, not connected, within 10 s; Reconnect is offered; connected again once it answers', async () => {
    await page.getByRole('tab', { name: 'Deployment' }).click();
    await expect.poll(dotName, { timeout: 20_000 }).toBe('lab-frozen: connected');
    frozen = await descendants(sshd.pid);
    expect(frozen.length).toBeGreaterThan(0);
    signal(frozen, 'SIGSTOP');
    const frozenAt = Date.now();
    await expect.poll(dotName, { timeout: 15_000, interval: 100 }).toMatch(/^lab-frozen: unresponsive: no answer for \d+ s$/);
    // noticed by main and drawn within 10 s (the UI batches state every 250 ms)
    expect(Date.now() - frozenAt).toBeLessThan(10_500);
    const dot = page.getByRole('list', { name: 'Host connections' }).getByRole('listitem', { name: /^lab-frozen: / });
    expect(await dot.textContent()).toContain('■');
    const row = page.getByRole('table', { name: 'Hosts' }).getByRole('row', { name: /lab-frozen/ });
    await expect.poll(() => row.getByRole('button', { name: 'Reconnect SSH to lab-frozen' }).count(), { timeout: 5000 }).toBe(1);
    await page.screenshot({ path: join(out, 'ssh-unresponsive.png') });
    signal(frozen, 'SIGCONT');
    await expect.poll(dotName, { timeout: 15_000 }).toBe('lab-frozen: connected');
  }, 60_000);
});
