import { describe, expect, it } from 'vitest';
import { fuzzyScore, rankItems } from './fuzzyScore';

const labels = [
  'Panel: Circuit breakers',
  'Runbook: Circuit breakers › Circuit breakers',
  'Action: Reset a circuit breaker',
  'Host: trader-1',
  'Host: trader-2',
  'Deployment: Autotrader test fleet',
  'Panel: Rate limits',
  'View: Audit',
];

describe('palette fuzzy matching', () => {
  it('matches words in order as subsequences and drops non-matches', () => {
    expect(fuzzyScore('cb', 'Panel: Circuit breakers')).not.toBeNull();
    expect(fuzzyScore('xyz', 'Panel: Circuit breakers')).toBeNull();
    expect(fuzzyScore('trader-3', 'Host: trader-1')).toBeNull();
  });

  it('ranks a word-start hit above a scattered one, and every query word must match', () => {
    const ranked = rankItems(labels, 'rate', (l) => l).map((r) => r.item);
    expect(ranked[0]).toBe('Panel: Rate limits');
    expect(rankItems(labels, 'panel circ', (l) => l).map((r) => r.item)).toEqual(['Panel: Circuit breakers']);
    expect(rankItems(labels, 'trader-2', (l) => l)[0]!.item).toBe('Host: trader-2');
  });

  it('tolerates skipped letters ("crcut brkr")', () => {
    const ranked = rankItems(labels, 'crcut brkr', (l) => l).map((r) => r.item);
    expect(ranked).toContain('Panel: Circuit breakers');
    expect(ranked).not.toContain('Host: trader-1');
  });

  it('reports the matched positions for highlighting', () => {
    expect(fuzzyScore('aud', 'View: Audit')!.positions).toEqual([6, 7, 8]);
  });

  it('keeps every item, in order, for an empty query', () => {
    expect(rankItems(labels, '', (l) => l).map((r) => r.item)).toEqual(labels);
  });
});
