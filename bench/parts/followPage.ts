// The follow bench's page part (bench/follow-lossless.ts): a log follow started through the
// browser shell in headless Chromium, the way an engineer starts one (Actions, "Follow an
// autotrader log file live", Preview, Confirm), then a burst of numbered lines appended to the
// followed file on the host at once. In the page, lines are counted as the WebSocket brings
// them (first to last) while every frame's time is taken (requestAnimationFrame deltas) and
// long tasks are counted: the figures are lines per second from the host's file to the page,
// and what the engineer's frames cost meanwhile. The comparator, in the same run: OpenSSH
// `cat` of the same file from the same host, its lines counted as they come.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import type { Fleet } from '../../testbed/fleet';
import { launchChromium } from '../../e2e/support/browser';
import { fleetConfigYaml } from '../../e2e/support/fleetConfig';
import { startWebShell } from '../../e2e/support/webShell';
import { percentile } from '../support';
import { startPageTrace } from './pageTrace';

const LOG = '/var/log/autotrader/workers.log';

export interface PageRound {
  lines: number;
  linesPerSecond: number;
  frames: { p50: number; p99: number; max: number; count: number };
  longTasks: number;
}

/**
 * In the page before its own script: counts burst lines off the socket, times frames. Sent as
 * its source: names from this module (node's `performance`) must not be used in it.
 */
function instrument(): void {
  const clock = globalThis.performance;
  const w = window as unknown as {
    __follow: { mark: string; want: number; first: number; last: number; count: number; frames: number[]; longTasks: number; measuring: boolean };
  };
  w.__follow = { mark: '', want: 0, first: 0, last: 0, count: 0, frames: [], longTasks: 0, measuring: false };
  const state = w.__follow;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => {
        if (!state.mark || typeof e.data !== 'string' || !e.data.includes('"onRunOutput"')) return;
        const at = clock.now();
        let n = 0;
        for (let i = e.data.indexOf(state.mark); i !== -1; i = e.data.indexOf(state.mark, i + 1)) n++;
        if (!n) return;
        if (!state.count) state.first = at;
        state.count += n;
        state.last = at;
      });
    }
  };
  let previous = 0;
  const frame = (t: number) => {
    if (state.measuring && previous) state.frames.push(t - previous);
    previous = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    if (state.measuring) state.longTasks += list.getEntries().length;
  }).observe({ type: 'longtask', buffered: false });
}

export async function startFollowPage(fleet: Fleet, dir: string) {
  const config = join(dir, 'page-config.yaml');
  writeFileSync(config, fleetConfigYaml(fleet, { user: 'bench', auditFile: join(dir, 'page-audit.jsonl'), hosts: 1, intervalSeconds: 5 }));
  const shell = await startWebShell(['--config', config], { XDG_STATE_HOME: join(dir, 'page-state') });
  // OPSDECK_FOLLOW_ACCESSIBILITY=1: the accessibility tree kept up, as when a screen reader is on (Chromium keeps none otherwise)
  const browser = await launchChromium(process.env.OPSDECK_FOLLOW_ACCESSIBILITY ? ['--force-renderer-accessibility'] : []);
  const page: Page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.addInitScript(instrument);
  // OPSDECK_FOLLOW_PROFILE=1: the page's CPU profile of each burst, its heaviest functions printed
  const cdp = process.env.OPSDECK_FOLLOW_PROFILE ? await page.context().newCDPSession(page) : null;
  if (cdp) await cdp.send('Profiler.enable');
  // OPSDECK_FOLLOW_TRACE=DIR: a Chromium performance trace of each burst in DIR, summed up where the frames went
  const traceDir = process.env.OPSDECK_FOLLOW_TRACE;
  await page.goto(shell.url);
  await page.getByRole('tab', { name: 'Actions' }).click();
  await page
    .getByRole('navigation', { name: 'Action catalog' })
    .getByRole('button', { name: /^Follow an autotrader log file live/ })
    .click();
  const form = page.getByRole('form', { name: 'Run Follow an autotrader log file live' });
  await form.getByRole('combobox', { name: 'Log file' }).selectOption('workers');
  await form.getByRole('spinbutton', { name: 'Lines first' }).fill('0');
  await form.getByRole('button', { name: 'Preview' }).click();
  await page
    .getByRole('dialog', { name: /^Preview: / })
    .getByRole('button', { name: 'Confirm' })
    .click();
  const dock = page.getByRole('region', { name: 'Follows' });
  await dock.getByRole('status', { name: 'trader-1 status' }).filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
  const host = fleet.hosts[0]!.name;
  // the follow's reader is on the host and at the file's end before a burst is appended
  for (let i = 0; i < 100; i++) {
    if ((await fleet.exec(host, `pgrep -f '[/]var/log/autotrader/workers[.]log 0 -$' || true`)).stdout.trim()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000));
  let round = 0;
  return {
    /** Appends `lines` numbered lines at once and measures them into the page. */
    async burst(lines: number): Promise<PageRound> {
      const mark = `burst${++round}-line `;
      await page.evaluate(
        ([m, want]) => {
          const s = (
            window as unknown as {
              __follow: { mark: string; want: number; first: number; last: number; count: number; frames: number[]; longTasks: number; measuring: boolean };
            }
          ).__follow;
          Object.assign(s, { mark: m, want, first: 0, last: 0, count: 0, frames: [], longTasks: 0, measuring: true });
        },
        [mark, lines] as const,
      );
      if (cdp) await cdp.send('Profiler.start');
      const stopTrace = traceDir ? await startPageTrace(browser, page, join(traceDir, `follow-burst${round}.json`)) : null;
      const wrote = await fleet.exec(host, `seq -f '${mark}%.0f' 1 ${lines} >> ${LOG}`);
      if (wrote.code !== 0) throw new Error(`appending the burst: ${wrote.stderr}`);
      try {
        await page.waitForFunction((want) => (window as unknown as { __follow: { count: number } }).__follow.count >= want, lines, {
          timeout: 120_000,
          polling: 200,
        });
      } catch (error) {
        const got = await page.evaluate(() => (window as unknown as { __follow: { count: number } }).__follow.count);
        await page.screenshot({ path: join(dir, 'follow-page-stuck.png') });
        throw new Error(`the page got ${got} of the ${lines} lines of ${mark}(screenshot ${join(dir, 'follow-page-stuck.png')}): ${(error as Error).message}`);
      }
      // the frames until the last batch is drawn count too
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      if (cdp) printProfile((await cdp.send('Profiler.stop')).profile as CpuProfile);
      if (stopTrace) await stopTrace();
      const s = await page.evaluate(() => {
        const f = (window as unknown as { __follow: { first: number; last: number; count: number; frames: number[]; longTasks: number; measuring: boolean } })
          .__follow;
        f.measuring = false;
        return { first: f.first, last: f.last, count: f.count, frames: f.frames, longTasks: f.longTasks };
      });
      return {
        lines: s.count,
        linesPerSecond: (s.count - 1) / ((s.last - s.first) / 1000),
        frames: { p50: percentile(s.frames, 50), p99: percentile(s.frames, 99), max: Math.max(...s.frames), count: s.frames.length },
        longTasks: s.longTasks,
      };
    },
    /** OpenSSH reading the same file from the same host, lines of the last burst counted. */
    openSsh(lines: number): Promise<number> {
      const mark = Buffer.from(`burst${round}-line `);
      return new Promise((resolve, reject) => {
        const child = spawn('ssh', [...fleet.sshArgs(host), `cat ${LOG}`], { stdio: ['ignore', 'pipe', 'inherit'] });
        let first = 0;
        let count = 0;
        let tail = Buffer.alloc(0);
        child.stdout.on('data', (chunk: Buffer) => {
          const at = performance.now();
          const text = Buffer.concat([tail, chunk]);
          for (let i = text.indexOf(mark); i !== -1; i = text.indexOf(mark, i + 1)) {
            if (!count) first = at;
            count++;
          }
          tail = text.subarray(Math.max(0, text.length - mark.length + 1));
          if (count >= lines) {
            child.kill();
            resolve((count - 1) / ((at - first) / 1000));
          }
        });
        child.once('exit', (code) => count < lines && reject(new Error(`ssh cat exited ${code} after ${count} of ${lines} lines`)));
      });
    },
    async stop(): Promise<void> {
      await browser.close();
      await shell.stop();
    },
  };
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function, the heaviest 15. */
function printProfile(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`page profile, ${total.toFixed(0)} ms sampled:\n`);
  for (const [name, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`  ${ms.toFixed(0).padStart(6)} ms  ${name}\n`);
}
