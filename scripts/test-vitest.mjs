// The vitest part of `npm test`, as two runs side by side: the e2e project (one file at a time,
// it drives Chromium against the nspawn fleet) and everything else (unit, renderer,
// integration). Both chains mostly wait on real hosts, sshd and timers, and vitest runs its
// groups one after the other, so in one run the e2e files would only start once the last
// integration file ended. The e2e run's lines are prefixed `[e2e] `. Each run writes its own
// vitest JSON report; the two are merged into the report path given.
// Usage: node scripts/test-vitest.mjs REPORT.json [vitest args, e.g. file filters]
// Exits 0 only if both runs pass and at least one test file ran.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const [report, ...extra] = process.argv.slice(2);
if (!report?.endsWith('.json')) {
  console.error('usage: node scripts/test-vitest.mjs REPORT.json [vitest args]');
  process.exit(2);
}

// With a filter one side may hold none of the files asked for; that side is then not a failure.
const passWithNoTests = extra.length > 0 ? ['--passWithNoTests'] : [];

function run(name, projects, prefix) {
  const out = report.replace(/\.json$/, `.${name}.json`);
  rmSync(out, { force: true });
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), '--reporter=default', '--reporter=json', `--outputFile.json=${out}`];
  const child = spawn('npx', [...args, ...passWithNoTests, ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    let partial = '';
    from.setEncoding('utf8');
    from.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      if (lines.length) to.write(lines.map((line) => prefix + line).join('\n') + '\n');
    });
    from.on('end', () => partial && to.write(prefix + partial + '\n'));
  }
  return new Promise((resolve) => child.on('close', (code) => resolve({ name, out, code })));
}

const runs = await Promise.all([run('e2e', ['e2e'], '[e2e] '), run('rest', ['unit', 'renderer', 'integration'], '')]);

const COUNTS = [
  'numTotalTestSuites',
  'numPassedTestSuites',
  'numFailedTestSuites',
  'numPendingTestSuites',
  'numTotalTests',
  'numPassedTests',
  'numFailedTests',
  'numPendingTests',
  'numTodoTests',
];
const merged = { success: true, startTime: Infinity, testResults: [] };
for (const key of COUNTS) merged[key] = 0;
let ok = true;
for (const r of runs) {
  if (r.code !== 0) ok = false;
  if (!existsSync(r.out)) {
    console.log(`=== vitest ${r.name}: exited ${r.code} without a report`);
    ok = false;
    continue;
  }
  const json = JSON.parse(readFileSync(r.out, 'utf8'));
  for (const key of COUNTS) merged[key] += json[key] ?? 0;
  merged.success &&= json.success !== false;
  merged.startTime = Math.min(merged.startTime, json.startTime ?? Infinity);
  merged.testResults.push(...(json.testResults ?? []));
}
if (merged.testResults.length === 0) {
  console.log('=== vitest: no test file ran');
  ok = false;
}
merged.success &&= ok;
writeFileSync(report, JSON.stringify(merged));
process.exit(ok ? 0 : 1);
