import { describe, expect, it } from 'vitest';
import { worst } from './status';

describe('worst', () => {
  it('orders fail over warn over unknown over ok', () => {
    expect(worst(['ok', 'unknown'])).toBe('unknown');
    expect(worst(['unknown', 'warn', 'ok'])).toBe('warn');
    expect(worst(['warn', 'fail', 'unknown'])).toBe('fail');
    expect(worst(['ok', 'ok'])).toBe('ok');
  });

  it('never calls nothing ok', () => {
    expect(worst([])).toBe('unknown');
  });
});
