import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { applyRunOutput, applyRunStatus } from '../store/actions';
import { dockRun } from './dockStore';
import { FollowDock } from './FollowDock';
import { SUMMARY_MS } from './NewLinesStatus';

const out = (runId: string, text: string) => applyRunOutput({ runId, hostId: 'trader-1', chunks: [{ stream: 'stdout', text }], droppedLines: 0 } as never);
const running = (runId: string) =>
  applyRunStatus({ runId, hostId: 'trader-1', state: 'running', exitCode: null, error: null, at: new Date().toISOString() } as never);

/** main's spool stands in as a list: what the dock shows of it is the question here (the e2e reads a real one) */
const spool = Array.from({ length: 1200 }, (_, i) => `INFO kept ${i + 1}`);

function renderDock() {
  const fake = fakeApi({
    cancelRun: () => ({ ok: true, value: { cancelled: true } }) as never,
    readFollowSpool: ({ from, count }) => ({
      ok: true,
      value: { from: Math.min(from, spool.length), lines: spool.slice(from, from + count), total: spool.length },
    }),
  });
  render(
    <ApiContext.Provider value={fake.api}>
      <FollowDock />
    </ApiContext.Provider>,
  );
  return fake;
}

/** A follow of runId on trader-1 opened in the dock, `before` already printed when it opens; its "New lines" status. */
function followSummary(runId: string, before?: string): HTMLElement {
  renderDock();
  act(() => {
    running(runId);
    if (before) out(runId, before);
    dockRun(runId, 'Follow autotrader-api', [{ id: 'trader-1', label: 'trader-1' }]);
  });
  return screen.getByRole('status', { name: 'New lines' });
}

/**
 * happy-dom lays nothing out, and the live view draws only the rows in view (DockLines.tsx): here
 * its scroller is the height it has in a 900 px window (34vh, 306 px) and a row one line (17 px).
 * The page's real layout is in the e2e tests.
 */
function layOut(): () => void {
  const proto = HTMLElement.prototype;
  const own = { clientHeight: Object.getOwnPropertyDescriptor(proto, 'clientHeight'), offsetHeight: Object.getOwnPropertyDescriptor(proto, 'offsetHeight') };
  const inherited = (name: 'clientHeight' | 'offsetHeight') => {
    for (let p = Object.getPrototypeOf(proto) as object | null; p; p = Object.getPrototypeOf(p) as object | null) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d) return d;
    }
    return undefined;
  };
  const size = (name: 'clientHeight' | 'offsetHeight', px: (el: HTMLElement) => number | null) => {
    const base = own[name] ?? inherited(name);
    Object.defineProperty(proto, name, {
      configurable: true,
      get(this: HTMLElement) {
        return px(this) ?? (base?.get?.call(this) as number | undefined) ?? 0;
      },
    });
  };
  size('clientHeight', (el) => (el.classList.contains('dock-lines') ? 306 : null));
  size('offsetHeight', (el) => (el.classList.contains('dock-line') ? 17 : null));
  return () => {
    for (const name of ['clientHeight', 'offsetHeight'] as const) {
      if (own[name]) Object.defineProperty(proto, name, own[name]);
      else delete (proto as unknown as Record<string, unknown>)[name];
    }
  };
}

describe('FollowDock', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = layOut();
  });
  afterAll(() => restore());

  it('shows several follows as tabs, each with its own lines', async () => {
    const user = userEvent.setup();
    renderDock();
    act(() => {
      running('run-a');
      running('run-b');
      out('run-a', 'INFO api: up\n');
      out('run-b', 'INFO ingestion: 42 rows\n');
      dockRun('run-a', 'Follow autotrader-api', [{ id: 'trader-1', label: 'trader-1' }]);
      dockRun('run-b', 'Follow autotrader-ingestion', [{ id: 'trader-1', label: 'trader-1' }]);
    });
    const tabs = within(screen.getByRole('tablist', { name: 'Follows' })).getAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(['Follow autotrader-api', 'Follow autotrader-ingestion']);
    expect(screen.getByRole('region', { name: 'Output from trader-1' }).textContent).toContain('42 rows');
    // one line is "1 line", not "1 lines"
    expect(screen.getByText('following · 1 line')).toBeTruthy();
    await user.click(tabs[0]!);
    expect(screen.getByRole('region', { name: 'Output from trader-1' }).textContent).toContain('INFO api: up');
  });

  it('filters, marks and counts search matches, colours priorities, pauses and jumps back to now; Cancel run stops it', async () => {
    const user = userEvent.setup();
    const fake = renderDock();
    act(() => {
      running('run-c');
      out('run-c', 'INFO api: up\nERROR api: questrade: token expired\nWARNING api: slow\nINFO api: token refreshed\n');
      dockRun('run-c', 'Follow autotrader-api', [{ id: 'trader-1', label: 'trader-1' }]);
    });
    const log = screen.getByRole('region', { name: 'Output from trader-1' });
    expect(log.getAttribute('data-line-count')).toBe('4');
    const error = within(log)
      .getByText(/ERROR api/)
      .closest('.dock-line')!;
    expect(error.className).toContain('line-fail');
    expect(error.textContent).toContain('■');
    expect(
      within(log)
        .getByText(/WARNING/)
        .closest('.dock-line')!.className,
    ).toContain('line-warn');

    await user.type(screen.getByRole('textbox', { name: 'Filter lines' }), 'token');
    expect(log.textContent).not.toContain('WARNING');
    expect(log.textContent).toContain('token refreshed');
    await user.type(screen.getByRole('searchbox', { name: 'Search lines' }), 'TOKEN');
    expect(screen.getByRole('status', { name: 'Search matches' }).textContent).toBe('2 matches');
    expect(within(log).getAllByText(/token/i, { selector: 'mark' })).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => out('run-c', 'INFO api: token rotated\n'));
    expect(log.textContent).not.toContain('token rotated');
    expect(screen.getByRole('button', { name: /^Jump to now \(1 new line\)$/ })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /^Jump to now/ }));
    expect(log.textContent).toContain('token rotated');

    await user.click(screen.getByRole('button', { name: 'Cancel run' }));
    expect(fake.calls('cancelRun')).toEqual([{ runId: 'run-c' }]);
    act(() =>
      applyRunStatus({ runId: 'run-c', hostId: 'trader-1', state: 'cancelled', exitCode: null, error: 'cancelled', at: new Date().toISOString() } as never),
    );
    expect(screen.getByRole('status', { name: 'trader-1 status' }).textContent).toBe('trader-1 ◌ cancelled');
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region', { name: 'Follows' })).toBeNull();
  });

  it('reads out what came in, in summary at most every few seconds, not line by line', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const summary = followSummary('run-e', 'INFO api: up\n');
      // the lines are a region to read at will, not a live region read out line by line
      const lines = screen.getByRole('region', { name: 'Output from trader-1' });
      expect(lines.getAttribute('aria-live')).toBeNull();
      expect(screen.queryByRole('log')).toBeNull();
      // what was there when the tab opened is not news
      act(() => vi.advanceTimersByTime(SUMMARY_MS));
      expect(summary.textContent).toBe('');
      // a burst in several batches: one summary, once it has had time to gather
      const burst = Array.from({ length: 1200 }, (_, i) =>
        i % 400 === 7 ? `WARNING api: slow ${i}` : i === 999 ? 'ERROR api: questrade: token expired' : `INFO api: tick ${i}`,
      );
      for (let i = 0; i < burst.length; i += 300) act(() => out('run-e', `${burst.slice(i, i + 300).join('\n')}\n`));
      act(() => vi.advanceTimersByTime(SUMMARY_MS - 1));
      expect(summary.textContent).toBe('');
      act(() => vi.advanceTimersByTime(1));
      expect(summary.textContent).toBe('1,200 new lines, 3 warnings, 1 error');
      // a line still being written is told once it is whole
      act(() => out('run-e', 'WARNING api: queue'));
      act(() => vi.advanceTimersByTime(SUMMARY_MS));
      expect(summary.textContent).toBe('1,200 new lines, 3 warnings, 1 error');
      act(() => out('run-e', ' backing up\n'));
      act(() => vi.advanceTimersByTime(SUMMARY_MS));
      expect(summary.textContent).toBe('1 new line, 1 warning');
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads out each summary, also one that is the same as the one before', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const summary = followSummary('run-f');
      // a screen reader reads a live region out when its content changes, and only then
      let delivered = 0;
      const observer = new MutationObserver((records) => (delivered += records.length));
      observer.observe(summary, { childList: true, subtree: true, characterData: true });
      const heard: string[] = [];
      const listen = () => {
        const changes = delivered + observer.takeRecords().length;
        delivered = 0;
        if (changes) heard.push(summary.textContent ?? '');
      };
      // a quiet follow's heartbeat: one line, told, then another like it
      for (const beat of ['INFO api: heartbeat 1', 'INFO api: heartbeat 2']) {
        act(() => out('run-f', `${beat}\n`));
        act(() => vi.advanceTimersByTime(SUMMARY_MS));
        listen();
      }
      observer.disconnect();
      expect(heard).toEqual(['1 new line', '1 new line']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells the last line of a run that ended without a newline', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const summary = followSummary('run-g');
      act(() => out('run-g', 'INFO api: up\nERROR api: gave up'));
      act(() => vi.advanceTimersByTime(SUMMARY_MS));
      expect(summary.textContent).toBe('1 new line');
      // the command has ended: its last line will get no newline, and it is whole as it is
      act(() =>
        applyRunStatus({ runId: 'run-g', hostId: 'trader-1', state: 'failed', exitCode: 1, error: 'exit code 1', at: new Date().toISOString() } as never),
      );
      act(() => vi.advanceTimersByTime(SUMMARY_MS));
      expect(summary.textContent).toBe('1 new line, 1 error');
    } finally {
      vi.useRealTimers();
    }
  });

  it('pages back through the lines kept on disk to the first, numbered, and jumps back to now', async () => {
    const user = userEvent.setup();
    const fake = renderDock();
    act(() => {
      running('run-d');
      out('run-d', 'INFO live 1200\n');
      dockRun('run-d', 'Follow autotrader-api', [{ id: 'trader-1', label: 'trader-1' }]);
    });
    await user.click(screen.getByRole('button', { name: 'Older lines' }));
    // found once, before a page of rows is drawn (role queries over hundreds of rows are slow in jsdom)
    const status = screen.getByRole('status', { name: 'Spool position' });
    const log = screen.getByRole('region', { name: 'Kept on disk from trader-1' });
    const pager = screen.getByRole('group', { name: 'Lines kept on disk' });
    const [first, older, newer] = ['First line', 'Older', 'Newer'].map((name) => within(pager).getByRole('button', { name }) as HTMLButtonElement);
    const numbers = () => [...log.querySelectorAll('[data-line]')].map((l) => Number(l.getAttribute('data-line')));
    await vi.waitFor(() => expect(status.textContent).toBe('lines 701–1,200 of 1,200 kept on disk'));
    expect(numbers()).toEqual(Array.from({ length: 500 }, (_, i) => 701 + i));
    expect(newer!.disabled).toBe(true);
    fireEvent.click(first!);
    await vi.waitFor(() => expect(status.textContent).toBe('lines 1–500 of 1,200 kept on disk'));
    expect(log.querySelector('[data-line="1"]')!.textContent).toContain('INFO kept 1');
    expect(older!.disabled).toBe(true);
    fireEvent.click(newer!);
    await vi.waitFor(() => expect(status.textContent).toBe('lines 501–1,000 of 1,200 kept on disk'));
    expect(numbers()[0]).toBe(501);
    expect(fake.calls('readFollowSpool').at(-1)).toEqual({ runId: 'run-d', hostId: 'trader-1', from: 500, count: 500 });
    // the filter applies to the page too
    const filter = screen.getByRole('textbox', { name: 'Filter lines' });
    fireEvent.change(filter, { target: { value: 'kept 90' } });
    expect(numbers()).toEqual([900, 901, 902, 903, 904, 905, 906, 907, 908, 909]);
    fireEvent.change(filter, { target: { value: '' } });
    await user.click(screen.getByRole('button', { name: /^Jump to now/ }));
    expect(screen.queryByRole('region', { name: 'Kept on disk from trader-1' })).toBeNull();
    expect(screen.getByRole('region', { name: 'Output from trader-1' }).textContent).toContain('live 1200');
  }, 20_000);
});
