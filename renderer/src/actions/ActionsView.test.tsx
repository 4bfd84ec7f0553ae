import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ActionSummary, FleetInfo, HostFacts } from '../../../common/contract';
import { hostFacts } from '../../../common/hostFacts.fixture';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { applyFacts } from '../hosts/hostsStore';
import { applyFleet } from '../store/actions';
import { ActionsView } from './ActionsView';

const restart: ActionSummary = {
  id: 'service.restart' as ActionSummary['id'],
  title: 'Restart an autotrader service',
  section: 'sla-violations',
  risk: 'service-affecting',
  streams: false,
  params: [{ name: 'unit', label: 'Unit', kind: 'enum', choices: ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers'] }],
  description: '',
  followUp: null,
};

/** a host's facts with these units, named as systemctl names them */
const facts = (hostId: string, units: string[]): HostFacts =>
  hostFacts({
    hostId: hostId as HostFacts['hostId'],
    units: units.map((unit) => ({
      unit,
      load: 'loaded',
      active: 'active',
      sub: 'running',
      result: 'success',
      mainPid: 100,
      restarts: 0,
      since: null,
      status: 'ok',
      why: 'running',
    })),
  });

describe('the action form', () => {
  it("offers the units the chosen host's facts list, as the catalog names them", async () => {
    applyFleet({
      demo: false,
      configPath: '/home/oncall/.config/opsdeck/config.yaml',
      user: 'oncall',
      hosts: [
        { id: 'trader-1', label: 'trader-1', address: '10.20.0.11', port: 22, user: 'root', demo: false },
        { id: 'trader-2', label: 'trader-2', address: '10.20.0.12', port: 22, user: 'root', demo: false },
      ],
      deployments: [{ id: 'prod', name: 'Prod', hosts: ['trader-1', 'trader-2'], healthVia: 'trader-1', healthUrl: 'http://127.0.0.1:8000' }],
    } as unknown as FleetInfo);
    applyFacts([
      facts('trader-1', ['autotrader-api.service', 'autotrader-workers.service', 'redis-server.service']),
      facts('trader-2', ['autotrader-ingestion.service']),
    ]);
    render(
      <ApiContext.Provider value={fakeApi({ listActions: () => ({ ok: true, value: [restart] }) }).api}>
        <ActionsView />
      </ApiContext.Provider>,
    );
    await userEvent.click(await screen.findByRole('button', { name: /^Restart an autotrader service/ }));
    const form = screen.getByRole('form', { name: 'Run Restart an autotrader service' });
    // the first host is chosen: its units, not the other host's
    expect(form.textContent).toContain('on the chosen hosts: autotrader-api, autotrader-workers');
  });
});
