import { describe, expect, it } from 'vitest';
import { NO_LINES, summaryText, tallyHost } from './newLines';
import { hostOutput } from './shownLines';

const host = (trimmedLines: number, text: string) =>
  hostOutput('h1', 'one', { trimmedLines, output: [{ stream: 'stdout', text }], outputNewlines: text.split('\n').length - 1 });

describe('newLines', () => {
  it('counts whole lines from a number in the run, with their warnings and errors', () => {
    // lines 10-13 kept; the last is still being written
    const h = host(10, 'INFO a\nWARNING b\nERROR c\nWARN');
    expect(tallyHost(NO_LINES, h, 11)).toEqual({ tally: { lines: 2, warnings: 1, errors: 1 }, end: 13 });
    expect(tallyHost(NO_LINES, h, 13)).toEqual({ tally: NO_LINES, end: 13 });
    // the command ended: no newline will come, the last line is whole as it is
    expect(tallyHost(NO_LINES, h, 13, true)).toEqual({ tally: { lines: 1, warnings: 1, errors: 0 }, end: 14 });
  });

  it('counts lines trimmed before they were told, without their words', () => {
    expect(tallyHost(NO_LINES, host(10, 'WARNING b\nINFO c\n'), 4)).toEqual({ tally: { lines: 8, warnings: 1, errors: 0 }, end: 12 });
  });

  it('says the counts an engineer hears, leaving out a count of none', () => {
    expect(summaryText({ lines: 1240, warnings: 3, errors: 0 })).toBe('1,240 new lines, 3 warnings');
    expect(summaryText({ lines: 1, warnings: 0, errors: 1 })).toBe('1 new line, 1 error');
  });
});
