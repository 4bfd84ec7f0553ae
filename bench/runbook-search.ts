// Runbook search's speed figures: index and search 500 runbooks of realistic size (each like a bundled
// one: front matter, symptoms, numbered diagnosis, three or four labelled bash/python code
// blocks, escalation; about 3 KB of Markdown). Prints the time to parse them (markdown-it,
// sanitize-html, highlight.js and the snippet matcher: what start-up pays), the time to build
// the minisearch index from the parsed sections (the target: under 1 s), and median / p99 of
// RunbookLibrary.search (the contract call's work: fuzzy + prefix search, ranking, excerpts;
// the target: under 5 ms) over a mix of exact, partial, typo'd and multi-word queries.
// Run: npx tsx bench/runbook-search.ts [--runbooks 500] [--rounds 20]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bundledCatalog } from '../main/core/actions/Catalog';
import type { Logger } from '../common/logger';
import { parseRunbook, type ParsedRunbook } from '../main/core/runbooks/parseRunbook';
import { RunbookLibrary, searchEntries } from '../main/core/runbooks/RunbookLibrary';
import { createSearchIndex } from '../main/core/runbooks/search/searchIndex';
import { loadBashParser } from '../main/core/runbooks/shell/bashParser';
import { SnippetMatcher } from '../main/core/runbooks/SnippetMatcher';
import { recordResult } from './support';

const { values } = parseArgs({ options: { runbooks: { type: 'string', default: '500' }, rounds: { type: 'string', default: '20' } } });
const COUNT = Number(values.runbooks);
const ROUNDS = Number(values.rounds);

// A fixed seed: every run indexes the same corpus.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

const SYSTEMS = ['ingestion', 'workers', 'api', 'scanner', 'pricing', 'ledger', 'gateway', 'scheduler', 'notifier', 'reporting', 'risk', 'settlement'];
const SOURCES = ['coingecko', 'dexscreener', 'blockscout', 'alpaca', 'questrade', 'ibkr', 'etherscan', 'groq', 'kraken', 'binance'];
const NOUNS = [
  'latency',
  'backlog',
  'timeout',
  'token',
  'certificate',
  'disk',
  'memory',
  'queue',
  'breaker',
  'replica',
  'index',
  'cache',
  'lock',
  'socket',
  'quota',
];
const VERBS = ['spikes', 'stalls', 'expires', 'fills up', 'drifts', 'flaps', 'times out', 'leaks', 'reopens', 'degrades'];
const UNITS = ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers'];
const WORDS =
  'check review verify restart rotate inspect compare confirm escalate monitor drain throttle retry rollback page the on-call engineer before after during peak hours dashboards metrics thresholds configuration deployment release upstream provider status page error rate success rate p95 p99'.split(
    ' ',
  );

const sentence = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');

function runbook(i: number): string {
  const system = pick(SYSTEMS);
  const source = pick(SOURCES);
  const noun = pick(NOUNS);
  const unit = pick(UNITS);
  const lines = [
    '---',
    `alerts: [${system}-${noun}, ${source}-errors]`,
    `actions: [service.restart, journal.tail]`,
    '---',
    `# ${source} ${noun} ${pick(VERBS)} in ${system} (${i})`,
    '',
    `When the ${system} service sees ${source} ${noun} problems, ${sentence(18)}.`,
    '',
    '## Symptoms',
    '',
    `- ${noun} ${pick(VERBS)} for ${source}`,
    `- ${system} error rate above ${1 + Math.floor(rand() * 20)} %`,
    `- ${sentence(8)}`,
    '',
    '## Diagnosis',
    '',
    ...Array.from({ length: 4 }, (_, k) => `${k + 1}. **${pick(WORDS)} ${pick(NOUNS)}**: ${sentence(12)}`),
    '',
    '## Resolution',
    '',
    `**For ${source}:**`,
    '',
    '```bash',
    `# ${sentence(6)}`,
    `journalctl -u ${unit} -n ${50 + Math.floor(rand() * 200)}`,
    `curl http://localhost:8000/api/health/${pick(['rate-limits', 'security', 'circuit-breakers'])} | jq`,
    '',
    `# ${sentence(5)}`,
    `systemctl restart ${unit}`,
    '```',
    '',
    `**If ${noun} keeps ${pick(VERBS)}:**`,
    '',
    '```bash',
    `grep -i "${pick(NOUNS)}" /var/log/autotrader/*.log`,
    `export ${source.toUpperCase()}_API_KEY="your-key"`,
    'redis-cli',
    `KEYS worker:*`,
    '```',
    '',
    '```python',
    'from src.services.reliability import CIRCUIT_REGISTRY',
    `breaker = CIRCUIT_REGISTRY.get_monitor("${pick(['coingecko_api', 'dexscreener_api', 'blockscout_api', 'ethereum_rpc'])}")`,
    'breaker.reset()',
    '```',
    '',
    `| step | owner | when |`,
    `|---|---|---|`,
    ...Array.from({ length: 4 }, () => `| ${pick(WORDS)} | ${pick(SYSTEMS)} team | ${pick(WORDS)} |`),
    '',
    '## Escalation',
    '',
    `${sentence(25)}. See [the ${system} notes](${system}.md) and the [status page](https://status.example.com).`,
    '',
  ];
  return lines.join('\n');
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(3) : ms.toFixed(1));

await loadBashParser();
const catalog = bundledCatalog();
const matcher = new SnippetMatcher(catalog);
const texts = Array.from({ length: COUNT }, (_, i) => runbook(i));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

// Warm the libraries once (JIT, lazy language registration) on a separate runbook.
parseRunbook(runbook(-1), { id: 'warm', source: 'bench', file: 'warm.md', dir: null, catalog, matcher });

// CPU time beside wall time: on a shared, loaded machine the wall clock also counts the time
// other processes held the CPU; process CPU time does not.
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const parseCpuStart = process.cpuUsage();
let started = performance.now();
const parsed: ParsedRunbook[] = texts.map((text, i) => parseRunbook(text, { id: `rb-${i}`, source: 'bench', file: `rb-${i}.md`, dir: null, catalog, matcher }));
const parseMs = performance.now() - started;
const parseCpuMs = cpuMs(parseCpuStart);
const indexRuns: number[] = [];
const indexCpu: number[] = [];
for (let r = 0; r < 5; r++) {
  const index = createSearchIndex();
  const entries = parsed.flatMap(searchEntries);
  const cpu = process.cpuUsage();
  started = performance.now();
  index.addAll(entries);
  indexRuns.push(performance.now() - started);
  indexCpu.push(cpuMs(cpu));
}
indexCpu.sort((a, b) => a - b);
indexRuns.sort((a, b) => a - b);

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const library = new RunbookLibrary({ folders: [], catalog, logger: silent });
started = performance.now();
texts.forEach((text, i) => library.add(text, { path: '/bench', source: 'bench' }, `/bench/rb-${i}.md`));
const loadMs = performance.now() - started;

const QUERIES = [
  'circuit breaker',
  'breaker',
  'coingecko latency',
  'restart ingestion',
  'journalctl',
  'redis-cli',
  'queue backlog',
  'token expires',
  'certifcate',
  'latncy spikes',
  'dexscrener',
  'autotrader-workers',
  'error rate',
  'p99',
  'rollback release',
  'disk fills up',
  'sched',
  'quot',
  'settlement risk',
  'on-call engineer',
  'status page',
  'api key',
  'logrotate',
  'kraken timeout',
  'replica drifts',
];
for (const q of QUERIES) await library.search(q); // warm
const times: number[] = [];
let hits = 0;
const searchCpu = process.cpuUsage();
for (let r = 0; r < ROUNDS; r++) {
  for (const q of QUERIES) {
    const t = performance.now();
    hits += (await library.search(q, 20)).hits.length;
    times.push(performance.now() - t);
  }
}
const searchCpuMs = cpuMs(searchCpu);
times.sort((a, b) => a - b);

console.log(
  `runbooks: ${COUNT}, ${(bytes / 1024).toFixed(0)} KiB of Markdown (${(bytes / COUNT / 1024).toFixed(1)} KiB each), ${parsed.reduce((n, p) => n + p.doc.sections.length, 0)} sections`,
);
console.log(
  `parse (markdown-it + sanitize-html + highlight.js + snippet matcher): ${fmt(parseMs)} ms total, ${fmt(parseMs / COUNT)} ms per runbook; CPU time ${fmt(parseCpuMs / COUNT)} ms per runbook`,
);
console.log(
  `index build (minisearch addAll of every section): median ${fmt(quantile(indexRuns, 0.5))} ms, min ${fmt(indexRuns[0]!)} ms, max ${fmt(indexRuns[indexRuns.length - 1]!)} ms (target < 1000 ms); CPU time median ${fmt(quantile(indexCpu, 0.5))} ms`,
);
console.log(`RunbookLibrary.add of all (parse + index, what start-up pays): ${fmt(loadMs)} ms`);
console.log(
  `search: ${times.length} queries (${QUERIES.length} distinct x ${ROUNDS}), median ${fmt(quantile(times, 0.5))} ms, p99 ${fmt(quantile(times, 0.99))} ms, max ${fmt(times[times.length - 1]!)} ms (target < 5 ms); CPU time ${fmt(searchCpuMs / times.length)} ms per query (mean); ${(hits / times.length).toFixed(1)} hits per query`,
);
await library.close();
console.log(
  `load average during the run: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${(await import('node:os')).cpus().length} cores`,
);

recordResult(
  'runbook-search',
  {
    question: `Are ${COUNT} runbooks of realistic size indexed in under 1 s and searched in under 5 ms, and what does parsing them cost at start-up?`,
    comparator: 'none in the same run: the figures answer to the targets; wall clock beside CPU time, which a loaded machine does not inflate',
  },
  [
    {
      figure: `parse ${COUNT} runbooks (markdown-it, sanitize-html, highlight.js, snippet matcher)`,
      value: `${fmt(parseMs)} ms (${fmt(parseMs / COUNT)} ms each); CPU ${fmt(parseCpuMs / COUNT)} ms each`,
      target: 'start-up cost, in the background',
    },
    {
      figure: `index build (minisearch, ${parsed.reduce((n, p) => n + p.doc.sections.length, 0)} sections)`,
      value: `median ${fmt(quantile(indexRuns, 0.5))} ms; CPU ${fmt(quantile(indexCpu, 0.5))} ms`,
      target: `< 1000 ms: ${quantile(indexRuns, 0.5) < 1000 ? 'met' : 'not met'}`,
    },
    {
      figure: 'one search (RunbookLibrary.search: query, rank, excerpts, 20 hits)',
      value: `median ${fmt(quantile(times, 0.5))} ms, p99 ${fmt(quantile(times, 0.99))} ms; CPU ${fmt(searchCpuMs / times.length)} ms per query`,
      target: `< 5 ms: ${quantile(times, 0.5) < 5 ? 'met' : 'not met'}`,
    },
  ],
);
