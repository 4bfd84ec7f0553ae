import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../../common/contract';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { failedUnitsText, HostDetail, loadText } from './HostDetail';
import { applyFacts } from './hostsStore';

const facts = (over: Partial<HostFacts>): HostFacts =>
  ({
    hostId: 'trader-1',
    status: 'ok',
    trouble: 0,
    reasons: [],
    refreshedAt: '2026-11-26T12:00:00.000Z',
    error: null,
    os: 'Debian GNU/Linux 12',
    kernel: 'Linux 6.1',
    uptimeSeconds: 3600,
    load: [0.5, 0.4, 0.3],
    cpus: 4,
    cpuPct: 10,
    memory: null,
    disks: [],
    units: [],
    failedUnits: [],
    processes: [],
    history: { at: [], load1: [], memPct: [], diskPct: [] },
    ...over,
  }) as HostFacts;

describe('host facts in words', () => {
  it('says "none" for failed units only when this host answered', () => {
    expect(failedUnitsText(facts({}))).toBe('none');
    expect(failedUnitsText(facts({ failedUnits: ['autotrader-api.service'] }))).toBe('autotrader-api.service');
    expect(failedUnitsText(facts({ error: 'ssh: connect ECONNREFUSED 10.0.0.7:22' }))).toBe('unknown (ssh: connect ECONNREFUSED 10.0.0.7:22)');
    expect(failedUnitsText(facts({ refreshedAt: null }))).toBe('unknown (not read yet)');
  });

  it('says what load it knows, without "– on ? CPUs"', () => {
    expect(loadText([0.5, 0.4, 0.3], 4)).toBe('0.50 / 0.40 / 0.30 on 4 CPUs');
    expect(loadText([0.5, 0.4, 0.3], 1)).toBe('0.50 / 0.40 / 0.30 on 1 CPU');
    expect(loadText([0.5, 0.4, 0.3], null)).toBe('0.50 / 0.40 / 0.30');
    expect(loadText(null, null)).toBe('unknown (not read)');
  });

  it('an unreachable host shows its own reason', () => {
    applyFacts([
      facts({ hostId: 'trader-2' as HostFacts['hostId'], status: 'unknown', error: 'trader-2: host unreachable (timed out after 10 s)', refreshedAt: null }),
    ]);
    render(
      <ApiContext.Provider value={fakeApi({}).api}>
        <HostDetail hostId="trader-2" label="trader-2" />
      </ApiContext.Provider>,
    );
    expect(screen.getByLabelText('Failed units').textContent).toBe('systemctl --failed: unknown (trader-2: host unreachable (timed out after 10 s))');
  });
});
