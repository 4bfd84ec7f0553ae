import { describe, expect, it } from 'vitest';
import { nextTabIndex } from './tablistKeys';

describe('nextTabIndex (the tabs pattern: arrows wrap, Home/End jump)', () => {
  it('moves right and left with wrap-around', () => {
    expect(nextTabIndex('ArrowRight', 0, 6)).toBe(1);
    expect(nextTabIndex('ArrowRight', 5, 6)).toBe(0);
    expect(nextTabIndex('ArrowLeft', 0, 6)).toBe(5);
    expect(nextTabIndex('ArrowLeft', 3, 6)).toBe(2);
  });
  it('jumps to the ends', () => {
    expect(nextTabIndex('Home', 4, 6)).toBe(0);
    expect(nextTabIndex('End', 1, 6)).toBe(5);
  });
  it('leaves every other key (Tab, Enter, letters) to the page', () => {
    for (const key of ['Tab', 'Enter', ' ', 'a', 'Escape']) expect(nextTabIndex(key, 2, 6)).toBeNull();
  });
  it('does nothing with no tabs', () => {
    expect(nextTabIndex('ArrowRight', 0, 0)).toBeNull();
  });
});
