import { describe, expect, it } from 'vitest';
import { highlightTerms } from './highlightTerms';

describe('highlightTerms', () => {
  it('marks each word starting with a matched term, case-insensitively, and keeps the rest', () => {
    expect(highlightTerms('Circuit Breaker Trips: breakers reopen', ['circuit', 'breaker'])).toEqual([
      { text: 'Circuit', match: true },
      { text: ' ', match: false },
      { text: 'Breaker', match: true },
      { text: ' Trips: ', match: false },
      { text: 'breakers', match: true },
      { text: ' reopen', match: false },
    ]);
  });

  it('does not mark a term in the middle of a word, and treats regex characters literally', () => {
    expect(highlightTerms('subcircuit a.b', ['circuit', 'a.b'])).toEqual([
      { text: 'subcircuit ', match: false },
      { text: 'a.b', match: true },
    ]);
  });

  it('returns the text unmarked without terms', () => {
    expect(highlightTerms('plain', [])).toEqual([{ text: 'plain', match: false }]);
  });
});
