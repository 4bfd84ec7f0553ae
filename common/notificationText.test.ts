import { describe, expect, it } from 'vitest';
import { HOSTILE_NAMES } from './hostileNames.fixture';
import { notificationText } from './notificationText';

const RAW_HIDDEN = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u;

describe('notificationText', () => {
  it('keeps plain text as it is, with no warning', () => {
    const n = { title: 'CRITICAL: Production: coingecko_api circuit breaker not closed', body: 'OPEN (runbook: circuit-breakers)' };
    expect(notificationText(n)).toEqual(n);
  });

  it('shows a bidi override in an item name as an escape and warns in the body', () => {
    const shown = notificationText({ title: 'Warning: Hostile: evil\u202Egnp.exe breaker', body: 'tripped \u202Etxt.exe (runbook: circuit-breakers)' });
    expect(shown.title).toBe('Warning: Hostile: evil<U+202E>gnp.exe breaker');
    expect(shown.body).toBe(
      'tripped <U+202E>txt.exe (runbook: circuit-breakers)\n⚠ 2 invisible or text-reordering (bidirectional) characters shown as <U+…>: the original text is not what it looks like',
    );
  });

  it('leaves no raw invisible or bidi character from the hostile-name corpus', () => {
    for (const name of HOSTILE_NAMES) {
      const shown = notificationText({ title: `Warning: ${name} failing`, body: `item ${name}` });
      expect(RAW_HIDDEN.test(shown.title + shown.body), JSON.stringify(name)).toBe(false);
    }
  });
});
