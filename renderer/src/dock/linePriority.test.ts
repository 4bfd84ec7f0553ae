import { describe, expect, it } from 'vitest';
import { countMatches, filterLines, linePriority, splitMatches } from './linePriority';

describe('follow dock lines', () => {
  it('colours a line by the priority its words give', () => {
    expect(linePriority('Nov 26 12:10:00 demo-9 autotrader-api[81]: ERROR api: questrade: token expired')).toBe('fail');
    expect(linePriority('kernel: <2> machine check')).toBe('fail');
    expect(linePriority('WARNING ingestion: coingecko slow')).toBe('warn');
    expect(linePriority('INFO ingestion: 42 rows')).toBeNull();
    // a word inside another word is not a priority
    expect(linePriority('errors_total=0 terrorist_list=none')).toBeNull();
  });

  it('filters case-insensitively and marks every search match', () => {
    const lines = [{ text: 'ERROR a' }, { text: 'info b' }, { text: 'Error c' }];
    expect(filterLines(lines, 'error').map((l) => l.text)).toEqual(['ERROR a', 'Error c']);
    expect(filterLines(lines, '  ')).toHaveLength(3);
    expect(splitMatches('Error, error!', 'error')).toEqual(['', 'Error', ', ', 'error', '!']);
    expect(splitMatches('abc', '')).toEqual(['abc']);
    // counted as marked, overlapping matches not twice
    expect(countMatches('Error, error!', 'ERROR')).toBe(2);
    expect(countMatches('aaaa', 'aa')).toBe((splitMatches('aaaa', 'aa').length - 1) / 2);
    expect(countMatches('abc', '')).toBe(0);
  });
});
