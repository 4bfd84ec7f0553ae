import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { FleetInfo } from '../../common/contract';
import { fakeApi } from '../test/fakeApi';
import { ApiContext } from './api/ApiContext';
import type * as ItemTableModule from './panels/shared/ItemTable';
import { App } from './App';
import { endpointState, iso } from './panels/shared/fixtures';
import { applyFleet, applyHealth, setView } from './store/actions';

// Every render of a panel's item table, counted: the work a view switch does per health item.
const tableRenders = vi.hoisted(() => ({ count: 0 }));
vi.mock('./panels/shared/ItemTable', async (importOriginal) => {
  const real = await importOriginal<typeof ItemTableModule>();
  return {
    ...real,
    ItemTable: (props: Parameters<typeof real.ItemTable>[0]) => {
      tableRenders.count++;
      return real.ItemTable(props);
    },
  };
});

const ITEMS = 500;

function breakers(n: number) {
  const open = { state: 'OPEN', failure_count: 7, failure_threshold: 5, recovery_timeout_seconds: 60, opened_at: iso(-30), last_failure: 'HTTP 429' };
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`item-${String(i).padStart(3, '0')}`, open]));
}

describe('switching views with hundreds of items per endpoint', () => {
  it('hiding the Deployment view (a switch to Hosts) draws none of its item tables again', async () => {
    applyFleet({
      demo: false,
      configPath: '/etc/opsdeck/config.yaml',
      user: 'u',
      hosts: [{ id: 'trader-1', label: 'trader-1' }],
      deployments: [{ id: 'prod', name: 'Prod', hosts: ['trader-1'], healthVia: null, healthUrl: 'http://x' }],
    } as unknown as FleetInfo);
    applyHealth([endpointState('circuitBreakers', breakers(ITEMS))]);
    setView('deployment');
    render(
      <ApiContext.Provider value={fakeApi({}).api}>
        <App />
      </ApiContext.Provider>,
    );
    const deployment = screen.getByRole('tabpanel', { name: 'Deployment' });
    expect(within(deployment).getByRole('group', { name: `Circuit breakers: ${ITEMS} items, scroll for more` })).toBeTruthy();
    // the charts' first painted frame and the page's first loads settle before counting
    await act(() => new Promise((r) => setTimeout(r, 300)));

    const before = tableRenders.count;
    await userEvent.click(screen.getByRole('tab', { name: 'Hosts' }));
    // a hidden view's updates are rendered when nothing visible waits: give them the time
    await act(() => new Promise((r) => setTimeout(r, 300)));
    expect(screen.getByRole('tab', { name: 'Hosts' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('tabpanel', { name: 'Hosts', hidden: false })).toBeTruthy();
    expect(tableRenders.count - before).toBe(0);

    // shown again, the table is the one kept: every item still there
    await userEvent.click(screen.getByRole('tab', { name: 'Deployment' }));
    expect(
      within(screen.getByRole('tabpanel', { name: 'Deployment' }))
        .getByRole('table', { name: 'Circuit breakers' })
        .getAttribute('aria-rowcount'),
    ).toBe(String(ITEMS + 1));
  });
});

describe('outside text on the area strip and the fleet overview', () => {
  it("shows a bidi override in a broker's detail as an escape with a warning, never applied", async () => {
    applyFleet({
      demo: false,
      configPath: '/etc/opsdeck/config.yaml',
      user: 'u',
      hosts: [],
      deployments: [
        { id: 'prod', name: 'Prod', hosts: [], healthVia: null, healthUrl: 'http://x' },
        { id: 'test', name: 'Test', hosts: [], healthVia: null, healthUrl: 'http://y' },
      ],
    } as unknown as FleetInfo);
    applyHealth([endpointState('brokers', { ibkr: { status: 'error', last_checked: iso(-10), latency_ms: 40, detail: 'gateway \u202Etxt.exe' } })]);
    setView('deployment');
    render(
      <ApiContext.Provider value={fakeApi({}).api}>
        <App />
      </ApiContext.Provider>,
    );
    const chip = within(screen.getByRole('navigation', { name: 'Areas' })).getByRole('button', { name: /^Brokers: failing/ });
    expect(chip.textContent).toContain('<U+202E>txt.exe');
    expect(within(chip).getByRole('img', { name: /text-reordering \(bidirectional\)/ })).toBeTruthy();
    expect(chip.outerHTML).not.toContain('\u202E');

    await userEvent.click(screen.getByRole('tab', { name: 'Fleet' }));
    const cell = within(screen.getByRole('table', { name: 'Deployments by area' })).getByRole('button', { name: /^Prod Brokers: failing/ });
    expect(cell.textContent).toContain('<U+202E>txt.exe');
    expect(within(cell).getByRole('img', { name: /text-reordering \(bidirectional\)/ })).toBeTruthy();
    expect(cell.outerHTML).not.toContain('\u202E');
  });
});
