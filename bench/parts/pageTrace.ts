// A Chromium performance trace of a page while something runs, summed up where a frame's time
// went: the CPU profile (bench/parts/followPage.ts, OPSDECK_FOLLOW_PROFILE) sees only script, and
// a follow's slow frames may be style, layout, paint or garbage collection as much as React. The
// trace is written whole (open it in DevTools' Performance panel) and summed here: the renderer's
// main-thread tasks longer than a frame, each with the events that took its time, and what the
// accessibility tree's upkeep cost (recorded when a screen reader, or --force-renderer-accessibility,
// turns it on).
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
  'accessibility',
];

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** the thread's CPU time in the event */
  tdur?: number;
  cat?: string;
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

/**
 * The renderer main thread's long tasks and, over all its tasks, time by event name (self time).
 * Times are the thread's own CPU time (a trace event's tdur) where the trace has it: on a loaded
 * machine a task's wall time is mostly the thread waiting for a core, the same in any build.
 */
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
  const cpu = (e: TraceEvent) => e.tdur ?? e.dur!;
  // the outermost tasks only (RunTask holds ThreadControllerImpl::RunTask): each counted once
  const tasks: TraceEvent[] = [];
  for (const e of sorted) {
    const last = tasks.at(-1);
    if ((e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && (!last || e.ts >= last.ts + last.dur!)) tasks.push(e);
  }
  // self time by name: each event's time less its direct children's
  const self = new Map<string, number>();
  const inLong = new Map<string, number>();
  const stack: TraceEvent[] = [];
  const label = (e: TraceEvent) => (e.name === 'FunctionCall' && e.args?.data?.functionName ? `FunctionCall ${e.args.data.functionName}` : e.name);
  const selfOf = new Map<TraceEvent, number>();
  for (const e of sorted) {
    while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) selfOf.set(parent, (selfOf.get(parent) ?? cpu(parent)) - cpu(e));
    selfOf.set(e, selfOf.get(e) ?? cpu(e));
    stack.push(e);
  }
  const longTasks = tasks.filter((t) => t.dur! > 16_700);
  const longOf = (e: TraceEvent) => longTasks.some((t) => e.ts >= t.ts && e.ts < t.ts + t.dur!);
  for (const [e, us] of selfOf) {
    self.set(label(e), (self.get(label(e)) ?? 0) + us);
    if (longOf(e)) inLong.set(label(e), (inLong.get(label(e)) ?? 0) + us);
  }
  // the accessibility tree's upkeep, outermost events only (it is off unless something asks for it)
  let accessibility = 0;
  let axEnd = -1;
  for (const e of sorted)
    if (e.ts >= axEnd && (e.cat === 'accessibility' || e.name === 'LocalFrameView::RunAccessibilitySteps')) {
      accessibility += cpu(e);
      axEnd = e.ts + e.dur!;
    }
  const ms = (us: number) => (us / 1000).toFixed(1);
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `    ${ms(us).padStart(8)} ms  ${name}`)
      .join('\n');
  const busy = tasks.reduce((n, t) => n + cpu(t), 0);
  const span = sorted.length ? (sorted.at(-1)!.ts + sorted.at(-1)!.dur! - sorted[0]!.ts) / 1000 : 0;
  return [
    `trace ${path}: main thread CPU ${ms(busy)} ms in ${span.toFixed(0)} ms, ${tasks.length} tasks, accessibility ${ms(accessibility)} ms; ` +
      `${longTasks.length} over a frame (wall/CPU: ${longTasks.map((t) => `${ms(t.dur!)}/${ms(cpu(t))}`).join(', ')} ms)`,
    '  self CPU time, all tasks:',
    top(self, 18),
    '  self CPU time, tasks over a frame:',
    top(inLong, 12),
    '',
  ].join('\n');
}
