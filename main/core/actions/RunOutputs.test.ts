// Kept run outputs on a real folder: every batch in order with stderr marked, the middle of a
// long output cut and said so with its size, the newest runs kept, and a disk that refuses the
// file giving up on it without a throw.
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RunOutputs } from './RunOutputs';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-runs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${String(from + i).padStart(4, '0')}\n`).join('');

it('keeps each host of a run in order, stderr marked and dropped lines said, and pages through it', async () => {
  const outputs = new RunOutputs({ dir });
  const web = outputs.open('run-1', 'web-1')!;
  const db = outputs.open('run-1', 'db/1')!;
  web.append([
    { stream: 'stdout', text: 'stopping\n' },
    { stream: 'stderr', text: 'warning: slow\n' },
  ]);
  db.append([{ stream: 'stdout', text: 'db says hi\n' }]);
  web.append([{ stream: 'stdout', text: 'started\n' }], 3);
  web.close();
  db.close();
  expect(await outputs.page('run-1', 'web-1', 0, 100)).toEqual({
    lines: ['stopping', '[stderr] warning: slow', '[opsdeck] 3 lines dropped by the console to keep up', 'started'],
    total: 4,
  });
  expect(await outputs.page('run-1', 'web-1', 1, 1)).toEqual({ lines: ['[stderr] warning: slow'], total: 4 });
  expect(await outputs.page('run-1', 'db/1', 0, 100)).toEqual({ lines: ['db says hi'], total: 1 });
  expect(await outputs.page('run-2', 'web-1', 0, 100)).toBeNull();
});

it('keeps the first and last half of its bound and says how many bytes were cut from the middle', async () => {
  const outputs = new RunOutputs({ dir, maxBytes: 2000 });
  const kept = outputs.open('run-big', 'h1')!;
  // 10 bytes a line: 1000 lines are 10 000 bytes, five times the bound
  for (let from = 1; from <= 1000; from += 100) kept.append([{ stream: 'stdout', text: numbered(from, from + 99) }]);
  kept.close();
  const { lines, total } = (await outputs.page('run-big', 'h1', 0, 10_000))!;
  expect(lines.slice(0, 2)).toEqual(['line 0001', 'line 0002']);
  expect(lines.slice(-2)).toEqual(['line 0999', 'line 1000']);
  const note = lines.findIndex((l) => l.startsWith('[opsdeck]'));
  // the head is whole lines up to 1000 bytes, the tail whole lines within the last 1000
  expect(lines.slice(note - 1, note + 2)).toEqual([
    'line 0100',
    '[opsdeck] 8,000 bytes cut from the middle of this output: a run keeps its first and last 1,000 bytes on each host',
    'line 0901',
  ]);
  expect(total).toBe(201);
  expect(readFileSync(outputs.pathOf('run-big', 'h1')).length).toBeLessThan(2000 + 200);
});

it('cuts a single long line at a character, never inside one', async () => {
  const outputs = new RunOutputs({ dir, maxBytes: 100 });
  const kept = outputs.open('run-wide', 'h1')!;
  kept.append([{ stream: 'stdout', text: `${'é'.repeat(200)}\n` }]);
  kept.close();
  const text = readFileSync(outputs.pathOf('run-wide', 'h1'), 'utf8');
  expect(text).not.toContain('\ufffd');
  const [head, note, tail] = text.split('\n');
  expect(head).toBe('é'.repeat(25));
  // 401 bytes: the head's 50, the tail's 49 (its first whole character within the last 50, and the newline)
  expect(note).toBe('[opsdeck] 302 bytes cut from the middle of this output: a run keeps its first and last 50 bytes on each host');
  expect(tail).toBe('é'.repeat(24));
});

it('keeps the newest runs in the folder and removes older ones as a run starts', async () => {
  const outputs = new RunOutputs({ dir, maxRuns: 2 });
  const at = Date.now() / 1000;
  ['run-a', 'run-b', 'run-c'].forEach((run, i) => {
    const kept = outputs.open(run, 'h1')!;
    kept.append([{ stream: 'stdout', text: `${run}\n` }]);
    kept.close();
    // an older start, as the run began before the next one
    utimesSync(join(dir, run), at - 100 + i, at - 100 + i);
  });
  expect(existsSync(join(dir, 'run-a'))).toBe(false);
  expect(await outputs.page('run-a', 'h1', 0, 10)).toBeNull();
  expect((await outputs.page('run-b', 'h1', 0, 10))!.lines).toEqual(['run-b']);
  expect((await outputs.page('run-c', 'h1', 0, 10))!.lines).toEqual(['run-c']);
  // a second host of a kept run does not remove another run
  outputs.open('run-c', 'h2')!.close();
  expect(existsSync(join(dir, 'run-b'))).toBe(true);
});

it('a folder it cannot write is logged, and nothing throws', () => {
  const warnings: string[] = [];
  // a file where the folder should be: refused whoever runs the test (root ignores permissions)
  writeFileSync(join(dir, 'state'), '');
  const outputs = new RunOutputs({ dir: join(dir, 'state', 'runs'), logger: { warn: (m) => warnings.push(m) } });
  expect(outputs.open('run-x', 'h1')).toBeNull();
  expect(warnings.join('\n')).toMatch(/the output of run-x on h1 is not kept: ENOTDIR/);
});
