import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { FleetInfo } from '../../../common/contract';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { applyFleet } from '../store/actions';
import { DEMO_TARGET_NOTE, ImportSshHostsButton } from './ImportSshHosts';

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

const open = async (demo: boolean) => {
  applyFleet(fleet(demo));
  const listing = { configFile: '/home/oncall/.ssh/config', hosts: [] };
  render(
    <ApiContext.Provider value={fakeApi({ listSshConfigHosts: () => ({ ok: true, value: listing }) as never }).api}>
      <ImportSshHostsButton />
    </ApiContext.Provider>,
  );
  await userEvent.click(screen.getByRole('button', { name: 'Import hosts from ~/.ssh/config' }));
  return screen.getByRole('dialog', { name: 'Import hosts from ~/.ssh/config' });
};

describe('the import dialog', () => {
  it('does not offer the demo deployment as a target, and says why', async () => {
    await open(true);
    expect(screen.queryByRole('combobox', { name: 'Add to deployment' })).toBeNull();
    expect(screen.getByText(DEMO_TARGET_NOTE)).toBeTruthy();
  });

  it("offers the config's deployments when the fleet is the config's", async () => {
    await open(false);
    const select = screen.getByRole('combobox', { name: 'Add to deployment' });
    expect([...select.querySelectorAll('option')].map((o) => o.textContent)).toEqual(['none', 'Prod']);
    expect(screen.queryByText(DEMO_TARGET_NOTE)).toBeNull();
  });
});
