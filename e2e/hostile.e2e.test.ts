// A hostile health API end to end: the real simulator (a real HTTP server) serves items named
// like Object.prototype's members, an empty, a 101-character and a bidi name, items whose text
// carries every secret of the corpus, and items named by secrets. The browser shell polls it and
// Chromium shows it: every name is an item (none blanks the page or vanishes), the flood of
// failing breakers folds, and no secret reaches the page, a notification, the alert list, the
// incident export, the audit log or the console's own log. Polled directly (no SSH): the one
// configured host points at a closed port.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSimProcess } from './support/simProcess';
import { freePorts } from '../testbed/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HOSTILE_INVALID_NAMES, HOSTILE_VALID_NAMES } from '../common/hostileNames.fixture';
import { SECRET_CASES } from '../main/core/redact/secretCorpus';
import { launchChromium } from './support/browser';
import { allRows, rowOf } from './support/itemRows';
import { REPO, startWebShell, type WebShell } from './support/webShell';

const out = join(REPO, 'e2e', 'output');
const home = mkdtempSync(join(tmpdir(), 'opsdeck-hostile-'));
const ITEM_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;
/** secrets whose whole token is a valid item name are also served as names */
const NAME_KINDS = new Set([
  'aws access key id',
  'ibkr paper account',
  'stripe live secret key',
  'stripe restricted key',
  'github pat',
  'npm token',
  'gitlab pat',
  'slack bot token',
  'sendgrid key',
  'hugging face token',
]);
const SECRET_NAMES = SECRET_CASES.filter((c) => NAME_KINDS.has(c.kind) && ITEM_NAME.test(c.secret));
let sim: ChildProcess;
let simUrl: string;
let shell: WebShell;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

/** One contract call over the shell's own WebSocket, as the page makes it. */
async function call(name: string, payload: unknown): Promise<unknown> {
  const url = new URL(shell.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const ws = new WebSocket(`ws://${url.host}/ws?token=${encodeURIComponent(token)}`, { headers: { origin: url.origin } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answer = await new Promise<{ result: { ok: boolean; value?: unknown } }>((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.t === 'result') resolve(frame);
    });
    ws.send(JSON.stringify({ t: 'call', id: 1, name, payload }));
  });
  ws.close();
  expect(answer.result.ok).toBe(true);
  return answer.result.value;
}

/** a raw bidi, zero-width or other format character: must reach no pop-up unescaped */
const HIDDEN_CHARACTER = /\p{Cf}/u;
const leakedIn = (text: string): string[] => SECRET_CASES.filter((c) => text.includes(c.secret)).map((c) => `${c.kind}: ${c.secret}`);

beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  const started = await startSimProcess(join(home, 'sim'), 'normal');
  sim = started.child;
  simUrl = started.url;
  const flood = [
    ...[...HOSTILE_VALID_NAMES, ...HOSTILE_INVALID_NAMES].map((name) => ({ name, text: `breaker ${name} tripped \u202Etxt.exe` })),
    ...SECRET_CASES.map((c, i) => ({ name: `leak-${i}`, text: c.text })),
    ...SECRET_NAMES.map((c) => ({ name: c.secret, text: 'named by a secret' })),
  ];
  writeFileSync(join(home, 'known_hosts'), '');
  const config = join(home, 'config.yaml');
  writeFileSync(
    config,
    [
      'user: hostile-e2e',
      `knownHostsFile: ${join(home, 'known_hosts')}`,
      `auditFile: ${join(home, 'audit.jsonl')}`,
      'hosts:',
      `  - { id: no-ssh, address: 127.0.0.1, port: ${(await freePorts(1))[0]}, connectTimeoutSeconds: 2 }`,
      'deployments:',
      `  - { id: hostile, name: Hostile, hosts: [no-ssh], health: { url: "${simUrl}", intervalSeconds: 1 } }`,
      'alerts: { pendingSeconds: 1, notifications: { maxPerHour: 500 } }',
      '',
    ].join('\n'),
  );
  shell = await startWebShell(['--config', config], { XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_STATE_HOME: join(home, 'xdg-state') });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.grantPermissions(['notifications'], { origin: new URL(shell.url).origin });
  await context.addInitScript(() => {
    const Real = window.Notification;
    const shown: Array<{ title: string; body: string; tag: string }> = [];
    (window as unknown as { __shown: typeof shown }).__shown = shown;
    class Recording extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
      }
    }
    window.Notification = Recording as typeof Notification;
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(shell.url);
  // The flood starts once the page listens: a notification is an event of the moment, and one
  // sent before the page connected is never shown (the per-alert limit does not send it again).
  await region('Circuit breakers').getByText('coingecko_api').first().waitFor({ timeout: 30_000 });
  const set = await fetch(`${simUrl}/_sim/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: flood }) });
  expect(set.status).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await shell?.stop();
  sim?.kill();
});

const region = (name: string) => page.getByRole('region', { name, exact: true });

describe('a hostile health API', () => {
  it('shows every hostile name as an item of its own, flags the bad ones, and the page stays up', async () => {
    const breakers = region('Circuit breakers');
    // the flood is well over the rows a panel keeps in the page: its box is scrolled through to read them all
    await expect.poll(async () => [...(await allRows(breakers)).keys()], { timeout: 30_000 }).toContain('__defineGetter__');
    const text = [...(await allRows(breakers)).values()].join('\n');
    for (const name of HOSTILE_VALID_NAMES) expect(text, name).toContain(name);
    expect((text.match(/invalid-name-\d+/g) ?? []).length).toBeGreaterThanOrEqual(HOSTILE_INVALID_NAMES.length);
    // a bidi override in an item's text is shown as an escape, with a warning, never applied
    expect(text).toContain('tripped <U+202E>txt.exe');
    expect(text).not.toContain('\u202E');
    expect(await (await rowOf(breakers, '__proto__')).getByRole('img', { name: /text-reordering \(bidirectional\)/ }).count()).toBeGreaterThan(0);
    // every other panel (queues in Worker queues among them) has each name as an item of its own too
    for (const panel of ['Data freshness', 'Brokers', 'SLA', 'Rate limits', 'Worker queues', 'Security checks']) {
      const names = [...(await allRows(region(panel))).keys()];
      for (const name of HOSTILE_VALID_NAMES) expect(names, `${panel}: ${name}`).toContain(name);
    }
    // and so do the places that quote a row's text: the area strip and the alert strip
    for (const where of [page.getByRole('navigation', { name: 'Areas' }), region('Alerts')]) expect(await where.textContent()).not.toMatch(HIDDEN_CHARACTER);
    expect(await page.getByRole('navigation', { name: 'Areas' }).textContent()).toContain('<U+202E>');
    await page.screenshot({ path: join(out, 'hostile-deployment.png'), timeout: 90_000 });
    expect(pageErrors).toEqual([]);
  });

  it('folds the flood of open breakers into one alert, and no notification carries a secret', async () => {
    const alerts = region('Alerts');
    await expect.poll(() => alerts.textContent(), { timeout: 30_000 }).toMatch(/\d+ items failing/);
    await alerts.screenshot({ path: join(out, 'hostile-alerts.png'), timeout: 90_000 });
    const rows = await alerts.getByRole('row').count();
    expect(rows).toBeLessThan(40);
    // Chromium's own Notification API (permission granted to the shell's origin) was called with these
    const shown = () => page.evaluate(() => (window as unknown as { __shown: Array<{ title: string; body: string; tag: string }> }).__shown);
    await expect.poll(async () => (await shown()).map((n) => n.title).join('\n'), { timeout: 30_000 }).toMatch(/\d+ items failing/);
    const notes = await shown();
    // pop-ups, not one per failing item: the flood of well over a hundred items is a few dozen at most
    const titles = notes.map((n) => n.title).join('\n');
    expect(notes.length, titles).toBeGreaterThan(1);
    expect(notes.length, titles).toBeLessThan(40);
    expect(notes.filter((n) => /items failing/.test(n.title)).length, titles).toBeGreaterThanOrEqual(1);
    expect(leakedIn(JSON.stringify(notes))).toEqual([]);
    const raw = notes.filter((n) => HIDDEN_CHARACTER.test(n.title + n.body));
    expect(raw).toEqual([]);
    // the breakers' text carries a bidi override: the pop-up shows it escaped, with the warning
    const escaped = notes.filter((n) => n.body.includes('tripped <U+202E>txt.exe'));
    expect(escaped.length).toBeGreaterThan(0);
    for (const n of escaped) expect(n.body).toContain('⚠ ');
  });

  it('lets no secret of the corpus reach the page, the alert list, the incident export, the audit log or its own log', async () => {
    const { alerts } = (await call('listAlerts', {})) as { alerts: unknown[] };
    const { markdown } = (await call('exportIncidentTimeline', {})) as { markdown: string };
    expect(markdown).toMatch(/breaker|broker/);
    // the alerts of items named like Object.prototype's members are in the export, each by its name
    for (const name of ['__proto__', 'constructor', 'toString', 'then']) expect(markdown, name).toContain(`on \`${name}\``);
    const pageText = (await page.locator('body').innerText()) + (await page.content());
    // the panels keep only the rows in view in the document: every row, scrolled through, as read
    const breakers = await allRows(region('Circuit breakers'));
    const brokers = await allRows(region('Brokers'));
    for (let i = 0; i < SECRET_CASES.length; i++) expect([breakers.has(`leak-${i}`), brokers.has(`leak-${i}`)], `leak-${i}`).toEqual([true, true]);
    const rows = [...breakers.values(), ...brokers.values()].join('\n');
    const audit = existsSync(join(home, 'audit.jsonl')) ? readFileSync(join(home, 'audit.jsonl'), 'utf8') : '';
    expect({
      page: leakedIn(pageText),
      rows: leakedIn(rows),
      alerts: leakedIn(JSON.stringify(alerts)),
      incident: leakedIn(markdown),
      audit: leakedIn(audit),
      log: leakedIn(shell.output()),
    }).toEqual({ page: [], rows: [], alerts: [], incident: [], audit: [], log: [] });
    expect(pageErrors).toEqual([]);
  });
});
