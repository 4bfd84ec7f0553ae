// Page load to first data in Chromium, and the renderer's bytes on the wire, for the renderer as
// it ships (minified, split, precompressed, cached) against the comparator measured in the same
// run: the same code built as one unminified script (OPSDECK_PLAIN_RENDERER=1) and served
// without compression. Both are served by the real browser shell on the demo fleet; rounds
// alternate so a busy machine slows both alike.
//   npm run build && OPSDECK_PLAIN_RENDERER=1 npx electron-vite build
//   node bench/run.mjs renderer-load [--rounds 5] [--before DIR]
// --before DIR: also load an earlier build of the renderer (its out/renderer, built from an
// earlier commit) from the same server, in the same rounds: the change between two builds,
// measured under the same load. An earlier page ignores the state the server now sends first
// (an event its contract does not name) and asks for it as it always did.
// Every time is from navigation start, taken in the page, so it is where the time goes:
//   page       the HTML has arrived
//   scripts    the last script of the first screen has arrived
//   script run DOMContentLoaded: the module scripts have been evaluated
//   socket     the app's client has the open WebSocket (the page's 'opsdeck:connected' mark;
//              the socket itself is opened before the app's code runs, renderer/src/boot.ts)
//   snapshot   the app has the fleet and the health snapshot (the page's 'opsdeck:snapshot' mark)
//   rendered   a row of the Circuit breakers panel is in the document (a MutationObserver this
//              bench installs, not the page's code)
//   first data that row, and a frame painted after it
// Three ways to load: the first load after the console starts (one each; the server has sent
// nothing yet), fresh loads (a new browser context each: nothing cached), and a reload in the
// same context (the browser's cache: hashed assets are immutable, index.html is fetched again).
// Bytes: Chromium's encoded bytes for every response of the first screen, until a chart is drawn
// and the network is then idle (CDP); the socket excluded.
import { existsSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser';
import { REPO, startWebShell, type WebShell } from '../e2e/support/webShell';
import { numberArg, percentile, recordResult } from './support';

const ROUNDS = numberArg('rounds', 5);
const beforeAt = process.argv.indexOf('--before');
const beforeRoot = beforeAt > 0 ? process.argv[beforeAt + 1]! : null;
if (beforeRoot !== null && !existsSync(join(beforeRoot, 'index.html'))) throw new Error(`--before ${beforeRoot}: no index.html there`);
const plainRoot = join(REPO, 'out', 'renderer-plain');
if (!existsSync(plainRoot)) throw new Error(`${plainRoot} is missing: run OPSDECK_PLAIN_RENDERER=1 npx electron-vite build first`);
if (!existsSync(join(REPO, 'out', 'renderer', 'index.html'))) throw new Error('out/renderer is missing: run `npm run build` first');

/** Installed before the page's own scripts: marks when the first panel row is in the document, then painted. */
const FIRST_DATA_PROBE = `(() => {
  const seen = () => /coingecko_api/.test(document.querySelector('[aria-label="Circuit breakers"] tbody')?.textContent ?? '');
  const observer = new MutationObserver(() => {
    if (!seen()) return;
    observer.disconnect();
    performance.mark('bench:first-data-in-document');
    requestAnimationFrame(() => setTimeout(() => performance.mark('bench:first-data-painted'), 0));
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
})();`;

const STAGES = ['page', 'scripts', 'scriptRun', 'socket', 'snapshot', 'inDocument', 'firstData'] as const;
type Stage = (typeof STAGES)[number];
type Load = Record<Stage, number> & { bytes: number; decodedBytes: number; requests: number };

async function measured(context: BrowserContext, page: Page, compressed: boolean, go: () => Promise<unknown>): Promise<Load> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // the comparator's server did not compress: ask for none, as a browser would get then
  if (!compressed) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  const http = new Set<string>();
  let bytes = 0;
  let decodedBytes = 0;
  let requests = 0;
  cdp.on('Network.responseReceived', (e: { requestId: string; type: string }) => {
    if (e.type !== 'WebSocket') http.add(e.requestId);
  });
  cdp.on('Network.dataReceived', (e: { requestId: string; dataLength: number }) => {
    if (http.has(e.requestId)) decodedBytes += e.dataLength;
  });
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    if (!http.has(e.requestId)) return;
    bytes += e.encodedDataLength;
    requests++;
  });
  await go();
  await page.waitForFunction(() => performance.getEntriesByName('bench:first-data-painted').length > 0, null, { timeout: 60_000, polling: 50 });
  // the bytes of the whole first screen, the charts' chunk it loads after the first data included:
  // networkidle alone came before that chunk was asked for in some loads and not in others
  await page.waitForFunction(() => document.querySelector('.recharts-surface') !== null, null, { timeout: 60_000, polling: 100 });
  await page.waitForLoadState('networkidle');
  // a string, not a function: tsx would wrap the function's inner closures in a helper the page lacks
  const times = await page.evaluate<Record<Stage, number>>(`(() => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const nav = performance.getEntriesByType('navigation')[0];
    const scripts = performance
      .getEntriesByType('resource')
      .filter((r) => r.name.endsWith('.js') && r.startTime < nav.domContentLoadedEventEnd)
      .map((r) => r.responseEnd);
    return {
      page: nav.responseEnd,
      scripts: Math.max(nav.responseEnd, ...scripts),
      scriptRun: nav.domContentLoadedEventEnd,
      socket: mark('opsdeck:connected'),
      snapshot: mark('opsdeck:snapshot'),
      inDocument: mark('bench:first-data-in-document'),
      firstData: mark('bench:first-data-painted'),
    };
  })()`);
  await cdp.detach();
  return { ...times, bytes, decodedBytes, requests };
}

/** A fresh browser context (nothing cached), then a reload in it (the browser's cache). */
async function loadTwice(browser: Browser, shell: WebShell, compressed: boolean): Promise<{ fresh: Load; reload: Load }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript({ content: FIRST_DATA_PROBE });
  const page = await context.newPage();
  try {
    const fresh = await measured(context, page, compressed, () => page.goto(shell.url));
    // the token went from the URL to sessionStorage; a reload reconnects with it
    const reload = await measured(context, page, compressed, () => page.reload());
    return { fresh, reload };
  } finally {
    await context.close();
  }
}

const home = mkdtempSync(join(tmpdir(), 'opsdeck-bench-load-'));
const env = { XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), OPSDECK_CONFIG: '' };
const browser = await launchChromium();
const shipped = await startWebShell([], env);
const plain = await startWebShell(['--static', plainRoot], { ...env, XDG_STATE_HOME: join(home, 'state-plain') });
const before = beforeRoot === null ? null : await startWebShell(['--static', beforeRoot], { ...env, XDG_STATE_HOME: join(home, 'state-before') });
try {
  // the first load after each console starts: its server has sent nothing yet
  const first = { shipped: (await loadTwice(browser, shipped, true)).fresh, plain: (await loadTwice(browser, plain, false)).fresh };
  const runs: Record<'shipped' | 'plain' | 'before', { fresh: Load[]; reload: Load[] }> = {
    shipped: { fresh: [], reload: [] },
    plain: { fresh: [], reload: [] },
    before: { fresh: [], reload: [] },
  };
  const variants = [['shipped', shipped, true] as const, ['plain', plain, false] as const, ...(before ? [['before', before, true] as const] : [])];
  for (let i = 0; i < ROUNDS; i++) {
    for (const [name, shell, compressed] of variants) {
      const { fresh, reload } = await loadTwice(browser, shell, compressed);
      runs[name].fresh.push(fresh);
      runs[name].reload.push(reload);
    }
  }
  const median = (xs: Load[], key: keyof Load) =>
    percentile(
      xs.map((x) => x[key]),
      50,
    );
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const header = ['page', 'scripts', 'script run', 'socket', 'snapshot', 'rendered', 'first data'];
  const row = (name: string, xs: Load[]) =>
    `${name.padEnd(34)}${STAGES.map((s) => ms(median(xs, s)).padStart(11)).join('')}${kib(median(xs, 'bytes')).padStart(12)}${kib(median(xs, 'decodedBytes')).padStart(11)}${String(median(xs, 'requests')).padStart(6)}`;
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
  console.log(`renderer load on the demo fleet: times from navigation start, in the page; load average now ${load}`);
  console.log(
    `${''.padEnd(34)}${header
      .slice(0, STAGES.length)
      .map((h) => h.padStart(11))
      .join('')}${'on the wire'.padStart(12)}${'decoded'.padStart(11)}${'reqs'.padStart(6)}`,
  );
  console.log(row('comparator, first load after start', [first.plain]));
  console.log(row('shipped, first load after start', [first.shipped]));
  console.log(row(`comparator, fresh (median of ${ROUNDS})`, runs.plain.fresh));
  console.log(row(`shipped, fresh (median of ${ROUNDS})`, runs.shipped.fresh));
  console.log(row(`comparator, reload (median of ${ROUNDS})`, runs.plain.reload));
  console.log(row(`shipped, reload (median of ${ROUNDS})`, runs.shipped.reload));
  if (before) {
    console.log(row(`--before build, fresh (median of ${ROUNDS})`, runs.before.fresh));
    console.log(row(`--before build, reload (median of ${ROUNDS})`, runs.before.reload));
  }
  const ratio = (key: keyof Load) => (median(runs.shipped.fresh, key) / median(runs.plain.fresh, key)).toFixed(3);
  console.log(`ratio shipped/comparator, fresh: first data ${ratio('firstData')}, bytes on the wire ${ratio('bytes')}, script run ${ratio('scriptRun')}`);
  const firstData = median(runs.shipped.fresh, 'firstData');
  recordResult(
    'renderer-load',
    {
      question: 'How many bytes does the page cost on the wire, and how long from page load to the first panel data, on the demo fleet?',
      comparator: 'the same renderer built as one unminified script served uncompressed, same run',
    },
    [
      {
        figure: 'bytes on the wire, fresh load (shipped: minified, split, brotli)',
        value: kib(median(runs.shipped.fresh, 'bytes')),
        against: `${kib(median(runs.plain.fresh, 'bytes'))} unminified and uncompressed (x${ratio('bytes')})`,
      },
      {
        figure: 'bytes on the wire, reload (hashed assets from the browser cache)',
        value: kib(median(runs.shipped.reload, 'bytes')),
        against: kib(median(runs.plain.reload, 'bytes')),
      },
      {
        figure: 'page load to first panel data, fresh load',
        value: ms(firstData),
        against: ms(median(runs.plain.fresh, 'firstData')),
        target: `< 1000 ms: ${firstData < 1000 ? 'met' : 'not met'}`,
      },
      { figure: 'page load to first panel data, first load after start', value: ms(first.shipped.firstData), against: ms(first.plain.firstData) },
      {
        figure: 'where the time goes, shipped fresh (page / scripts / script run / socket / snapshot / rendered / first data)',
        value: STAGES.map((s) => median(runs.shipped.fresh, s).toFixed(0)).join(' / ') + ' ms',
        against: STAGES.map((s) => median(runs.plain.fresh, s).toFixed(0)).join(' / ') + ' ms',
      },
      ...(before
        ? [
            {
              figure: 'page load to first panel data, fresh load, against the --before build',
              value: ms(firstData),
              against: `${ms(median(runs.before.fresh, 'firstData'))} (x${(firstData / median(runs.before.fresh, 'firstData')).toFixed(3)})`,
            },
            {
              figure: 'where the time goes, shipped fresh against the --before build',
              value: STAGES.map((s) => median(runs.shipped.fresh, s).toFixed(0)).join(' / ') + ' ms',
              against: STAGES.map((s) => median(runs.before.fresh, s).toFixed(0)).join(' / ') + ' ms',
            },
            {
              figure: 'page load to first panel data, reload, against the --before build',
              value: ms(median(runs.shipped.reload, 'firstData')),
              against: ms(median(runs.before.reload, 'firstData')),
            },
          ]
        : []),
    ],
    [
      `${ROUNDS} rounds alternating, medians; first load after start: one each`,
      ...(before ? [`--before: ${beforeRoot}, served by the same build of the server`] : []),
    ],
  );
} finally {
  await browser.close();
  await shipped.stop();
  await plain.stop();
  await before?.stop();
}
