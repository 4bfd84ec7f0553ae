// The follow spool on a real folder: every line kept in order, stderr marked, bounded by bytes
// with what was rotated out said first, and old spools removed.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FollowSpools } from './FollowSpool';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

it('keeps every batch in order, stderr marked, and pages through it', async () => {
  const spools = new FollowSpools({ dir: join(dir, 'spool') });
  const spool = spools.open('run-1', 'web-1');
  spool.append([
    { stream: 'stdout', text: numbered(1, 3) },
    { stream: 'stderr', text: 'lost link\n' },
  ]);
  spool.append([{ stream: 'stdout', text: numbered(4, 5) }]);
  spool.close();
  expect(await spools.page('run-1', 'web-1', 0, 100)).toEqual({ lines: ['line 1', 'line 2', 'line 3', '[stderr] lost link', 'line 4', 'line 5'], total: 6 });
  expect(await (await spools.page('run-1', 'web-1', 2, 2))!.lines).toEqual(['line 3', '[stderr] lost link']);
  expect(statSync(spool.path).mode & 0o777).toBe(0o600);
});

it('stays within its bytes: the oldest part is rotated out and the first line says how much', async () => {
  const spools = new FollowSpools({ dir, maxBytes: 20_000 });
  const spool = spools.open('run-2', 'h/1');
  // 500 batches of 10 lines, ~100 bytes a batch: about 48 kB in all, more than twice the bound
  for (let b = 0; b < 500; b++) spool.append([{ stream: 'stdout', text: numbered(b * 10 + 1, b * 10 + 10) }]);
  spool.close();
  const { lines, total } = (await spools.page('run-2', 'h/1', 0, 100_000))!;
  expect(total).toBe(lines.length);
  const kept = lines.slice(1).map((l) => Number(l.slice('line '.length)));
  // what is kept is the newest part, whole and in order, up to the last line
  expect(kept.at(-1)).toBe(5000);
  expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 5000 - kept.length + 1 + i));
  expect(lines[0]).toBe(
    `[opsdeck] the spool keeps 20000 bytes: the first ${5000 - kept.length} lines (${numbered(1, 5000 - kept.length).length} bytes) of this follow were rotated out`,
  );
  expect(kept.length).toBeGreaterThan(1000);
  const onDisk = statSync(spool.path).size + statSync(`${spool.path}.1`).size;
  expect(onDisk).toBeLessThanOrEqual(20_000 + 200);
});

it('keeps the newest spools in the folder and removes older ones', async () => {
  const spools = new FollowSpools({ dir, maxSpools: 2 });
  for (const run of ['a', 'b', 'c']) {
    const s = spools.open(`run-${run}`, 'h1');
    s.append([{ stream: 'stdout', text: `${run}\n` }]);
    s.close();
  }
  expect(existsSync(spools.pathOf('run-a', 'h1'))).toBe(false);
  expect(await (await spools.page('run-b', 'h1', 0, 10))!.lines).toEqual(['b']);
  expect(await (await spools.page('run-c', 'h1', 0, 10))!.lines).toEqual(['c']);
});

it('pages a spool that is still being written and rotated: each page is the lines at those numbers, the last one too', async () => {
  const spools = new FollowSpools({ dir, maxBytes: 40_000 });
  const spool = spools.open('run-3', 'h1');
  let written = 0;
  const write = (n: number) => {
    spool.append([{ stream: 'stdout', text: numbered(written + 1, written + n) }]);
    written += n;
  };
  write(100);
  expect(await spools.page('run-3', 'h1', 90, 20)).toEqual({ lines: numbered(91, 100).trimEnd().split('\n'), total: 100 });
  // a line without its newline yet is the last line, whole once the rest comes
  spool.append([{ stream: 'stdout', text: 'line 10' }]);
  expect((await spools.page('run-3', 'h1', 100, 5))!.lines).toEqual(['line 10']);
  spool.append([{ stream: 'stdout', text: '1\n' }]);
  written++;
  expect((await spools.page('run-3', 'h1', 99, 5))!.lines).toEqual(['line 100', 'line 101']);
  // past one rotation (no note yet: nothing is rotated out), then past several (the note is line 0)
  while (written < 8000) write(50);
  const once = (await spools.page('run-3', 'h1', 0, 1_000_000))!;
  const numbers = (lines: string[]) => lines.filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5)));
  const kept = numbers(once.lines);
  expect(kept.at(-1)).toBe(written);
  expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => written + 1 - kept.length + i));
  expect(once.lines[0]).toMatch(/^\[opsdeck\] the spool keeps 40000 bytes: the first \d+ lines/);
  expect(once.total).toBe(once.lines.length);
  // paged 37 lines at a time, the same lines as read at once
  const paged: string[] = [];
  for (let from = 0; from < once.total; from += 37) paged.push(...(await spools.page('run-3', 'h1', from, 37))!.lines);
  expect(paged).toEqual(once.lines);
  spool.close();
});

it('has no page of a spool that is not there', async () => {
  const spools = new FollowSpools({ dir });
  expect(await spools.page('run-none', 'h1', 0, 10)).toBeNull();
});
