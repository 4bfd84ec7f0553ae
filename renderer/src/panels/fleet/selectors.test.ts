import { describe, expect, it } from 'vitest';
import type { EndpointState, FleetInfo } from '../../../../common/contract';
import { healthKey } from '../../store/slices';
import { endpointState, iso, NOW } from '../shared/fixtures';
import { fleetCounts, selectFleetGrid, unreachableHosts } from './selectors';

const deployment = (id: string) => ({ id, name: id.toUpperCase(), hosts: [], healthVia: null, healthUrl: 'http://127.0.0.1:8000' });
const fleetOf = (ids: string[]): FleetInfo =>
  ({ demo: false, configPath: null, user: 'oncall', hosts: [], deployments: ids.map(deployment) }) as unknown as FleetInfo;

const closed = { state: 'CLOSED', failure_count: 0, failure_threshold: 5, recovery_timeout_seconds: 60 };
const breakers = (deploymentId: string, state: string) =>
  ({
    ...endpointState('circuitBreakers', { coingecko_api: { ...closed, state, opened_at: state === 'OPEN' ? iso(-10) : null } }),
    deploymentId,
  }) as EndpointState;
const queues = (deploymentId: string, pending: number) =>
  ({
    ...endpointState('workers', { scanner: { pending, processing_time_p50_ms: 1, processing_time_p95_ms: 2, workers: 2, status: 'healthy' } }),
    deploymentId,
  }) as EndpointState;

function health(states: EndpointState[]): Record<string, EndpointState> {
  return Object.fromEntries(states.map((s) => [healthKey(s.deploymentId, s.endpoint), s]));
}

describe('fleet grid', () => {
  it('one deployment: a row of seven areas, unpolled areas unknown with "no data yet"', () => {
    const rows = selectFleetGrid(fleetOf(['prod']), health([breakers('prod', 'CLOSED')]), NOW);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.cells).toHaveLength(7);
    expect(rows[0]!.cells[3]).toMatchObject({ status: 'ok', headline: 'all ok' });
    expect(rows[0]!.cells[0]).toMatchObject({ status: 'unknown', headline: 'no data yet' });
  });

  it('puts the worst deployment first and names the problem in the cell', () => {
    const rows = selectFleetGrid(
      fleetOf(['alpha', 'bravo', 'charlie']),
      health([breakers('alpha', 'CLOSED'), breakers('bravo', 'OPEN'), breakers('charlie', 'HALF_OPEN'), queues('charlie', 120)]),
      NOW,
    );
    expect(rows.map((r) => [r.deploymentId, r.status])).toEqual([
      ['bravo', 'fail'],
      ['charlie', 'warn'],
      ['alpha', 'unknown'],
    ]);
    expect(rows[0]!.cells[3]!.headline).toBe('coingecko_api: OPEN: 0/5 failures');
    expect(rows[1]!.cells[5]!.headline).toBe('scanner: pending 120 > 50');
  });

  it('among equally failing deployments, the one with more failing areas comes first', () => {
    const rows = selectFleetGrid(
      fleetOf(['a', 'b']),
      health([
        breakers('a', 'OPEN'),
        breakers('b', 'OPEN'),
        {
          ...queues('b', 0),
          items: { scanner: { ok: true, value: { pending: 5, processing_time_p50_ms: 1, processing_time_p95_ms: 2, workers: 1, status: 'stalled' } } },
        },
      ]),
      NOW,
    );
    expect(rows.map((r) => r.deploymentId)).toEqual(['b', 'a']);
  });

  it('an endpoint in error shows its error as the headline', () => {
    const failing = {
      ...breakers('prod', 'CLOSED'),
      status: 'error',
      error: { kind: 'http', message: 'HTTP 502' },
      lastGoodAt: null,
      items: {},
    } as EndpointState;
    const cell = selectFleetGrid(fleetOf(['prod']), health([failing]), NOW)[0]!.cells[3]!;
    expect(cell).toMatchObject({ status: 'unknown', headline: 'http: HTTP 502', error: true });
  });

  it('handles fifty deployments and counts them by status', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const states = ids.map((id, i) => breakers(id, i % 10 === 0 ? 'OPEN' : 'CLOSED'));
    const rows = selectFleetGrid(fleetOf(ids), health(states), NOW);
    expect(rows).toHaveLength(50);
    expect(rows.slice(0, 5).every((r) => r.status === 'fail')).toBe(true);
    expect(fleetCounts(rows)).toEqual({ fail: 5, warn: 0, unknown: 45, ok: 0 });
  });

  it('names the hosts that cannot be reached (failed, frozen, retrying after an error), not one on its first attempt', () => {
    const fleet = {
      ...fleetOf([]),
      hosts: [
        { id: 'web-1', label: 'Web 1' },
        { id: 'web-2', label: 'Web 2' },
        { id: 'web-3', label: 'Web 3' },
        { id: 'bastion', label: 'Bastion' },
      ],
      deployments: [{ ...deployment('prod'), hosts: ['web-1', 'web-2', 'web-3'], healthVia: 'bastion' }],
    } as unknown as FleetInfo;
    const link = (hostId: string, state: string, error: string | null) => ({ hostId, state, error, attempt: 1, nextRetryAt: null, since: iso(0) });
    const connections = {
      'web-1': link('web-1', 'connecting', null),
      'web-2': link('web-2', 'connecting', 'connect ECONNREFUSED 127.0.0.1:22'),
      'web-3': link('web-3', 'connected', null),
      bastion: link('bastion', 'unresponsive', 'no answer for 9 s'),
    } as unknown as Parameters<typeof unreachableHosts>[2];
    expect(unreachableHosts(fleet, fleet.deployments[0]!, connections)).toEqual(['Web 2', 'Bastion']);
    // a failing deployment stays failing; the unreachable hosts ride along
    const rows = selectFleetGrid(fleet, health([breakers('prod', 'OPEN')]), NOW, connections);
    expect(rows[0]).toMatchObject({ status: 'fail', unreachable: ['Web 2', 'Bastion'] });
  });
});
