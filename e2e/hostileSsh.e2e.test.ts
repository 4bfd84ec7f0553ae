// Hostile names that come over SSH from a real host, end to end: one systemd-nspawn host reached
// through ssh_config Host aliases named like Object.prototype's members (resolved by OpenSSH's
// own `ssh -G`), systemd units on it named `__proto__.service`, `constructor.service`, … that
// systemd itself runs, fails or does not know, Redis keys on it named the same way, and the
// host's health API serving queues with those names through the SSH forward. Chromium shows each
// as a row of its own, a bidi override as an escape, and the page never blanks or throws.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_VALID_NAMES } from '../common/hostileNames.fixture';
import { startFleet, type Fleet } from '../testbed/fleet';
import { closeConsole, openConsole } from './support/console';
import { REPO, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const dir = mkdtempSync(join(tmpdir(), 'opsdeck-hostile-ssh-'));
const LONG = 'x'.repeat(100);
/** ssh_config Host aliases (and host labels) a hostile or careless ssh_config may carry */
const ALIASES = ['__proto__', 'constructor', 'toString', 'then', LONG] as const;
const BIDI_LABEL = 'evil\u202Egnp.exe';
/** systemd unit names: running, failed, stopped, not installed, 100 characters long */
const UNITS = {
  running: ['__proto__.service', 'toString.service', `${'x'.repeat(92)}.service`],
  failed: ['constructor.service'],
  stopped: ['then.service'],
  missing: ['hasOwnProperty.service'],
} as const;
const ALL_UNITS = [...UNITS.running, ...UNITS.failed, ...UNITS.stopped, ...UNITS.missing];
/** Redis keys and their lengths: the catalog's worker:* queues named by the corpus */
const QUEUES: ReadonlyArray<readonly [string, number]> = [
  ['worker:__proto__:queue', 3],
  ['worker:constructor:queue', 2],
  ['worker:toString:queue', 1],
  ['worker:then', 4],
  [`worker:${LONG}`, 5],
  [`worker:${BIDI_LABEL}`, 6],
];
let fleet: Fleet;
let shell: WebShell;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const inside = async (command: string | readonly string[]) => {
  const r = await fleet.exec(fleet.hosts[0]!.name, command);
  if (r.code !== 0) throw new Error(`${String(command)}: ${r.stderr}`);
  return r.stdout.trim();
};

beforeAll(async () => {
  fleet = await startFleet({ name: `e2ehs${process.pid % 100000}`, hosts: 1 });
  const host = fleet.hosts[0]!;
  const unitFile = (exec: string, type = 'simple') => `[Unit]\nDescription=hostile name\n[Service]\nType=${type}\nExecStart=${exec}\n`;
  const files: Array<[string, string]> = [
    ...UNITS.running.map((u): [string, string] => [u, unitFile('/bin/sleep infinity')]),
    ...UNITS.failed.map((u): [string, string] => [u, unitFile('/bin/false', 'oneshot')]),
    ...UNITS.stopped.map((u): [string, string] => [u, unitFile('/bin/sleep infinity')]),
  ];
  for (const [unit, text] of files) await inside(['sh', '-c', 'printf "%s" "$2" > "/etc/systemd/system/$1"', 'sh', unit, text]);
  await inside(['systemctl', 'daemon-reload']);
  // Six host entries reach this one sshd over one shared connection, at OpenSSH's default
  // MaxSessions (10): the sessions beyond it wait in line for one to end, none is refused.
  await inside(['systemctl', 'start', '--', ...UNITS.running]);
  // a oneshot that exits 1: systemctl start reports it, and systemd lists the unit as failed
  await fleet.exec(host.name, ['systemctl', 'start', '--', ...UNITS.failed]);
  for (const [key, length] of QUEUES) await inside(['redis-cli', 'RPUSH', key, ...Array.from({ length }, (_, i) => `job-${i}`)]);
  // the host's own health API serves queues (and every other endpoint's items) with these names
  const set = await fetch(`${host.healthUrl}/_sim/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: HOSTILE_VALID_NAMES.map((name) => ({ name })) }),
  });
  expect(set.status).toBe(200);

  writeFileSync(
    join(dir, 'ssh_config'),
    [
      `Host ${ALIASES.join(' ')}`,
      `  HostName ${host.address}`,
      `  Port ${host.sshPort}`,
      '  User root',
      `  IdentityFile ${fleet.privateKeyPath}`,
      `  UserKnownHostsFile ${fleet.knownHostsPath}`,
      '',
    ].join('\n'),
  );
  const ids = ALIASES.map((_, i) => `h${i + 1}`);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'user: hostile-ssh-e2e',
      `knownHostsFile: ${fleet.knownHostsPath}`,
      `auditFile: ${join(dir, 'audit.jsonl')}`,
      `ssh: { configFile: ${join(dir, 'ssh_config')}, knownHostsPolicy: "yes" }`,
      'hosts:',
      ...ALIASES.map((alias, i) => `  - { id: ${ids[i]}, label: ${JSON.stringify(alias)}, sshAlias: ${JSON.stringify(alias)} }`),
      // a label is the engineer's own text, but may be pasted from anywhere
      `  - { id: h-bidi, label: ${JSON.stringify(BIDI_LABEL)}, address: ${host.address}, port: ${host.sshPort}, user: root, identityFile: ${fleet.privateKeyPath} }`,
      'deployments:',
      '  - id: prod',
      '    name: Hostile fleet',
      `    hosts: [${[...ids, 'h-bidi'].join(', ')}]`,
      '    health: { url: "http://127.0.0.1:8000", via: h1, intervalSeconds: 2 }',
      `hostView: { refreshSeconds: 2, units: [${ALL_UNITS.map((u) => JSON.stringify(u)).join(', ')}] }`,
      '',
    ].join('\n'),
  );
  ({ shell, browser, page } = await openConsole({ args: ['--config', config], env: { XDG_STATE_HOME: dir }, viewport: { width: 1600, height: 1000 } }));
  page.on('pageerror', (error) => pageErrors.push(String(error)));
}, 240_000);

afterAll(() => closeConsole({ shell, browser }, fleet));

describe('hostile names from a real host over SSH', () => {
  it('lists every ssh_config alias as a host of its own in the Hosts view, the bidi label escaped', async () => {
    await page.getByRole('tab', { name: 'Hosts' }).click();
    const table = page.getByRole('table', { name: 'Hosts by trouble' });
    // each alias reached the host: OpenSSH resolved it, the facts came back
    for (const alias of ALIASES) {
      const row = table.getByRole('row').filter({ has: page.getByRole('button', { name: `Show host ${alias}`, exact: true }) });
      // the load sparkline has a latest value only once the host's facts came back over SSH
      // (the Why column names load only when it is high, which depends on the machine)
      await expect.poll(() => row.getByRole('img', { name: /load: latest [\d.]+$/ }).count(), { timeout: 30_000 }).toBe(1);
    }
    expect(await table.getByRole('row').count()).toBe(ALIASES.length + 2);
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('evil<U+202E>gnp.exe');
    expect(text).not.toContain('\u202E');
    await page.screenshot({ path: join(out, 'hostile-ssh-hosts.png') });
    expect(pageErrors).toEqual([]);
  });

  it("shows each unit named by the corpus as its own row with systemd's own state", async () => {
    await page.getByRole('button', { name: 'Show host __proto__', exact: true }).click();
    const units = page.getByRole('region', { name: 'Host __proto__' }).getByRole('table', { name: 'Units' });
    await expect.poll(() => units.getByRole('row').count(), { timeout: 20_000 }).toBe(ALL_UNITS.length + 1);
    const active = async (unit: string) => (await inside(['systemctl', 'show', '-p', 'ActiveState', '--value', '--', unit])) || 'unknown';
    for (const unit of ALL_UNITS) {
      const label = await units.getByRole('row', { name: new RegExp(`^${unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `) }).getAttribute('aria-label');
      expect(label, unit).toBe(`${unit}: ${UNITS.running.includes(unit as never) ? 'ok' : 'failing'}, ${await active(unit)}`);
    }
    expect(await page.getByLabel('Failed units').first().textContent()).toContain('constructor.service');
    await page.screenshot({ path: join(out, 'hostile-ssh-units.png') });
    expect(pageErrors).toEqual([]);
  });

  it('lists each Redis key named by the corpus on its own line with its length, the bidi key escaped', async () => {
    await page.getByRole('tab', { name: 'Actions' }).click();
    await page
      .getByRole('navigation', { name: 'Action catalog' })
      .getByRole('button', { name: /^List worker queues/ })
      .click();
    const form = page.getByRole('form', { name: 'Run List worker queues and their lengths' });
    await form.getByRole('button', { name: /^Preview/ }).click();
    await page
      .getByRole('dialog', { name: /^Preview: / })
      .getByRole('button', { name: 'Confirm' })
      .click();
    const run = page.getByRole('dialog', { name: /^Run: / });
    await expect.poll(() => run.getByRole('status', { name: '__proto__ status' }).textContent(), { timeout: 30_000 }).toMatch(/succeeded, exit 0/);
    const lines = await run.getByRole('log', { name: 'Output from __proto__' }).locator('.vout-line').allTextContents();
    const shown = lines.map((l) => l.replace(/\n$/, ''));
    for (const [key, length] of QUEUES) {
      const visible = key.replace('\u202E', '<U+202E>');
      expect(shown.filter((l) => l.startsWith(`${visible} ${length}`)).length, key).toBe(1);
    }
    expect(shown.join('\n')).not.toContain('\u202E');
    await page.screenshot({ path: join(out, 'hostile-ssh-queues.png') });
    await run.getByRole('button', { name: 'Close' }).click();
    expect(pageErrors).toEqual([]);
  });

  it("shows the host's health API queues named by the corpus, through the SSH forward, one row each", async () => {
    await page
      .getByRole('tab', { name: /^Deployment/ })
      .first()
      .click();
    const workers = page.getByRole('region', { name: 'Worker queues', exact: true });
    await expect.poll(() => workers.textContent(), { timeout: 30_000 }).toContain('__defineGetter__');
    const rows = await workers.getByRole('rowheader').allTextContents();
    for (const name of HOSTILE_VALID_NAMES) expect(rows.filter((r) => r.startsWith(name)).length, name).toBeGreaterThanOrEqual(1);
    expect(pageErrors).toEqual([]);
  });
});
