// `npm test`: every check the project has, in the order that fails fastest: system packages,
// types, lint, build, then the unit, renderer, integration and end-to-end projects (two vitest
// runs side by side, merged into one report).
// Ends with the plain "N passed, N failed" line CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const extra = process.argv.slice(2);

function step(title, cmd, args, options = {}) {
  const started = Date.now();
  console.log(`\n=== ${title}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.log(`=== ${title}: FAILED after ${seconds}s`);
    return false;
  }
  console.log(`=== ${title}: ok (${seconds}s)`);
  return true;
}

const needed = [
  '/usr/sbin/sshd',
  '/usr/bin/ssh',
  '/usr/bin/systemd-nspawn',
  '/usr/sbin/debootstrap',
  '/usr/bin/redis-server',
  '/usr/lib/chromium/chromium',
  '/usr/bin/strace',
];
if (needed.some((file) => !existsSync(file))) {
  if (!step('install system packages for the test bed', 'bash', ['scripts/install-test-deps.sh'])) process.exit(1);
}

let ok = step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
ok = step('lint', 'npx', ['eslint', '.', '--max-warnings=0']) && ok;
ok = step('format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']) && ok;
ok = step('build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn']) && ok;
ok = step('build simulator bundle', 'npm', ['run', '--silent', 'build:sim']) && ok;

// The nspawn fleet's cached Debian tree: built once per recipe version (debootstrap takes
// minutes on a fresh machine), so do it here rather than inside the first test's hook.
ok = step('test bed: cached Debian tree for the nspawn hosts', 'bash', ['testbed/fleet.sh', 'build']) && ok;

mkdirSync(join(root, 'e2e', 'output'), { recursive: true });
const report = join(root, 'e2e', 'output', 'vitest-report.json');
// The e2e chain runs beside the unit, renderer and integration one (scripts/test-vitest.mjs).
const testsOk = step('tests (unit, integration, e2e)', 'node', ['scripts/test-vitest.mjs', report, ...extra]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  failed = json.numFailedTests ?? 0;
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  printFailures(json);
}

// CI keeps only the end of the log: name every failed test and its error's first lines here,
// after the two runs' long interleaved output, so a failure can be read from that tail.
function printFailures(json) {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
  const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');
  const failures = (json.testResults ?? []).flatMap((file) => {
    const where = file.name.startsWith(root) ? file.name.slice(root.length) : file.name;
    const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    // a file that failed outside its tests (a hook, an import) has no failed test to name
    if (!tests.length && file.status === 'failed') return [{ name: `${where} (the file itself)`, message: file.message ?? '' }];
    return tests.map((t) => ({ name: `${where} > ${t.fullName}`, message: (t.failureMessages ?? []).join('\n') }));
  });
  if (!failures.length) return;
  console.log(`\n=== failed tests (${failures.length})`);
  for (const f of failures.slice(0, 20)) {
    console.log(`- ${f.name}`);
    const lines = plain(f.message)
      .split('\n')
      .filter((l) => l.trim());
    // the error, then where in the project it was thrown (not vitest's own frames)
    const frames = lines.filter((l) => /^\s+at /.test(l));
    const shown = [...lines.filter((l) => !frames.includes(l)).slice(0, 3), ...frames.filter((l) => !l.includes('node_modules')).slice(0, 2)];
    for (const line of shown) console.log(`    ${line.trim().slice(0, 300)}`);
  }
  if (failures.length > 20) console.log(`  … and ${failures.length - 20} more (the report: ${report})`);
}
// A failed typecheck, lint or build counts as a failure too, so the line can never read clean.
if (!ok && failed === 0) failed = 1;
if (!testsOk && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok && testsOk && failed === 0 ? 0 : 1);
