// `npm run docs:bench`: rewrite the generated part of docs/benchmarks.md from bench/results/*.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { BENCH_DOC, readResults, renderResults, replaceSection } from './benchResults';

const doc = readFileSync(BENCH_DOC, 'utf8');
const next = replaceSection(doc, renderResults(readResults()));
if (next === doc) process.stdout.write('docs/benchmarks.md is current\n');
else {
  writeFileSync(BENCH_DOC, next);
  process.stdout.write('docs/benchmarks.md: results section rewritten\n');
}
