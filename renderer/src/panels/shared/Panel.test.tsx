import { act, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrokersPanel } from '../brokers/BrokersPanel';
import { applyHealth } from '../../store/actions';
import { endpointState, iso, NOW } from './fixtures';
import { SCROLL_BOX_HEIGHT, VIRTUAL_ABOVE } from './ItemTable';

const online = { status: 'online', last_checked: iso(-10), latency_ms: 40 };

function panel() {
  return screen.getByRole('region', { name: 'Brokers' });
}
/** The panel header's status: the first img of the region. */
const headStatus = () => within(panel()).getAllByRole('img')[0]!.getAttribute('aria-label');

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe('a panel in each of its states', () => {
  it('before any poll: unknown, and says it is waiting; never ok', () => {
    render(<BrokersPanel deploymentId="prod" />);
    expect(headStatus()).toBe('unknown');
    expect(within(panel()).getByText('no data yet: waiting for the console to poll this endpoint')).toBeTruthy();
    expect(within(panel()).queryByRole('table')).toBeNull();
  });

  it('fresh data: one row per item with its status and why', () => {
    render(<BrokersPanel deploymentId="prod" />);
    act(() => applyHealth([endpointState('brokers', { ibkr: { ...online, status: 'offline', detail: 'gateway port 4001 closed' }, questrade: online })]));
    const table = within(panel()).getByRole('table', { name: 'Brokers' });
    const ibkr = within(table).getByRole('row', { name: /ibkr/ });
    expect(within(ibkr).getByRole('img').getAttribute('aria-label')).toBe('failing: offline: gateway port 4001 closed');
    expect(
      within(within(table).getByRole('row', { name: /questrade/ }))
        .getByRole('img')
        .getAttribute('aria-label'),
    ).toBe('ok');
    expect(headStatus()).toMatch(/^failing/);
  });

  it('an item the API sent in a shape the console cannot read is "unknown: why", and the rest still render', () => {
    render(<BrokersPanel deploymentId="prod" />);
    act(() => applyHealth([endpointState('brokers', { ibkr: 'status: expected one of online|offline|error', questrade: online })]));
    const row = within(panel()).getByRole('row', { name: /ibkr/ });
    expect(within(row).getByRole('img').getAttribute('aria-label')).toBe('unknown: unknown: status: expected one of online|offline|error');
    expect(within(panel()).getByRole('row', { name: /questrade/ })).toBeTruthy();
    expect(headStatus()).not.toMatch(/^ok/);
  });

  it('stale data (older than two poll intervals) says so and is not called ok', () => {
    render(<BrokersPanel deploymentId="prod" />);
    act(() => applyHealth([endpointState('brokers', { questrade: online }, { polledAt: iso(-60), lastGoodAt: iso(-60), intervalMs: 5000 })]));
    expect(within(panel()).getByRole('status').textContent).toBe('Stale data is 1 m 00 s old (older than 2 poll intervals of 5 s)');
    expect(headStatus()).toMatch(/^unknown: data stale/);
  });

  it('a failing poll shows the error with the time of the last good data, and keeps that data on screen', () => {
    render(<BrokersPanel deploymentId="prod" />);
    act(() =>
      applyHealth([
        endpointState(
          'brokers',
          { questrade: online },
          { status: 'error', error: { kind: 'timeout', message: 'no answer in 5 s' }, polledAt: iso(-1), lastGoodAt: iso(-8) },
        ),
      ]),
    );
    const statuses = within(panel())
      .getAllByRole('status')
      .map((s) => s.textContent);
    expect(statuses).toContain('Error timeout: no answer in 5 s; last good data 8 s ago');
    expect(within(panel()).getByRole('row', { name: /questrade/ })).toBeTruthy();
    expect(headStatus()).toMatch(/^unknown: poll failing/);
  });
});

describe('a panel with many items', () => {
  const brokers = (n: number) =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`item-${String(i).padStart(3, '0')}`, i % 50 === 7 ? { ...online, status: 'error', detail: `down ${i}` } : online]),
    );

  // happy-dom lays nothing out: every box measures 0 px, so the scroll box and its rows get the
  // sizes Chromium gives them (a fake for what this DOM cannot do; e2e/manyItems scrolls the real one)
  beforeEach(() => {
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.classList.contains('items-scroll') ? SCROLL_BOX_HEIGHT : 0;
    });
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.tagName === 'TR' ? 24 : 0;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it(`up to ${VIRTUAL_ABOVE} items: every row is in the page`, () => {
    render(<BrokersPanel deploymentId="prod" />);
    // the four brokers the runbook names join the API's items (as unknown): 40 rows in all
    act(() => applyHealth([endpointState('brokers', brokers(VIRTUAL_ABOVE - 4))]));
    const table = within(panel()).getByRole('table', { name: 'Brokers' });
    expect(within(table).getAllByRole('row')).toHaveLength(VIRTUAL_ABOVE + 1);
    expect(within(panel()).queryByRole('group')).toBeNull();
  });

  it('500 items: a scroll box that is a Tab stop, the full count for screen readers, a box of rows worst first', () => {
    render(<BrokersPanel deploymentId="prod" />);
    act(() => applyHealth([endpointState('brokers', brokers(500))]));
    const box = within(panel()).getByRole('group', { name: 'Brokers: 504 items, scroll for more' });
    expect(box.tabIndex).toBe(0);
    const table = within(box).getByRole('table', { name: 'Brokers' });
    expect(table.getAttribute('aria-rowcount')).toBe('505');
    // the header row, then about a box's worth: never all 500
    const rows = within(table)
      .getAllByRole('row')
      .filter((r) => r.getAttribute('aria-hidden') !== 'true');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    // the ten failing items come first, each row numbered for screen readers
    expect(rows[1]!.getAttribute('aria-rowindex')).toBe('2');
    expect(within(rows[1]!).getByRole('rowheader').textContent).toBe('item-007');
    expect(within(rows[10]!).getByRole('rowheader').textContent).toBe('item-457');
    // then the four brokers the runbook names (not reported: unknown), then the ok ones
    expect(within(rows[11]!).getByRole('img').getAttribute('aria-label')).toBe('unknown: unknown: not reported');
    expect(within(rows[15]!).getByRole('img').getAttribute('aria-label')).toBe('ok');
    expect(headStatus()).toMatch(/^failing/);
  });
});
