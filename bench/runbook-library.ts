// A library shaped like real repositories, loaded and searched as the console does it: 520
// generated runbooks in nested folders (many README.md), Hugo and Docusaurus front matter,
// images beside the files, cross-links, code inside numbered steps, plus one hostile runbook (a
// table of 30,000 distinct words). Prints:
// - load + index: RunbookLibrary.load() (read, parse, outline) until the search worker has every
//   section and answers (target < 2 s);
// - first opening of each runbook: its page (sanitized HTML, highlighted and matched code) is
//   built then, so that cost is printed too;
// - search through the worker: median and p99 over a query mix (target p99 < 20 ms);
// - typing: queries typed a letter every 40 ms; for each keystroke, the time until results for
//   it or a later keystroke arrive (target: none later than 100 ms);
// - the comparator, in the same run: the previous design (the search in main's thread, excerpts
//   costing matched terms x section text) on the same hostile queries, and main's event-loop
//   delay during both.
// Run: npx tsx bench/runbook-library.ts   (or node bench/run.mjs runbook-library)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { bundledCatalog } from '../main/core/actions/Catalog';
import type { Logger } from '../common/logger';
import { RunbookLibrary } from '../main/core/runbooks/RunbookLibrary';
import MiniSearch from 'minisearch';
import { SEARCH_BOOSTS, type IndexedSection } from '../main/core/runbooks/search/searchIndex';
import { recordResult } from './support';

const COUNT = 520;
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const WORDS =
  'check review verify restart rotate inspect compare confirm escalate monitor drain throttle retry rollback page the on-call engineer before after during peak hours dashboards metrics thresholds configuration deployment release upstream provider status error rate success latency backlog timeout token certificate disk memory queue breaker replica index cache lock socket quota pod node cluster etcd apiserver kubelet prometheus alertmanager'.split(
    ' ',
  );
const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const root = mkdtempSync(join(tmpdir(), 'opsdeck-bench-runbooks-'));
const files: string[] = [];
for (let i = 0; i < COUNT; i++) {
  const depth = 1 + (i % 5);
  const dir = Array.from({ length: depth }, (_, d) => `${pick(['alerts', 'services', 'kube', 'infra', 'team'])}-${(i >> d) % 7}`).join('/');
  const name = i % 4 === 0 ? 'README.md' : `${pick(WORDS)}-${i}.md`;
  files.push(`${dir}/${name}`);
}
files.forEach((file, i) => {
  const dir = join(root, file, '..');
  mkdirSync(join(dir, 'img'), { recursive: true });
  writeFileSync(join(dir, 'img', `graph-${i}.png`), PNG);
  const other = files[(i * 37 + 11) % COUNT]!;
  const up = '../'.repeat(file.split('/').length - 1);
  const front =
    i % 3 === 0
      ? `---\ntitle: ${pick(WORDS)} ${pick(WORDS)} ${i}\nweight: ${i % 50}\naliases: [/old/${i}/]\nbookHidden: ${i % 9 === 0}\n---\n`
      : i % 3 === 1
        ? `---\nsidebar_position: ${i % 20}\nsidebar_label: Runbook ${i}\ntags: [${pick(WORDS)}]\n---\n`
        : '';
  writeFileSync(
    join(root, file),
    `${front}# ${pick(WORDS)} ${pick(WORDS)} alert ${i}\n\n${sentence(40)}.\n\n![graph](img/graph-${i}.png)\n\n## Symptoms\n\n- ${sentence(8)}\n- ${sentence(8)}\n\n## Diagnosis\n\n1. ${sentence(10)}:\n\n   \`\`\`bash\n   kubectl get pods -n ${pick(WORDS)}\n   journalctl -u autotrader-api -n 100\n   \`\`\`\n\n2. ${sentence(12)}, see [the other runbook](${up}${other}#symptoms).\n\n## Resolution\n\n\`\`\`bash\nsystemctl restart autotrader-${pick(['api', 'workers', 'ingestion'])}\nredis-cli\nKEYS worker:*\nexit\n\`\`\`\n\n| metric | threshold |\n|---|---|\n| ${pick(WORDS)} | ${i % 100} |\n\n## Escalation\n\n${sentence(20)}.\n`,
  );
});
// the hostile runbook: a table of 30,000 distinct words
const hostile = Array.from(
  { length: 3000 },
  (_, r) => `| ${Array.from({ length: 10 }, (_, c) => `e${(r * 10 + c).toString(36)}x${(r * 7 + c * 13).toString(36)}`).join(' | ')} |`,
).join('\n');
writeFileSync(join(root, 'hostile.md'), `# Hostile\n\n| ${Array.from({ length: 10 }, (_, c) => `c${c}`).join(' | ')} |\n|${'---|'.repeat(10)}\n${hostile}\n`);

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const catalog = bundledCatalog();
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

// warm: the bash parser's WebAssembly, the libraries' JIT
const warm = new RunbookLibrary({ folders: [{ path: root, source: 'bench' }], catalog, logger: silent });
await warm.load();
await warm.search('warm');
await warm.close();

const library = new RunbookLibrary({ folders: [{ path: root, source: 'bench' }], catalog, logger: silent });
const started = performance.now();
const cpu = process.cpuUsage();
await library.load();
const loadedMs = performance.now() - started;
const loadCpu = process.cpuUsage(cpu);
const loadCpuMs = (loadCpu.user + loadCpu.system) / 1000;
await library.search('restart');
const indexedMs = performance.now() - started;
const docs = library.list();

// a page (sanitized HTML, highlighted and matched code) is built when its runbook is first opened
const opens = docs.map((d) => {
  const t = performance.now();
  library.get(d.id);
  return { id: d.id, ms: performance.now() - t };
});
const openTimes = opens.map((o) => o.ms).sort((a, b) => a - b);
const hostileOpenMs = opens.find((o) => o.id === 'hostile')?.ms ?? NaN;

const QUERIES = [
  'restart ingestion',
  'breaker',
  'kubectl pods',
  'escalate on-call',
  'latncy',
  'queue backlog',
  'e',
  'ex',
  'e1',
  'thresholds',
  'journalctl',
  'redis-cli',
  'pod',
  'cert',
  'rollback release',
];
const times: number[] = [];
for (let r = 0; r < 10; r++) {
  for (const q of QUERIES) {
    const t = performance.now();
    await library.search(q, 20);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);

// typing: a letter every 40 ms; each keystroke's latency is until results for it or a later one arrive
const typed = ['restart ingestion', 'e1x', 'exception', 'breaker reset', 'escalation'];
const keystrokes: Array<{ at: number; answered: number | null }> = [];
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
for (const word of typed) {
  for (let n = 1; n <= word.length; n++) {
    const k = { at: performance.now(), answered: null as number | null };
    keystrokes.push(k);
    const index = keystrokes.length - 1;
    library.search(word.slice(0, n), 20).then(
      () => {
        const now = performance.now();
        for (let j = 0; j <= index; j++) keystrokes[j]!.answered ??= now;
      },
      () => {}, // superseded by a later keystroke: that one answers for it
    );
    await new Promise((r) => setTimeout(r, 40));
  }
}
await new Promise((r) => setTimeout(r, 500));
loopDelay.disable();
const workerLoopMaxMs = loopDelay.max / 1e6;
const latencies = keystrokes.map((k) => (k.answered ?? Infinity) - k.at).sort((a, b) => a - b);

// the comparator: the previous design in main's thread (excerpts: terms x section text)
function oldExcerpt(text: string, terms: readonly string[]): string {
  const lower = text.toLowerCase();
  const at =
    terms
      .map((t) => lower.indexOf(t.toLowerCase()))
      .filter((i) => i >= 0)
      .sort((a, b) => a - b)[0] ?? 0;
  return text.slice(Math.max(0, at - 60), at + 100);
}
// the previous options too: prefix matching from the first letter
const inThread = new MiniSearch<IndexedSection>({
  fields: ['title', 'symptoms', 'headings', 'commands', 'body'],
  storeFields: ['runbookId', 'sectionId'],
  searchOptions: { boost: { ...SEARCH_BOOSTS }, prefix: true, fuzzy: (t: string) => (t.length >= 4 ? 0.25 : false), maxFuzzy: 2 },
});
const hostileText = `${hostile}`;
inThread.addAll([
  {
    id: 'hostile#s',
    runbookId: 'hostile',
    sectionId: 's',
    anchor: '',
    partTitle: '',
    title: 'Hostile',
    symptoms: '',
    headings: '',
    commands: '',
    body: hostileText,
  },
]);
const oldTimes: number[] = [];
const oldLoop = monitorEventLoopDelay({ resolution: 1 });
oldLoop.enable();
for (const q of ['e', 'ex', 'e1']) {
  const t = performance.now();
  for (const r of inThread.search(q).slice(0, 20)) oldExcerpt(hostileText, r.terms);
  oldTimes.push(performance.now() - t);
  await new Promise((r) => setTimeout(r, 5));
}
oldLoop.disable();
const newHostile: number[] = [];
for (const q of ['e', 'ex', 'e1']) {
  const t = performance.now();
  await library.search(q, 20);
  newHostile.push(performance.now() - t);
}
await library.close();

// the comparator for the load, same run: the previous design built every page while loading
const eager = new RunbookLibrary({ folders: [{ path: root, source: 'bench' }], catalog, logger: silent });
const eagerStarted = performance.now();
await eager.load();
for (const d of eager.list()) eager.get(d.id);
await eager.search('restart');
const eagerMs = performance.now() - eagerStarted;
await eager.close();
rmSync(root, { recursive: true, force: true });

const sections = docs.reduce((n, d) => n + d.sections.length, 0);
console.log(
  `library: ${docs.length} runbooks (${COUNT} generated + 1 hostile with 30,000 distinct words), ${sections} sections, ${library.problems.length} skipped`,
);
console.log(
  `load (read, parse, outline): ${fmt(loadedMs)} ms wall, ${fmt(loadCpuMs)} ms CPU of main's thread; load + index until the worker answers: ${fmt(indexedMs)} ms (target < 2000 ms)`,
);
console.log(
  `comparator, same run: load + index with every page built at load, as before: ${fmt(eagerMs)} ms (${(eagerMs / indexedMs).toFixed(1)}x the load now)`,
);
console.log(
  `first opening of each runbook (its page built then): median ${fmt(quantile(openTimes, 0.5))} ms, p99 ${fmt(quantile(openTimes, 0.99))} ms, the hostile one ${fmt(hostileOpenMs)} ms; all ${docs.length}: ${fmt(openTimes.reduce((a, b) => a + b, 0))} ms`,
);
console.log(
  `search through the worker: ${times.length} queries, median ${fmt(quantile(times, 0.5))} ms, p99 ${fmt(quantile(times, 0.99))} ms, max ${fmt(times[times.length - 1]!)} ms (target p99 < 20 ms)`,
);
console.log(
  `typing (${keystrokes.length} keystrokes, one per 40 ms): results after median ${fmt(quantile(latencies, 0.5))} ms, max ${fmt(latencies[latencies.length - 1]!)} ms (target: none later than 100 ms); main's event-loop delay max ${fmt(workerLoopMaxMs)} ms`,
);
console.log(
  `comparator, same run: hostile queries e / ex / e1 in main's thread with the previous excerpts: ${oldTimes.map(fmt).join(' / ')} ms, main's event loop blocked up to ${fmt(oldLoop.max / 1e6)} ms; through the worker now: ${newHostile.map(fmt).join(' / ')} ms (${(Math.max(...oldTimes) / Math.max(...newHostile)).toFixed(0)}x)`,
);
console.log(
  `load average during the run: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
recordResult(
  'runbook-library',
  {
    question: 'How long do 500+ repository-shaped runbooks take to load and index, and how fast is search, with a hostile runbook in the library?',
    comparator: "same run: a load that builds every page as before; the hostile queries in main's thread with the previous excerpt code",
  },
  [
    {
      figure: `load + index until the search worker answers (${docs.length} runbooks)`,
      value: `${fmt(indexedMs)} ms wall, ${fmt(loadCpuMs)} ms CPU of main's thread`,
      target: `< 2000 ms: ${indexedMs < 2000 ? 'met' : 'not met'}`,
      against: `${fmt(eagerMs)} ms with every page built at load, as before`,
    },
    {
      figure: 'first opening of a runbook (its page is built then)',
      value: `median ${fmt(quantile(openTimes, 0.5))} ms, p99 ${fmt(quantile(openTimes, 0.99))} ms, hostile ${fmt(hostileOpenMs)} ms`,
    },
    {
      figure: `search through the worker (${times.length} queries)`,
      value: `median ${fmt(quantile(times, 0.5))} ms, p99 ${fmt(quantile(times, 0.99))} ms`,
      target: `p99 < 20 ms: ${quantile(times, 0.99) < 20 ? 'met' : 'not met'}`,
    },
    {
      figure: `typing, a letter every 40 ms (${keystrokes.length} keystrokes)`,
      value: `results after median ${fmt(quantile(latencies, 0.5))} ms, max ${fmt(latencies[latencies.length - 1]!)} ms`,
      target: `none later than 100 ms: ${latencies[latencies.length - 1]! <= 100 ? 'met' : 'not met'}`,
    },
    {
      figure: 'hostile queries e / ex / e1 through the worker',
      value: `${newHostile.map(fmt).join(' / ')} ms`,
      against: `${oldTimes.map(fmt).join(' / ')} ms in main's thread before`,
    },
  ],
);
