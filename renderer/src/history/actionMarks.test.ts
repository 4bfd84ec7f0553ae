import { describe, expect, it } from 'vitest';
import type { ActionSummary, AuditRecord, DeploymentInfo, TeamActivityItem } from '../../../common/contract';
import { AREA_ENDPOINT } from '../runbooks/runbookStore';
import { actionMarks, type MarkSources } from './actionMarks';

const audit = (seq: number, kind: AuditRecord['kind'], runId: string, actionId: string, hostId: string, at: string, outcome: string | null = null) =>
  ({ seq, at, kind, user: 'alice', runId, actionId, hostId, command: 'x', exitCode: null, outcome, prevHash: '', hash: '' }) as AuditRecord;
const team = (
  id: string,
  event: 'intent' | 'outcome' | 'ack',
  runId: string,
  actionId: string,
  hostId: string,
  at: string,
  mine = false,
  outcome: string | null = null,
) =>
  ({
    id,
    hostId,
    at,
    event,
    user: 'bob',
    console: 'c2',
    mine,
    runId,
    actionId,
    command: null,
    outcome,
    exitCode: null,
    alertKey: null,
    ackKind: null,
    until: null,
    text: '',
  }) as TeamActivityItem;
const catalog = [
  { id: 'service.restart', title: 'Restart a service', section: 'data-freshness' },
  { id: 'breaker.reset', title: 'Reset a circuit breaker', section: 'circuit-breakers' },
] as ActionSummary[];
const deployments = [
  { id: 'prod', name: 'prod', hosts: ['p1', 'p2'], healthVia: 'p1', healthUrl: '' },
  { id: 'stage', name: 'stage', hosts: ['s1'], healthVia: 's1', healthUrl: '' },
] as unknown as DeploymentInfo[];
const base: MarkSources = { audit: [], team: [], catalog, deployments, origins: {}, areaEndpoints: AREA_ENDPOINT };

describe('action marks', () => {
  it("puts this console's run on its action's panel, once per run over its hosts, with who, what and outcome", () => {
    const sources = {
      ...base,
      audit: [
        audit(1, 'intent', 'r1', 'breaker.reset', 'p1', '2026-12-06T20:00:02Z'),
        audit(2, 'intent', 'r1', 'breaker.reset', 'p2', '2026-12-06T20:00:01Z'),
        audit(3, 'result', 'r1', 'breaker.reset', 'p1', '2026-12-06T20:00:03Z', 'succeeded'),
        audit(4, 'result', 'r1', 'breaker.reset', 'p2', '2026-12-06T20:00:03Z', 'succeeded'),
      ],
    };
    expect(actionMarks(sources, 'prod', 'circuitBreakers')).toEqual([
      { key: 'r1', at: Date.parse('2026-12-06T20:00:01Z'), who: 'you (alice)', what: 'Reset a circuit breaker on p1, p2: succeeded', mine: true },
    ]);
    expect(actionMarks(sources, 'prod', 'freshness')).toEqual([]);
    expect(actionMarks(sources, 'stage', 'circuitBreakers')).toEqual([]);
  });

  it("puts a run started from an alert on that alert's panel instead", () => {
    const sources = {
      ...base,
      audit: [audit(1, 'intent', 'r2', 'service.restart', 'p1', '2026-12-06T20:01:00Z')],
      origins: { r2: { deploymentId: 'prod', endpoint: 'rateLimits' as const } },
    };
    expect(actionMarks(sources, 'prod', 'rateLimits').map((m) => m.what)).toEqual(['Restart a service on p1: running']);
    expect(actionMarks(sources, 'prod', 'freshness')).toEqual([]);
  });

  it('knows the alert a run came from by its intent record after the page has forgotten it', () => {
    const intent = {
      ...audit(1, 'intent', 'r5', 'service.restart', 'p1', '2026-12-06T20:01:00Z'),
      alert: {
        id: 'a-3',
        key: 'prod/rate-limit-usage/coingecko',
        firedAt: '2026-12-06T20:00:00.000Z',
        ruleId: 'rate-limit-usage',
        title: 'rate limit usage',
        item: 'coingecko',
        deploymentId: 'prod',
        endpoint: 'rateLimits' as const,
      },
    };
    const sources = { ...base, audit: [intent] };
    expect(actionMarks(sources, 'prod', 'rateLimits').map((m) => m.what)).toEqual(['Restart a service on p1: running']);
    expect(actionMarks(sources, 'prod', 'freshness')).toEqual([]);
  });

  it("shows a teammate's run from the team timeline, and not this console's own records twice", () => {
    const sources = {
      ...base,
      audit: [audit(1, 'intent', 'r3', 'service.restart', 'p1', '2026-12-06T20:02:00Z')],
      team: [
        team('a', 'intent', 'r3', 'service.restart', 'p1', '2026-12-06T20:02:00Z', true),
        team('b', 'intent', 'r4', 'service.restart', 's1', '2026-12-06T20:00:00Z'),
        team('c', 'outcome', 'r4', 'service.restart', 's1', '2026-12-06T20:00:04Z', false, 'failed'),
        team('d', 'intent', 'r5', 'service.restart', 'p2', '2026-12-06T19:59:00Z'),
      ],
    };
    expect(actionMarks(sources, 'prod', 'freshness').map((m) => `${m.who}: ${m.what}`)).toEqual([
      'bob: Restart a service on p2: running',
      'you (alice): Restart a service on p1: running',
    ]);
    expect(actionMarks(sources, 'stage', 'freshness').map((m) => `${m.who}: ${m.what}`)).toEqual(['bob: Restart a service on s1: failed']);
  });
});
