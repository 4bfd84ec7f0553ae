// View switches in Chromium with 500 items on every endpoint, against the comparator measured in
// the same run: the same switches with 10 items per endpoint. Each side is the real browser
// shell polling its own simulator (a real HTTP server) whose 8 endpoints carry the extra items
// (POST /_sim/items: breakers open and brokers in error, so the alerts flood and fold as they
// would). Rounds alternate between the two so a busy machine slows both alike.
//   npx electron-vite build && node sim/build.mjs
//   node bench/run.mjs view-switch [--rounds 5] [--items 500]
// A switch is timed in the page from the tab's click to the first frame after the new view is
// in the document (a requestAnimationFrame, then a task: layout and paint included).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser';
import { startWebShell, type WebShell } from '../e2e/support/webShell';
import { numberArg, percentile, recordResult, startSimulator } from './support';

const ROUNDS = numberArg('rounds', 5);
const ITEMS = numberArg('items', 500);
const FEW = 10;
/** items each endpoint of the simulator has of its own (at most) */
const SIM_OWN_ITEMS = 4;
/** the tabs, in the order an engineer on call goes through them */
const VIEWS = ['Fleet', 'Deployment', 'Hosts', 'Runbooks', 'Audit', 'Actions'] as const;
type View = (typeof VIEWS)[number];

interface Side {
  readonly name: string;
  readonly shell: WebShell;
  readonly page: Page;
  readonly times: Map<View, number[]>;
  stop(): Promise<void>;
}

async function startSide(browser: Browser, name: string, items: number): Promise<Side> {
  const home = mkdtempSync(join(tmpdir(), `opsdeck-bench-views-${items}-`));
  const sim = await startSimulator();
  // the simulator's endpoints have 3 or 4 items of their own, and the health API allows 500
  const extra = Array.from({ length: items - SIM_OWN_ITEMS }, (_, i) => ({ name: `item-${String(i).padStart(3, '0')}`, text: `failing ${i}` }));
  const set = await fetch(`${sim.url}/_sim/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: extra }) });
  if (set.status !== 200) throw new Error(`the simulator refused the items: ${set.status} ${await set.text()}`);
  const config = join(home, 'config.yaml');
  writeFileSync(
    config,
    [
      'user: bench',
      `knownHostsFile: ${join(home, 'known_hosts')}`,
      `auditFile: ${join(home, 'audit.jsonl')}`,
      'hosts:',
      // no SSH: the health API is polled directly; the host's connection simply fails
      '  - { id: bench-host, address: 127.0.0.1, port: 9, connectTimeoutSeconds: 2 }',
      'deployments:',
      `  - { id: bench, name: Bench, hosts: [bench-host], health: { url: "${sim.url}", intervalSeconds: 2 } }`,
      'alerts: { pendingSeconds: 1 }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(home, 'known_hosts'), '');
  const shell = await startWebShell(['--config', config], { XDG_CONFIG_HOME: join(home, 'xdg-config'), XDG_STATE_HOME: join(home, 'xdg-state') });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(shell.url);
  // every endpoint has its items and the alerts have fired before anything is timed
  const ready = page.getByRole('region', { name: 'Circuit breakers', exact: true }).getByText('item-000').first();
  await ready.waitFor({ state: 'attached', timeout: 120_000 }).catch(async (error: unknown) => {
    await page.screenshot({ path: join(home, 'not-ready.png') });
    throw new Error(`${name}: no item-000 in the Circuit breakers panel (screenshot ${join(home, 'not-ready.png')})`, { cause: error });
  });
  // past the pending period: the alerts have fired (and, with many items, folded)
  await page.waitForTimeout(6_000);
  return {
    name,
    shell,
    page,
    times: new Map(VIEWS.map((v) => [v, []])),
    async stop() {
      // a crashed page must not hide the error that ended the run
      await context.close().catch(() => undefined);
      await shell.stop();
      sim.process.kill();
    },
  };
}

/** One switch to `view`, timed in the page. */
async function switchTo(page: Page, view: View): Promise<number> {
  return page.evaluate(async (label) => {
    const tabs = Array.from(document.querySelectorAll<HTMLElement>('[role="tablist"][aria-label="Views"] [role="tab"]'));
    const tab = tabs.find((t) => t.textContent === label);
    if (!tab) throw new Error(`no tab named ${label}`);
    const start = performance.now();
    tab.click();
    const id = tab.getAttribute('aria-controls');
    // a view loaded on demand appears a little later: wait for it, a frame at a time
    for (let i = 0; i < 600 && !(id && document.getElementById(id)?.childElementCount); i++) await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - start;
  }, view);
}

const browser = await launchChromium();
const many = await startSide(browser, `${ITEMS} items per endpoint`, ITEMS);
const few = await startSide(browser, `comparator: ${FEW} items per endpoint`, FEW);
try {
  // one warm-up round each: views loaded on demand, first renders
  for (const side of [many, few]) for (const view of VIEWS) await switchTo(side.page, view);
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? [many, few] : [few, many]) {
      for (const view of VIEWS) side.times.get(view)!.push(await switchTo(side.page, view));
    }
  }
  const med = (side: Side, view: View) => percentile(side.times.get(view)!, 50);
  const worst = (side: Side, view: View) => Math.max(...side.times.get(view)!);
  console.log(`view switches in Chromium, 8 endpoints, ${ROUNDS} rounds alternating: median (max) ms from click to the next frame`);
  console.log(`${'view'.padEnd(12)} ${many.name.padStart(26)} ${few.name.padStart(34)} ${'ratio'.padStart(7)}`);
  for (const view of VIEWS) {
    console.log(
      `${view.padEnd(12)} ${`${med(many, view).toFixed(0)} (${worst(many, view).toFixed(0)})`.padStart(26)} ${`${med(few, view).toFixed(0)} (${worst(few, view).toFixed(0)})`.padStart(34)} ${(med(many, view) / med(few, view)).toFixed(2).padStart(7)}`,
    );
  }
  // the views that scaled with items: within about 2x of the few-item switch, and under 1 s
  const TARGETED: readonly View[] = ['Deployment', 'Hosts'];
  const target = (view: View) => {
    const ratio = med(many, view) / med(few, view);
    return `x <= 2 and < 1000 ms: ${ratio <= 2 && med(many, view) < 1000 ? 'met' : 'not met'}`;
  };
  recordResult(
    'view-switch',
    {
      question: `How long does a view switch take in Chromium with ${ITEMS} items on each of the 8 endpoints (the alert flood folded)?`,
      comparator: `the same switches with ${FEW} items per endpoint, same run, rounds alternating`,
    },
    VIEWS.map((view) => ({
      figure: `switch to ${view}`,
      value: `${med(many, view).toFixed(0)} ms`,
      against: `${med(few, view).toFixed(0)} ms with ${FEW} items (x${(med(many, view) / med(few, view)).toFixed(2)})`,
      ...(TARGETED.includes(view) ? { target: target(view) } : {}),
    })),
  );
} finally {
  await many.stop();
  await few.stop();
  await browser.close();
}
