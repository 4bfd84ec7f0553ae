// A blind deployment as the engineer sees it, in headless Chromium through the browser shell: its
// host's sshd killed (the port refuses) and its health API a closed port. Nothing it cannot read
// is counted "ok": the window title, the Fleet view's summary and the deployment's header say
// "blind/unknown" and name the unreachable host, and the host is an alert of its own, with the
// link's error, that opens the host to check.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../testbed/sshd';
import { closeConsole, openConsole, type ConsolePage } from './support/console';
import { REPO } from './support/webShell';

const dir = mkdtempSync(join(tmpdir(), `opsdeck-blind-e2e-${process.pid}-`));
let sshd: Sshd;
let opened: ConsolePage | undefined;

beforeAll(async () => {
  sshd = await startSshd();
  await sshd.kill();
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host lab-down',
      '  HostName 127.0.0.1',
      `  User ${sshd.user}`,
      `  Port ${sshd.port}`,
      `  IdentityFile ${sshd.clientKeyPath}`,
      `  UserKnownHostsFile ${sshd.knownHostsPath}`,
      '',
    ].join('\n'),
  );
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    [
      'user: e2e-engineer',
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${join(dir, 'ssh_config')}, knownHostsPolicy: "yes" }`,
      'alerts: { hostUnreachableSeconds: 1 }',
      'hosts:',
      '  - { id: down, label: lab-down, sshAlias: lab-down }',
      'deployments:',
      '  - { id: blind, name: Blind lab, hosts: [down], health: { url: "http://127.0.0.1:9" } }',
      '',
    ].join('\n'),
  );
  opened = await openConsole({
    args: ['--config', configFile],
    env: { XDG_STATE_HOME: join(dir, 'state'), SSH_AUTH_SOCK: '' },
    viewport: { width: 1440, height: 900 },
  });
}, 60_000);

afterAll(async () => {
  await closeConsole(opened);
  await sshd?.stop();
});

describe('a blind deployment', () => {
  it('is counted blind/unknown, never ok, in the title, the fleet summary and its header; its host is an alert', async () => {
    const page = opened!.page;
    await expect.poll(() => page.title(), { timeout: 30_000 }).toBe('◌ 1 blind/unknown — Opsdeck');

    await page.getByRole('tab', { name: 'Fleet' }).click();
    const summary = page.getByRole('region', { name: 'Fleet overview' }).locator('.panel-summary');
    await expect.poll(() => summary.textContent(), { timeout: 20_000 }).toBe('1 deployment: 0 failing, 0 warning, 1 blind/unknown, 0 ok; 1 host unreachable');
    const row = page.getByRole('table', { name: 'Deployments by area' }).getByRole('row', { name: /Blind lab/ });
    expect(await row.textContent()).toContain('unreachable: lab-down');
    await page.screenshot({ path: join(REPO, 'e2e', 'output', 'fleet-blind.png') });

    await page.getByRole('tab', { name: 'Deployment' }).click();
    const header = page.getByRole('status', { name: 'Deployment status' });
    await expect.poll(() => header.textContent(), { timeout: 20_000 }).toBe('◌ 0 failing, 0 warning, 7 blind/unknown, 0 ok; unreachable: lab-down');

    // the host's own alert: its link error, and a link to the host rather than a runbook
    const alert = page.getByRole('table', { name: 'Alert list' }).getByRole('row', { name: 'host lab-down cannot be reached: firing' });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/lab-down cannot be reached: .*(refused|ECONNREFUSED).*\(attempt \d+\)/i);
    await page.screenshot({ path: join(REPO, 'e2e', 'output', 'deployment-blind.png') });
    await alert.getByRole('button', { name: 'Open host lab-down for lab-down cannot be reached' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /lab-down/ }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
  }, 90_000);
});
