import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lineSplitter';

const texts = (lines: { text: string }[]) => lines.map((l) => l.text);

describe('LineSplitter', () => {
  it('gives back exactly the lines of the stream however it is cut into chunks', () => {
    const stream = 'first line\nsecond\n\nfourth after an empty one\nlast, unterminated';
    for (let size = 1; size <= stream.length; size++) {
      const splitter = new LineSplitter();
      const lines: string[] = [];
      for (let i = 0; i < stream.length; i += size) lines.push(...texts(splitter.push(stream.slice(i, i + size))));
      expect(lines, `chunks of ${size}`).toEqual(['first line', 'second', '', 'fourth after an empty one']);
      expect(splitter.end()).toEqual({ text: 'last, unterminated', cutChars: 0 });
      expect(splitter.end(), 'nothing left after end').toBeNull();
    }
  });

  it('keeps a carriage return for the caller to judge', () => {
    expect(texts(new LineSplitter().push('dos\r\nunix\n'))).toEqual(['dos\r', 'unix']);
  });

  it('cuts a line longer than the limit, counting what it dropped across chunks, and starts the next line whole', () => {
    const splitter = new LineSplitter(5);
    expect(splitter.push('abcdefgh')).toEqual([]);
    expect(splitter.push('ij\nnext\n')).toEqual([
      { text: 'abcde', cutChars: 5 },
      { text: 'next', cutChars: 0 },
    ]);
    expect(splitter.push('0123456')).toEqual([]);
    expect(splitter.end()).toEqual({ text: '01234', cutChars: 2 });
    expect(new LineSplitter(5).push('12345\n')).toEqual([{ text: '12345', cutChars: 0 }]);
  });
});
