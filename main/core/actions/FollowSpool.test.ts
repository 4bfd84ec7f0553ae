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

it('keeps every batch in order, stderr marked, and pages through it', () => {
  const spools = new FollowSpools({ dir: join(dir, 'spool') });
  const spool = spools.open('run-1', 'web-1');
  spool.append([
    { stream: 'stdout', text: numbered(1, 3) },
    { stream: 'stderr', text: 'lost link\n' },
  ]);
  spool.append([{ stream: 'stdout', text: numbered(4, 5) }]);
  spool.close();
  expect(spools.page('run-1', 'web-1', 0, 100)).toEqual({ lines: ['line 1', 'line 2', 'line 3', '[stderr] lost link', 'line 4', 'line 5'], total: 6 });
  expect(spools.page('run-1', 'web-1', 2, 2).lines).toEqual(['line 3', '[stderr] lost link']);
  expect(statSync(spool.path).mode & 0o777).toBe(0o600);
});

it('stays within its bytes: the oldest part is rotated out and the first line says how much', () => {
  const spools = new FollowSpools({ dir, maxBytes: 20_000 });
  const spool = spools.open('run-2', 'h/1');
  // 500 batches of 10 lines, ~100 bytes a batch: about 48 kB in all, more than twice the bound
  for (let b = 0; b < 500; b++) spool.append([{ stream: 'stdout', text: numbered(b * 10 + 1, b * 10 + 10) }]);
  spool.close();
  const { lines, total } = spools.page('run-2', 'h/1', 0, 100_000);
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

it('keeps the newest spools in the folder and removes older ones', () => {
  const spools = new FollowSpools({ dir, maxSpools: 2 });
  for (const run of ['a', 'b', 'c']) {
    const s = spools.open(`run-${run}`, 'h1');
    s.append([{ stream: 'stdout', text: `${run}\n` }]);
    s.close();
  }
  expect(existsSync(spools.pathOf('run-a', 'h1'))).toBe(false);
  expect(spools.page('run-b', 'h1', 0, 10).lines).toEqual(['b']);
  expect(spools.page('run-c', 'h1', 0, 10).lines).toEqual(['c']);
});
