import { describe, expect, it } from 'vitest';
import { toLines } from '../actions/outputLines';
import { hostOutput, shownLines } from './shownLines';

const run = (trimmedLines: number, ...texts: string[]) => ({
  trimmedLines,
  output: texts.map((text, i) => ({ stream: i % 2 ? ('stderr' as const) : ('stdout' as const), text })),
  outputNewlines: texts.join('').split('\n').length - 1,
});
const hosts = [
  hostOutput('h1', 'one', run(100, 'ERROR a\nINFO b\nIN', 'FO c\n')),
  hostOutput('h2', 'two', run(0, 'INFO d\nWARNING e\n', 'INFO f')),
  hostOutput('h3', 'three', undefined),
];

/** The tab's lines made the plain way: every host's lines, keyed by number in the run, up to the pause, filtered, the newest `max`. */
function plain(pausedAt: Record<string, number> | null, filter: string, max: number) {
  const all = hosts.flatMap((h) => {
    const lines = toLines(h.output).map((l, i) => ({ ...l, key: `${h.id}:${h.first + i}`, host: h.label }));
    return pausedAt ? lines.slice(0, Math.max(0, (pausedAt[h.id] ?? h.first + lines.length) - h.first)) : lines;
  });
  const kept = all.length;
  return { lines: all.filter((l) => l.text.toLowerCase().includes(filter.trim().toLowerCase())).slice(-max), kept };
}

describe('the lines a follow tab shows', () => {
  it('are the newest of every host, up to the pause, filtered, made only for those shown', () => {
    for (const pausedAt of [null, { h1: 102, h2: 1 }, { h1: 50 }, { h2: 99 }] as Array<Record<string, number> | null>)
      for (const filter of ['', 'info', ' error '])
        for (const max of [1, 2, 4, 500])
          expect(shownLines(hosts, pausedAt, filter, max), JSON.stringify({ pausedAt, filter, max })).toEqual(plain(pausedAt, filter, max));
  });
});
