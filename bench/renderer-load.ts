// Page load to first data in Chromium, and the renderer's bytes on the wire, for the renderer as
// it ships (minified, split, compressed, cached) against the comparator measured in the same
// run: the same code built as one unminified script (OPSDECK_PLAIN_RENDERER=1) and served
// without compression. Both are served by the real browser shell on the demo fleet; rounds
// alternate so a busy machine slows both alike.
//   npm run build && OPSDECK_PLAIN_RENDERER=1 npx electron-vite build
//   npx tsx bench/renderer-load.ts [--rounds 5]
// "first data": a row in the Circuit breakers panel, measured in the page from navigation start
// (performance.now()). Bytes: Chromium's encoded bytes for every response of the load (CDP).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser';
import { REPO, startWebShell, type WebShell } from '../e2e/support/webShell';
import { numberArg, percentile, recordResult } from './support';

const ROUNDS = numberArg('rounds', 5);
const plainRoot = join(REPO, 'out', 'renderer-plain');
if (!existsSync(plainRoot)) throw new Error(`${plainRoot} is missing: run OPSDECK_PLAIN_RENDERER=1 npx electron-vite build first`);

interface Load {
  /** the page's script has run (DOMContentLoaded): what the renderer's size costs */
  scriptMs: number;
  firstDataMs: number;
  bytes: number;
  requests: number;
}

async function load(browser: Browser, shell: WebShell, compressed: boolean): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // the comparator's server did not compress: ask for none, as a browser would get then
  if (!compressed) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'identity' } });
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    bytes += e.encodedDataLength;
    requests++;
  });
  await page.goto(shell.url);
  await page
    .getByRole('region', { name: 'Circuit breakers' })
    .getByRole('row', { name: /coingecko_api/ })
    .waitFor({ timeout: 60_000 });
  const firstDataMs = await page.evaluate(() => performance.now());
  const scriptMs = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).domContentLoadedEventEnd);
  await context.close();
  return { scriptMs, firstDataMs, bytes, requests };
}

const home = mkdtempSync(join(tmpdir(), 'opsdeck-bench-load-'));
const env = { XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), OPSDECK_CONFIG: '' };
const shipped = await startWebShell([], env);
const plain = await startWebShell(['--static', plainRoot], { ...env, XDG_STATE_HOME: join(home, 'state-plain') });
const browser = await launchChromium();
try {
  // one warm-up each: the demo fleet's first poll and the server's first compression
  await load(browser, shipped, true);
  await load(browser, plain, false);
  const results: Record<'shipped' | 'plain', Load[]> = { shipped: [], plain: [] };
  for (let i = 0; i < ROUNDS; i++) {
    results.shipped.push(await load(browser, shipped, true));
    results.plain.push(await load(browser, plain, false));
  }
  const median = (xs: Load[], key: keyof Load) =>
    percentile(
      xs.map((x) => x[key]),
      50,
    );
  const row = (name: string, xs: Load[]) =>
    `${name.padEnd(46)} ${median(xs, 'scriptMs').toFixed(0).padStart(8)} ms ${median(xs, 'firstDataMs').toFixed(0).padStart(8)} ms ${(median(xs, 'bytes') / 1024).toFixed(0).padStart(8)} KiB ${String(median(xs, 'requests')).padStart(5)}`;
  console.log(`renderer load on the demo fleet, ${ROUNDS} rounds alternating, medians (fresh browser context each: nothing cached)`);
  console.log(`${''.padEnd(46)} ${'script run'.padStart(11)} ${'first data'.padStart(11)} ${'on the wire'.padStart(12)} ${'reqs'.padStart(5)}`);
  console.log(row('comparator: one unminified script, uncompressed', results.plain));
  console.log(row('shipped: minified, split, brotli', results.shipped));
  console.log(
    `ratio shipped/comparator: script run ${(median(results.shipped, 'scriptMs') / median(results.plain, 'scriptMs')).toFixed(2)}, first data ${(median(results.shipped, 'firstDataMs') / median(results.plain, 'firstDataMs')).toFixed(2)}, bytes ${(median(results.shipped, 'bytes') / median(results.plain, 'bytes')).toFixed(3)}`,
  );
  const kib = (xs: Load[]) => `${(median(xs, 'bytes') / 1024).toFixed(0)} KiB`;
  recordResult(
    'renderer-load',
    {
      question: 'How many bytes does the page cost on the wire, and how long from page load to the first panel data, on the demo fleet?',
      comparator: 'the same renderer built as one unminified script served uncompressed, same run',
    },
    [
      {
        figure: 'bytes on the wire (shipped: minified, split, brotli)',
        value: kib(results.shipped),
        against: `${kib(results.plain)} unminified and uncompressed (x${(median(results.shipped, 'bytes') / median(results.plain, 'bytes')).toFixed(3)})`,
      },
      { figure: 'script run', value: `${median(results.shipped, 'scriptMs').toFixed(0)} ms`, against: `${median(results.plain, 'scriptMs').toFixed(0)} ms` },
      {
        figure: 'page load to first panel data',
        value: `${median(results.shipped, 'firstDataMs').toFixed(0)} ms`,
        against: `${median(results.plain, 'firstDataMs').toFixed(0)} ms`,
        target: `< 1000 ms: ${median(results.shipped, 'firstDataMs') < 1000 ? 'met' : 'not met'}`,
      },
    ],
  );
} finally {
  await browser.close();
  await shipped.stop();
  await plain.stop();
}
