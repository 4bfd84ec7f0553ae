import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/fakeApi';
import { toLines } from '../actions/outputLines';
import { bindEvents } from './actions';
import { useAppStore } from './appStore';
import { NO_FRAME_MS, type FrameScheduler } from './outputPerFrame';

const runId = 'run-0000000000000001' as never;
const hostId = 'trader-1' as never;
const batch = (from: number, to: number) => ({
  runId,
  hostId,
  chunks: [{ stream: 'stdout' as const, text: Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('') }],
  droppedLines: 0,
});
const shown = () => toLines(useAppStore.getState().runs[runId]?.hosts[hostId]?.output ?? []).map((l) => l.text);

/** The page's frames and timers, stepped by the test: happy-dom has no rendering to wait for. */
function steppedFrames() {
  let frames: Array<() => void> = [];
  let timers: Array<{ fn: () => void; at: number }> = [];
  let now = 0;
  const scheduler: FrameScheduler = {
    nextFrame(fn) {
      frames.push(fn);
      return () => (frames = frames.filter((f) => f !== fn));
    },
    after(fn, ms) {
      const t = { fn, at: now + ms };
      timers.push(t);
      return () => (timers = timers.filter((x) => x !== t));
    },
  };
  return {
    scheduler,
    frame() {
      const due = frames;
      frames = [];
      due.forEach((f) => f());
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      due.forEach((t) => t.fn());
    },
  };
}

describe('run output, once per frame', () => {
  let unbind = () => {};
  afterEach(() => unbind());

  it('applies every batch that came in a frame, in order, in one store update', () => {
    const fake = fakeApi({});
    const frames = steppedFrames();
    unbind = bindEvents(fake.api, frames.scheduler);
    let updates = 0;
    const off = useAppStore.subscribe(() => updates++);
    fake.emit('onRunOutput', batch(1, 4000));
    fake.emit('onRunOutput', batch(4001, 8000));
    fake.emit('onRunOutput', batch(8001, 8003));
    expect(updates).toBe(0);
    frames.frame();
    off();
    expect(updates).toBe(1);
    expect(shown()).toEqual(Array.from({ length: 8003 }, (_, i) => `line ${i + 1}`));
  });

  it('applies held output before a status, so a run never reads finished before its last lines', () => {
    const fake = fakeApi({});
    const frames = steppedFrames();
    unbind = bindEvents(fake.api, frames.scheduler);
    fake.emit('onRunOutput', batch(1, 3));
    let atFinish: string[] = [];
    const off = useAppStore.subscribe((s) => {
      if (s.runs[runId]?.hosts[hostId]?.state === 'succeeded' && !atFinish.length) atFinish = shown();
    });
    fake.emit('onRunStatus', { runId, hostId, state: 'succeeded', exitCode: 0, error: null, at: '2026-12-06T12:00:00Z' });
    off();
    expect(atFinish).toEqual(['line 1', 'line 2', 'line 3']);
    // nothing is applied twice when the frame comes
    frames.frame();
    expect(shown()).toEqual(['line 1', 'line 2', 'line 3']);
  });

  it('still applies output in a hidden page, where no frame comes', () => {
    const fake = fakeApi({});
    const frames = steppedFrames();
    unbind = bindEvents(fake.api, frames.scheduler);
    fake.emit('onRunOutput', batch(1, 2));
    frames.advance(NO_FRAME_MS - 1);
    expect(shown()).toEqual([]);
    frames.advance(1);
    expect(shown()).toEqual(['line 1', 'line 2']);
  });
});
