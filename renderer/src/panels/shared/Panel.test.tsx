import { act, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BrokersPanel } from '../brokers/BrokersPanel';
import { applyHealth } from '../../store/actions';
import { endpointState, iso, NOW } from './fixtures';

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
