// A Chromium performance trace of a page while something runs, summed up where a frame's time
// went: the CPU profile (bench/parts/followPage.ts, OPSDECK_FOLLOW_PROFILE) sees only script, and
// a follow's slow frames may be style, layout, paint or garbage collection as much as React. The
// trace is written whole (open it in DevTools' Performance panel) and summed here: the renderer's
// main-thread tasks longer than a frame, each with the events that took its time.
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'blink',
  'v8',
  'v8.execute',
  'toplevel',
];

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; type?: string } };
}

/** Starts tracing the page; the returned function stops, writes `path` and prints the summary. */
export async function startPageTrace(browser: Browser, page: Page, path: string): Promise<() => Promise<void>> {
  await browser.startTracing(page, { categories: CATEGORIES });
  return async () => {
    const buffer = await browser.stopTracing();
    writeFileSync(path, buffer);
    const { traceEvents } = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] };
    process.stdout.write(summarise(traceEvents, path));
  };
}

/** The renderer main thread's long tasks and, over all its tasks, time by event name (self time). */
function summarise(events: TraceEvent[], path: string): string {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  // the page's renderer is the one with the most work in the trace
  let best: { pid: number; tid: number; events: TraceEvent[] } | null = null;
  for (const m of mains) {
    const own = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e.dur !== undefined);
    if (!best || own.length > best.events.length) best = { pid: m.pid, tid: m.tid, events: own };
  }
  if (!best) return `trace ${path}: no renderer main thread\n`;
  const sorted = best.events.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const tasks = sorted.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  // self time by name: each event's duration less its direct children's
  const self = new Map<string, number>();
  const inLong = new Map<string, number>();
  const stack: TraceEvent[] = [];
  const label = (e: TraceEvent) => (e.name === 'FunctionCall' && e.args?.data?.functionName ? `FunctionCall ${e.args.data.functionName}` : e.name);
  const selfOf = new Map<TraceEvent, number>();
  for (const e of sorted) {
    while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) selfOf.set(parent, (selfOf.get(parent) ?? parent.dur!) - e.dur!);
    selfOf.set(e, selfOf.get(e) ?? e.dur!);
    stack.push(e);
  }
  const longTasks = tasks.filter((t) => t.dur! > 16_700);
  const longOf = (e: TraceEvent) => longTasks.some((t) => e.ts >= t.ts && e.ts < t.ts + t.dur!);
  for (const [e, us] of selfOf) {
    self.set(label(e), (self.get(label(e)) ?? 0) + us);
    if (longOf(e)) inLong.set(label(e), (inLong.get(label(e)) ?? 0) + us);
  }
  const ms = (us: number) => (us / 1000).toFixed(1);
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `    ${ms(us).padStart(8)} ms  ${name}`)
      .join('\n');
  const busy = tasks.reduce((n, t) => n + t.dur!, 0);
  const span = sorted.length ? (sorted.at(-1)!.ts + sorted.at(-1)!.dur! - sorted[0]!.ts) / 1000 : 0;
  return [
    `trace ${path}: main thread busy ${ms(busy)} ms of ${span.toFixed(0)} ms, ${tasks.length} tasks, ${longTasks.length} over a frame (${longTasks.map((t) => ms(t.dur!)).join(', ')} ms)`,
    '  self time, all tasks:',
    top(self, 18),
    '  self time, tasks over a frame:',
    top(inLong, 12),
    '',
  ].join('\n');
}
