import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { DemoScenarioState, FleetInfo } from '../../../common/contract';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { applyFleet } from '../store/actions';
import { DemoScenarioPicker } from './DemoScenarioPicker';

const fleet = (demo: boolean): FleetInfo =>
  ({
    demo,
    configPath: '/home/oncall/.config/opsdeck/config.yaml',
    user: 'oncall',
    hosts: [{ id: 'h1', label: 'h1', address: '127.0.0.1', port: 22, user: 'root', demo }],
    deployments: [
      { id: demo ? 'demo' : 'prod', name: demo ? 'autotrader (DEMO)' : 'Prod', hosts: ['h1'], healthVia: 'h1', healthUrl: 'http://127.0.0.1:8000' },
    ],
  }) as FleetInfo;

const scenarios: DemoScenarioState['scenarios'] = [
  { name: 'normal', area: null, description: 'every panel ok' },
  { name: 'breaker-open', area: 'circuit-breakers', description: 'the coingecko_api breaker is open' },
  { name: 'queue-backlog', area: 'worker-queues', description: 'the scanner queue backs up' },
];

function show(demo: boolean) {
  applyFleet(fleet(demo));
  const fake = fakeApi({
    getDemoScenarios: () => ({ ok: true, value: { scenarios, current: 'breaker-open', cycling: true } }),
    setDemoScenario: ({ name }) => ({ ok: true, value: { scenarios, current: name, cycling: false } }),
  });
  render(
    <ApiContext.Provider value={fake.api}>
      <DemoScenarioPicker />
    </ApiContext.Provider>,
  );
  return fake;
}

describe('the demo scenario picker', () => {
  it("is not there on the config's fleet, and asks main for nothing", async () => {
    const fake = show(false);
    await Promise.resolve();
    expect(screen.queryByRole('combobox', { name: 'Demo scenario' })).toBeNull();
    expect(fake.calls('getDemoScenarios')).toEqual([]);
  });

  it("on the demo fleet offers each runbook area's problem by the runbook's title, and shows the one chosen", async () => {
    const fake = show(true);
    const picker = await screen.findByRole('combobox', { name: 'Demo scenario' });
    expect([...picker.querySelectorAll('option')].map((o) => o.textContent)).toEqual([
      'cycling through every area (now breaker-open)',
      'Healthy: every panel ok',
      'Circuit Breaker Trips: the coingecko_api breaker is open',
      'Worker Queue Backlog: the scanner queue backs up',
    ]);
    await userEvent.selectOptions(picker, 'queue-backlog');
    expect(fake.calls('setDemoScenario')).toEqual([{ name: 'queue-backlog' }]);
    expect((picker as HTMLSelectElement).value).toBe('queue-backlog');
    // cycling has ended: its entry is gone
    expect([...picker.querySelectorAll('option')].map((o) => o.value)).toEqual(['normal', 'breaker-open', 'queue-backlog']);
  });
});
