import { describe, expect, it } from 'vitest';
import { countLines, countLinesOf, linesBetween, toLines } from './outputLines';

type Chunk = { stream: 'stdout' | 'stderr'; text: string };

/** Output as the store keeps it: chunks that cut lines anywhere, streams interleaved, open last lines. */
const cases: Chunk[][] = [
  [],
  [{ stream: 'stdout', text: '' }],
  [{ stream: 'stdout', text: 'a\nb\n' }],
  [{ stream: 'stdout', text: 'a\n\nb' }],
  [{ stream: 'stdout', text: '\n' }],
  [
    { stream: 'stdout', text: 'one\ntw' },
    { stream: 'stderr', text: 'o\nthree\n' },
    { stream: 'stdout', text: '' },
    { stream: 'stdout', text: 'four' },
    { stream: 'stderr', text: '\n' },
    { stream: 'stdout', text: 'five' },
  ],
  [
    { stream: 'stderr', text: 'x' },
    { stream: 'stdout', text: 'y' },
    { stream: 'stderr', text: 'z\n\n\n' },
    { stream: 'stdout', text: 'last\n' },
  ],
  [
    { stream: 'stdout', text: 'a\nb' },
    { stream: 'stderr', text: '' },
  ],
];

const newlines = (chunks: Chunk[]) => chunks.reduce((n, c) => n + c.text.split('\n').length - 1, 0);

describe('output lines', () => {
  it('counts and slices lines as toLines makes them, across chunk and stream boundaries', () => {
    for (const chunks of cases) {
      const all = toLines(chunks);
      expect(countLines(chunks)).toBe(all.length);
      for (let from = 0; from <= all.length + 1; from++) {
        for (let to = from; to <= all.length + 1; to++) expect(linesBetween(chunks, from, to)).toEqual(all.slice(from, to));
      }
    }
  });

  it('counts lines from the newlines counted as they came, and finds the newest lines from the end', () => {
    for (const chunks of cases) {
      const all = toLines(chunks);
      expect(countLinesOf(chunks, newlines(chunks))).toBe(all.length);
      for (let from = 0; from <= all.length + 1; from++) {
        for (let to = from; to <= all.length + 1; to++) expect(linesBetween(chunks, from, to, all.length)).toEqual(all.slice(from, to));
      }
    }
  });
});
