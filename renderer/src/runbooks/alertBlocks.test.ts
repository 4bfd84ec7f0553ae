import { describe, expect, it } from 'vitest';
import type { RunbookSection } from '../../../common/contract';
import { blocksForAlert } from './alertBlocks';

type Run = { actionId: string; params?: Record<string, string | number> };
const block = (index: number, label: string | null, runs: Run[]) => ({
  kind: 'code' as const,
  block: {
    index,
    lang: 'bash',
    label,
    lines: [
      { text: '# a comment', kind: 'comment' as const, html: '', action: null, withheld: null, placeholders: [], warnings: [] },
      ...runs.map((r) => ({
        text: r.actionId,
        kind: 'command' as const,
        html: '',
        action: { actionId: r.actionId, title: r.actionId, risk: 'read-only' as const, params: r.params ?? {}, note: null },
        withheld: null,
        placeholders: [],
        warnings: [],
      })),
    ],
  },
});
const section = (parts: ReturnType<typeof block>[]) =>
  ({
    id: 's',
    anchor: 'rb-s',
    title: 'S',
    area: 'broker-connectivity',
    alerts: [],
    actions: [],
    symptoms: [],
    diagnosis: [],
    headings: [],
    parts,
  }) as unknown as RunbookSection;

// the blocks as the bundled runbooks label them (the bold line above each block)
const brokers = section([
  block(0, 'Paper trading', [{ actionId: 'journal.tail' }, { actionId: 'service.restart', params: { unit: 'autotrader-api' } }]),
  block(1, 'Alpaca', [{ actionId: 'check.api-keys' }]),
  block(2, 'Questrade', [{ actionId: 'questrade.refresh-token' }]),
  block(3, 'Interactive Brokers (IBKR)', [{ actionId: 'check.ib-gateway' }]),
]);

describe('the runbook blocks that answer an alert', () => {
  it('picks the block named after the item, whatever its case', () => {
    expect(blocksForAlert(brokers, { item: 'questrade', ruleTitle: 'broker not online' })).toEqual(new Set([2]));
    expect(blocksForAlert(brokers, { item: 'ibkr', ruleTitle: 'broker not online' })).toEqual(new Set([3]));
  });

  it('then a block named after the rule, then one whose runnable line takes the item as a parameter', () => {
    const sla = section([
      block(0, 'High latency', [{ actionId: 'check.upstream', params: { upstream: 'coingecko' } }]),
      block(1, 'Low success rate', [{ actionId: 'journal.errors' }, { actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } }]),
    ]);
    expect(blocksForAlert(sla, { item: 'coingecko', ruleTitle: 'success rate' })).toEqual(new Set([1]));
    expect(blocksForAlert(sla, { item: 'coingecko', ruleTitle: 'SLA status' })).toEqual(new Set([0]));
    const breakers = section([
      block(0, 'Watch it recover (preferred)', [{ actionId: 'check.circuit-breakers' }]),
      block(1, 'Reset by hand (only when the service is known to be healthy)', [{ actionId: 'breaker.reset', params: { breaker: 'coingecko_api' } }]),
    ]);
    expect(blocksForAlert(breakers, { item: 'coingecko_api', ruleTitle: 'circuit breaker not closed' })).toEqual(new Set([1]));
  });

  it('matches plurals and word stems: a dependency check finds "Vulnerable dependencies", a key check "Missing API keys"', () => {
    const security = section([
      block(0, 'FA ids in the logs', [{ actionId: 'check.fa-patterns' }]),
      block(1, 'Vulnerable dependencies', [{ actionId: 'check.pip-audit' }]),
      block(2, 'Missing API keys', [{ actionId: 'check.security' }]),
    ]);
    expect(blocksForAlert(security, { item: 'dependency_vulnerabilities', ruleTitle: 'security check failing' })).toEqual(new Set([1]));
    expect(blocksForAlert(security, { item: 'api_key_validation', ruleTitle: 'security check failing' })).toEqual(new Set([2]));
    expect(blocksForAlert(security, { item: 'ibkr_fa_scrubbing', ruleTitle: 'security check failing' })).toEqual(new Set([0]));
  });

  it('marks every runnable block when none names the item, and never a block without a Run', () => {
    const rates = section([block(0, 'Now', [{ actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } }]), block(1, 'Later', [])]);
    expect(blocksForAlert(rates, { item: 'coingecko', ruleTitle: 'rate limit usage' })).toEqual(new Set([0]));
  });
});
