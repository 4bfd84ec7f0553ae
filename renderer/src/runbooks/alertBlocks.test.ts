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
const section = (parts: ReturnType<typeof block>[], fixes: Record<string, string> = {}) =>
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
    fixes,
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
    expect(blocksForAlert(brokers, { item: 'questrade', ruleId: 'broker-status', ruleTitle: 'broker not online' })).toEqual(new Set([2]));
    expect(blocksForAlert(brokers, { item: 'ibkr', ruleId: 'broker-status', ruleTitle: 'broker not online' })).toEqual(new Set([3]));
  });

  it('then a block named after the rule, then one whose runnable line takes the item as a parameter', () => {
    const sla = section([
      block(0, 'High latency', [{ actionId: 'check.upstream', params: { upstream: 'coingecko' } }]),
      block(1, 'Low success rate', [{ actionId: 'journal.errors' }, { actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } }]),
    ]);
    expect(blocksForAlert(sla, { item: 'coingecko', ruleId: 'sla-success-rate', ruleTitle: 'success rate' })).toEqual(new Set([1]));
    expect(blocksForAlert(sla, { item: 'coingecko', ruleId: 'sla-status', ruleTitle: 'SLA status' })).toEqual(new Set([0]));
    const breakers = section([
      block(0, 'Watch it recover (preferred)', [{ actionId: 'check.circuit-breakers' }]),
      block(1, 'Reset by hand (only when the service is known to be healthy)', [{ actionId: 'breaker.reset', params: { breaker: 'coingecko_api' } }]),
    ]);
    expect(blocksForAlert(breakers, { item: 'coingecko_api', ruleId: 'breaker-state', ruleTitle: 'circuit breaker not closed' })).toEqual(new Set([1]));
  });

  it('matches plurals and word stems: a dependency check finds "Vulnerable dependencies", a key check "Missing API keys"', () => {
    const security = section([
      block(0, 'FA ids in the logs', [{ actionId: 'check.fa-patterns' }]),
      block(1, 'Vulnerable dependencies', [{ actionId: 'check.pip-audit' }]),
      block(2, 'Missing API keys', [{ actionId: 'check.security' }]),
    ]);
    expect(blocksForAlert(security, { item: 'dependency_vulnerabilities', ruleId: 'security-check', ruleTitle: 'security check failing' })).toEqual(
      new Set([1]),
    );
    expect(blocksForAlert(security, { item: 'api_key_validation', ruleId: 'security-check', ruleTitle: 'security check failing' })).toEqual(new Set([2]));
    expect(blocksForAlert(security, { item: 'ibkr_fa_scrubbing', ruleId: 'security-check', ruleTitle: 'security check failing' })).toEqual(new Set([0]));
  });

  it('marks every runnable block when none names the item, and never a block without a Run', () => {
    const rates = section([block(0, 'Now', [{ actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } }]), block(1, 'Later', [])]);
    expect(blocksForAlert(rates, { item: 'coingecko', ruleId: 'rate-limit-usage', ruleTitle: 'rate limit usage' })).toEqual(new Set([0]));
  });

  // the blocks and front matter of the bundled worker-queues and sla-violations runbooks
  const queues = (fixes: Record<string, string>) =>
    section(
      [
        block(0, 'More workers', [{ actionId: 'service.restart', params: { unit: 'autotrader-workers' } }]),
        block(1, 'Faster jobs', []),
        block(2, 'Stale jobs', [{ actionId: 'queue.list' }, { actionId: 'queue.clear', params: { queue: 'worker:scanner:queue' } }]),
      ],
      fixes,
    );
  const sla = (fixes: Record<string, string>) =>
    section(
      [
        block(0, 'High latency', [{ actionId: 'check.upstream', params: { upstream: 'coingecko' } }]),
        block(1, 'Low success rate', [{ actionId: 'journal.errors' }, { actionId: 'service.restart', params: { unit: 'autotrader-ingestion' } }]),
      ],
      fixes,
    );
  const queueFixes = { 'queue-pending': 'More workers', 'queue-status': 'More workers' };
  const slaFixes = {
    'sla-status': 'Low success rate',
    'sla-success-rate': 'Low success rate',
    'sla-latency-p95': 'Low success rate',
    'sla-latency-p99': 'Low success rate',
  };

  it('words alone mark the wrong block for a backlog and a degraded SLA source', () => {
    // "pending jobs" names "Stale jobs" (which deletes the queue); the scanner queue's key names it too
    expect(blocksForAlert(queues({}), { item: 'scanner', ruleId: 'queue-pending', ruleTitle: 'pending jobs' })).toEqual(new Set([2]));
    expect(blocksForAlert(queues({}), { item: 'scanner', ruleId: 'queue-status', ruleTitle: 'queue not healthy' })).toEqual(new Set([2]));
    // "latency p95" names "High latency", whose lines only look; SLA status finds the upstream check
    expect(blocksForAlert(sla({}), { item: 'coingecko', ruleId: 'sla-latency-p95', ruleTitle: 'latency p95' })).toEqual(new Set([0]));
    expect(blocksForAlert(sla({}), { item: 'coingecko', ruleId: 'sla-status', ruleTitle: 'SLA status' })).toEqual(new Set([0]));
  });

  it("follows the runbook's link from the alert rule to its fix block, before any word matching", () => {
    for (const [ruleId, ruleTitle] of [
      ['queue-pending', 'pending jobs'],
      ['queue-status', 'queue not healthy'],
    ] as const)
      expect(blocksForAlert(queues(queueFixes), { item: 'scanner', ruleId, ruleTitle })).toEqual(new Set([0]));
    for (const [ruleId, ruleTitle] of [
      ['sla-status', 'SLA status'],
      ['sla-success-rate', 'success rate'],
      ['sla-latency-p95', 'latency p95'],
      ['sla-latency-p99', 'latency p99'],
    ] as const)
      expect(blocksForAlert(sla(slaFixes), { item: 'coingecko', ruleId, ruleTitle })).toEqual(new Set([1]));
  });

  it("takes a link written with the label's colon or another case, and ignores one to a block without a Run", () => {
    expect(blocksForAlert(queues({ 'queue-pending': 'more workers:' }), { item: 'scanner', ruleId: 'queue-pending', ruleTitle: 'pending jobs' })).toEqual(
      new Set([0]),
    );
    // a link to "Faster jobs" (nothing to run) falls back to the words
    expect(blocksForAlert(queues({ 'queue-pending': 'Faster jobs' }), { item: 'scanner', ruleId: 'queue-pending', ruleTitle: 'pending jobs' })).toEqual(
      new Set([2]),
    );
  });
});
