// docs/benchmarks.md quotes bench/results/*.json; a figure edited by hand in the doc, a results
// file not rendered, or a bench with no results would let the doc drift from what was measured.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN, BENCH_DOC, END, readResults, renderResults, replaceSection, RESULTS_DIR } from './benchResults';

const mkdtemp = () => mkdtempSync(join(tmpdir(), 'bench-results-'));
const writeJson = (file: string, value: unknown) => writeFileSync(file, JSON.stringify(value));

describe('docs/benchmarks.md', () => {
  it('holds exactly the section rendered from bench/results (run `npm run docs:bench`)', () => {
    const doc = readFileSync(BENCH_DOC, 'utf8');
    expect(doc).toBe(replaceSection(doc, renderResults(readResults())));
  });

  it('has a results file for every bench in bench/', () => {
    const benches = readdirSync(join(RESULTS_DIR, '..'))
      .filter((f) => f.endsWith('.ts') && f !== 'support.ts')
      .map((f) => f.slice(0, -3));
    expect(readResults().map((r) => r.bench)).toEqual(benches.sort());
  });

  it('stays a reference, not a diary: notes outside the generated section under 120 lines', () => {
    const doc = readFileSync(BENCH_DOC, 'utf8');
    const written = doc.slice(0, doc.indexOf(BEGIN)) + doc.slice(doc.indexOf(END));
    expect(written.split('\n').length).toBeLessThan(120);
  });
});

describe('bench results files', () => {
  it('refuses a results file whose name and bench differ, naming the file', () => {
    const dir = mkdtemp();
    const good = JSON.parse(readFileSync(join(RESULTS_DIR, 'ssh-forward.json'), 'utf8'));
    writeJson(join(dir, 'ssh-connect.json'), good);
    expect(() => readResults(dir)).toThrow('bench/results/ssh-connect.json holds the results of "ssh-forward"');
  });

  it('refuses a results file missing its commit field, naming the file and the field', () => {
    const dir = mkdtemp();
    const { commit: _dropped, ...noCommit } = JSON.parse(readFileSync(join(RESULTS_DIR, 'ssh-forward.json'), 'utf8'));
    writeJson(join(dir, 'ssh-forward.json'), noCommit);
    expect(() => readResults(dir)).toThrow(/bench\/results\/ssh-forward\.json:[\s\S]*commit/);
  });

  it('refuses a doc that lost its markers instead of appending to it', () => {
    expect(() => replaceSection('# Benchmarks\n', 'x')).toThrow(BEGIN);
    expect(() => replaceSection(`${END}\n${BEGIN}\n`, 'x')).toThrow('lost its markers');
  });
});
