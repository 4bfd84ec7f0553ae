import { describe, expect, it } from 'vitest';
import type { ActionSummary, FleetInfo, RunbookSummary } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { paletteItems } from './paletteItems';

const fleet = {
  demo: false,
  configPath: null,
  user: 'me',
  hosts: [
    { id: 'at-1', label: 'trader-1', address: '10.0.0.1', port: 22, user: 'root', demo: false },
    { id: 'at-2', label: 'trader-2', address: '10.0.0.2', port: 22, user: 'root', demo: false },
  ],
  deployments: [{ id: 'prod', name: 'Production', hosts: ['at-1', 'at-2'], healthVia: 'at-1', healthUrl: 'http://127.0.0.1:8000' }],
} as unknown as FleetInfo;

const alert = (state: AlertRecord['state'], id: string) =>
  ({
    id,
    key: id,
    deploymentId: 'prod',
    ruleId: 'breaker-state',
    section: 'circuit-breakers',
    endpoint: 'circuitBreakers',
    item: 'coingecko_api',
    title: 'circuit breaker not closed',
    severity: 'warning',
    state,
    reason: 'OPEN',
  }) as unknown as AlertRecord;

const runbooks: RunbookSummary[] = [
  {
    id: 'circuit-breakers',
    title: 'Circuit breakers',
    source: 'bundled',
    file: 'circuit-breakers.md',
    notes: [],
    weight: null,
    sections: [{ id: 'circuit-breakers', title: 'Circuit breakers', anchor: 'rb-circuit-breakers', area: 'circuit-breakers' }],
  },
  {
    id: 'ops',
    title: 'Operations Runbooks',
    source: '/team',
    file: 'ops.md',
    notes: [],
    weight: null,
    sections: [
      { id: 'introduction', title: 'Introduction', anchor: '', area: null },
      { id: 'rate-limits', title: 'Rate Limit Exhaustion', anchor: 'rb-rate-limit-exhaustion', area: 'rate-limits' },
    ],
  },
];

describe('palette items', () => {
  const items = paletteItems({ fleet, alerts: [alert('firing', 'a1'), alert('resolved', 'a2')], runbooks, actions: [] });
  const labels = items.map((i) => `${i.kind}: ${i.label}`);

  it('lists firing alerts only, with their deployment and reason', () => {
    expect(labels.filter((l) => l.startsWith('Alert'))).toEqual(['Alert: circuit breaker not closed: coingecko_api on Production (OPEN)']);
  });

  it("escapes a bidi override in an alert's reason (from the health API)", () => {
    const hostile = { ...alert('firing', 'a3'), reason: 'error: gateway \u202Etxt.exe' } as AlertRecord;
    const [item] = paletteItems({ fleet, alerts: [hostile], runbooks: null, actions: [] });
    expect(item!.label).toBe('circuit breaker not closed: coingecko_api on Production (error: gateway <U+202E>txt.exe)');
  });

  it('lists each host with the deployment it belongs to, and every deployment, panel and view', () => {
    expect(items.find((i) => i.id === 'host:at-2')!.target).toEqual({ kind: 'host', deploymentId: 'prod', hostId: 'at-2' });
    expect(labels).toContain('Deployment: Production');
    expect(labels.filter((l) => l.startsWith('Panel'))).toHaveLength(7);
    expect(labels).toEqual(expect.arrayContaining(['View: Runbooks', 'View: Hosts', 'View: Actions', 'View: Audit']));
  });

  it('lists a one-section runbook once and a collection per section, without its introduction', () => {
    expect(labels.filter((l) => l.startsWith('Runbook'))).toEqual(['Runbook: Circuit breakers', 'Runbook: Operations Runbooks › Rate Limit Exhaustion']);
  });
});

describe('actions found by the words of what they do', () => {
  it('finds the service restart for "restart ingestion" through its unit choices', async () => {
    const { rankItems } = await import('./fuzzyScore');
    const actions = [
      {
        id: 'service.restart',
        title: 'Restart an autotrader service',
        section: 'data-freshness',
        risk: 'service-affecting',
        streams: false,
        description: 'systemctl restart of one autotrader unit',
        followUp: null,
        params: [{ name: 'unit', label: 'Unit', kind: 'enum', choices: ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers'] }],
      },
      {
        id: 'logrotate.force',
        title: 'Rotate the autotrader logs now',
        section: 'security-checks',
        risk: 'service-affecting',
        streams: false,
        description: 'logrotate -f',
        followUp: null,
        params: [],
      },
    ] as unknown as ActionSummary[];
    const items = paletteItems({ fleet: null, alerts: [], runbooks: null, actions });
    const ranked = rankItems(
      items,
      'restart ingestion',
      (i) => `${i.kind}: ${i.label}`,
      10,
      (i) => i.keywords,
    );
    expect(ranked[0]?.item.id).toBe('action:service.restart');
    // only letters of the shown label are marked
    expect(Math.max(...ranked[0]!.match.positions)).toBeLessThan(`Action: ${ranked[0]!.item.label}`.length);
    expect(
      rankItems(
        items,
        'rotate logs',
        (i) => `${i.kind}: ${i.label}`,
        10,
        (i) => i.keywords,
      )[0]?.item.id,
    ).toBe('action:logrotate.force');
  });
});
