// A team's own runbook file must import as it is. fixtures/team/autotrader-runbooks.md is the
// autotrader team's file kept verbatim (one document, no front matter, areas known only by their
// headings), unlike the bundled resources/runbooks, which are written for Opsdeck. Every area
// section, its symptoms, its diagnosis steps, its code blocks and what each command line becomes
// (an action with parameters, or Copy) are pinned here one by one, so a parser or matcher change
// that loses any of them fails by name.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunbookCodeBlock, RunbookSection } from '../../../common/contract';
import { bundledCatalog } from '../actions/Catalog';
import { parseRunbook } from './parseRunbook';
import { loadBashParser } from './shell/bashParser';
import { SnippetMatcher } from './SnippetMatcher';

await loadBashParser();

const TEAM_DIR = resolve(import.meta.dirname, 'fixtures/team');
const FILE = resolve(TEAM_DIR, 'autotrader-runbooks.md');
const catalog = bundledCatalog();
const { doc } = parseRunbook(readFileSync(FILE, 'utf8'), {
  id: 'autotrader-runbooks',
  source: 'team',
  file: 'autotrader-runbooks.md',
  dir: TEAM_DIR,
  catalog,
  matcher: new SnippetMatcher(catalog),
});

type Expect = [line: string, action: string | null, params?: Record<string, string | number>];
/** label, language, then every command/code line (comments and blanks left out) with its action */
type BlockExpect = [label: string, lang: string, lines: Expect[]];

const commandLines = (block: RunbookCodeBlock): Expect[] =>
  block.lines.filter((l) => l.kind === 'command' || l.kind === 'code').map((l) => (l.action ? [l.text, l.action.actionId, l.action.params] : [l.text, null]));

const blocks = (section: RunbookSection): BlockExpect[] =>
  section.parts.flatMap((p) => (p.kind === 'code' ? [[p.block.label ?? '', p.block.lang, commandLines(p.block)] as BlockExpect] : []));

const section = (area: string): RunbookSection => {
  const found = doc.sections.find((s) => s.area === area);
  if (!found) throw new Error(`no section for ${area}`);
  return found;
};

describe("importing the team's autotrader-runbooks.md as it is", () => {
  it('finds the title and the seven area sections in order, keyed by area, with heading anchors', () => {
    expect(doc.title).toBe('Operations Runbooks');
    expect(doc.sections.filter((s) => s.area).map((s) => [s.area, s.title, s.anchor])).toEqual([
      ['data-freshness', 'Data Freshness Issues', 'rb-data-freshness-issues'],
      ['broker-connectivity', 'Broker Connectivity Problems', 'rb-broker-connectivity-problems'],
      ['sla-violations', 'SLA Violations', 'rb-sla-violations'],
      ['circuit-breakers', 'Circuit Breaker Trips', 'rb-circuit-breaker-trips'],
      ['rate-limits', 'Rate Limit Exhaustion', 'rb-rate-limit-exhaustion'],
      ['worker-queues', 'Worker Queue Backlog', 'rb-worker-queue-backlog'],
      ['security-checks', 'Security Check Failures', 'rb-security-check-failures'],
    ]);
    // the rest of the file is kept, as sections without an area
    expect(doc.sections.filter((s) => !s.area).map((s) => s.title)).toEqual([
      'Introduction',
      'Table of Contents',
      'Contact & Escalation',
      'Monitoring Dashboards',
    ]);
    // the table of contents' GitHub-style links resolve to real heading anchors
    const tocHtml = doc.sections
      .find((s) => s.title === 'Table of Contents')!
      .parts.map((p) => (p.kind === 'html' ? p.html : ''))
      .join('');
    const anchors = new Set(doc.toc.map((h) => h.anchor));
    const links = [...tocHtml.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(links).toHaveLength(7);
    for (const link of links) expect(anchors.has(`rb-${link}`), link).toBe(true);
  });

  it('reads every symptom list', () => {
    expect(section('data-freshness').symptoms).toEqual([
      'Freshness level shows "stale" or "outdated"',
      'Data age exceeds update frequency significantly',
      'High error rates on data source',
    ]);
    expect(section('broker-connectivity').symptoms).toEqual([
      'Broker status shows "offline" or "error"',
      'Cannot place or view orders',
      'Account data not updating',
    ]);
    expect(section('sla-violations').symptoms).toEqual([
      'SLA status shows "DEGRADED" or "FAILED"',
      'Latency P95/P99 exceeds thresholds',
      'Success rate below 95%',
    ]);
    expect(section('circuit-breakers').symptoms).toEqual([
      'Circuit breaker status shows "OPEN"',
      'Requests to service are failing immediately',
      'No attempts to reach service',
    ]);
    expect(section('rate-limits').symptoms).toEqual(['Rate limit usage > 80%', 'API returns 429 errors', 'Increased latency during peak times']);
    expect(section('worker-queues').symptoms).toEqual(['Pending jobs > 50', 'Processing time increasing', 'Worker queue status shows "degraded"']);
    expect(section('security-checks').symptoms).toEqual([
      'Security check status shows "failing"',
      'Critical/high vulnerabilities detected',
      'IBKR FA credentials potentially exposed',
    ]);
  });

  it('reads every diagnosis step as a title and its detail', () => {
    expect(section('data-freshness').diagnosis).toEqual([
      { title: 'Check SLA Status', detail: 'Navigate to SLA Dashboard to see if source is degraded/failed' },
      { title: 'Review Error Rate', detail: 'Check if error rate > 5%' },
      { title: 'Check Circuit Breaker', detail: 'See if circuit breaker is OPEN for the source' },
      { title: 'Review Logs', detail: 'Check application logs for recent errors from the source' },
    ]);
    expect(section('broker-connectivity').diagnosis.map((d) => d.title)).toEqual(['Check Network', 'API Keys', 'Broker Status', 'Logs']);
    expect(section('broker-connectivity').diagnosis[1]!.detail).toBe('Ensure API keys/tokens are valid');
    expect(section('sla-violations').diagnosis.map((d) => d.title)).toEqual(['Identify Source', 'Review Metrics', 'Check Dependencies', 'Network Issues']);
    expect(section('circuit-breakers').diagnosis).toEqual([
      { title: 'Check Failure Count', detail: 'Review how many failures triggered the trip' },
      { title: 'Review Errors', detail: 'Check logs for root cause' },
      { title: 'Service Health', detail: 'Verify if external service is operational' },
    ]);
    expect(section('rate-limits').diagnosis.map((d) => d.title)).toEqual(['Check Current Usage', 'Identify Peak Times', 'Review Configuration']);
    expect(section('worker-queues').diagnosis.map((d) => d.title)).toEqual(['Check Worker Count', 'Review Processing Times', 'Check Resources']);
    expect(section('worker-queues').diagnosis[2]!.detail).toBe('CPU/Memory/Disk usage');
    expect(section('security-checks').diagnosis.map((d) => d.title)).toEqual(['Review Check Details', 'Check Severity', 'Review Recent Changes']);
  });

  it('data freshness: four blocks; the rate-limit curl, the key check, the restart, ping and the upstream checks run; 0x... stays a placeholder', () => {
    expect(blocks(section('data-freshness'))).toEqual([
      [
        'For CoinGecko Issues',
        'bash',
        [
          ["curl http://localhost:8000/api/health/rate-limits | jq '.rate_limits.coingecko'", 'check.rate-limits', {}],
          ['echo $COINGECKO_API_KEY', 'check.api-keys', {}],
          ['systemctl restart autotrader-ingestion', 'service.restart', { unit: 'autotrader-ingestion' }],
        ],
      ],
      [
        'For Dexscreener Issues',
        'bash',
        [
          ['curl https://api.dexscreener.com/latest/dex/tokens/0x...', null],
          ['ping api.dexscreener.com', 'check.upstream', { upstream: 'dexscreener' }],
          ['systemctl restart autotrader-ingestion', 'service.restart', { unit: 'autotrader-ingestion' }],
        ],
      ],
      [
        'For Blockscout Issues',
        'bash',
        [
          ['curl https://eth.blockscout.com/api', 'check.upstream', { upstream: 'blockscout' }],
          ['export ETHEREUM_RPC_URL="https://backup-rpc.example.com"', null],
        ],
      ],
      ['For Ethereum RPC Issues', 'bash', [['curl -X POST -H "Content-Type: application/json" \\', 'check.upstream', { upstream: 'ethereum-rpc' }]]],
    ]);
    const dex = section('data-freshness')
      .parts.flatMap((p) => (p.kind === 'code' ? p.block.lines : []))
      .find((l) => l.text.includes('0x...'))!;
    expect(dex.placeholders).toEqual([{ text: '0x...', label: 'token address (0x…)' }]);
    // the continued RPC command: its two later lines are continuations, not commands of their own
    const rpc = section('data-freshness').parts.flatMap((p) => (p.kind === 'code' && p.block.label === 'For Ethereum RPC Issues' ? p.block.lines : []));
    expect(rpc.map((l) => l.kind)).toEqual(['comment', 'command', 'continuation', 'continuation', 'blank', 'comment', 'comment']);
  });

  it('broker connectivity: journal tail and restart; key checks without values; Questrade and IB Gateway checks, the gateway restart; the rest is Copy', () => {
    expect(blocks(section('broker-connectivity'))).toEqual([
      [
        'For Paper Trading',
        'bash',
        [
          ['journalctl -u autotrader-api -n 100', 'journal.tail', { unit: 'autotrader-api', lines: 100 }],
          ['systemctl restart autotrader-api', 'service.restart', { unit: 'autotrader-api' }],
        ],
      ],
      [
        'For Alpaca',
        'bash',
        [
          ['echo $ALPACA_API_KEY', 'check.api-keys', {}],
          ['echo $ALPACA_SECRET_KEY', 'check.api-keys', {}],
          ['curl -H "APCA-API-KEY-ID: $ALPACA_API_KEY" \\', null],
        ],
      ],
      [
        'For Questrade',
        'bash',
        [
          ['python scripts/setup/set_questrade_token.py', 'questrade.refresh-token', {}],
          ['cat ~/.config/autotrader/questrade_token.json', 'check.questrade-token', {}],
        ],
      ],
      [
        'For Interactive Brokers (IBKR)',
        'bash',
        [
          ['ps aux | grep ibgateway', 'check.ib-gateway', {}],
          ['telnet localhost 4001', 'check.ib-gateway', {}],
          ['./ibgateway restart', 'ibgateway.restart', {}],
          ['cat ibkr_config.json', null],
        ],
      ],
    ]);
  });

  it('SLA violations: ping and nslookup check the upstream; the error grep is the journal errors action', () => {
    expect(blocks(section('sla-violations'))).toEqual([
      [
        'High Latency',
        'bash',
        [
          ['ping api.coingecko.com', 'check.upstream', { upstream: 'coingecko' }],
          ['nslookup api.coingecko.com', 'check.upstream', { upstream: 'coingecko' }],
        ],
      ],
      [
        'Low Success Rate',
        'bash',
        [
          [
            'journalctl -u autotrader-ingestion --since "1 hour ago" | grep ERROR',
            'journal.errors',
            { unit: 'autotrader-ingestion', since: '1 hour ago', match: 'ERROR' },
          ],
        ],
      ],
    ]);
  });

  it('circuit breakers: the Python reset is the breaker reset for coingecko_api; the watched curl is the breaker check', () => {
    expect(blocks(section('circuit-breakers'))).toEqual([
      [
        'Manual Reset (Use with caution)',
        'python',
        [
          ['from src.services.reliability import CIRCUIT_REGISTRY', null],
          ['breaker = CIRCUIT_REGISTRY.get_monitor("coingecko_api")', null],
          ['breaker.reset()', 'breaker.reset', { breaker: 'coingecko_api' }],
        ],
      ],
      ['Automatic Recovery', 'bash', [["watch -n 5 'curl http://localhost:8000/api/health/circuit-breakers | jq'", 'check.circuit-breakers', {}]]],
    ]);
  });

  it('rate limits: vim is Copy, the restart runs, the pro key stays a placeholder to fill', () => {
    expect(blocks(section('rate-limits'))).toEqual([
      [
        'Short-term',
        'bash',
        [
          ['vim configs/ingestion.yaml', null],
          ['systemctl restart autotrader-ingestion', 'service.restart', { unit: 'autotrader-ingestion' }],
        ],
      ],
      ['Long-term', 'bash', [['export COINGECKO_API_KEY="your-pro-key"', null]]],
    ]);
    const key = section('rate-limits')
      .parts.flatMap((p) => (p.kind === 'code' ? p.block.lines : []))
      .find((l) => l.text.includes('your-pro-key'))!;
    expect(key.placeholders).toEqual([{ text: 'your-pro-key', label: 'pro key' }]);
  });

  it('worker queues: scaling, restart, and the redis-cli session lines (KEYS, DEL) become queue actions', () => {
    expect(blocks(section('worker-queues'))).toEqual([
      [
        'Scale Workers',
        'bash',
        [
          ['export WORKER_COUNT=4', 'workers.scale', { count: 4 }],
          ['systemctl restart autotrader-workers', 'service.restart', { unit: 'autotrader-workers' }],
          ['pm2 scale autotrader-workers 4', null],
        ],
      ],
      ['Optimize Jobs', 'python', []],
      [
        'Clear Stale Jobs',
        'bash',
        [
          ['redis-cli', null],
          ['KEYS worker:*', 'queue.list', {}],
          ['DEL worker:scanner:queue', 'queue.clear', { queue: 'worker:scanner:queue' }],
        ],
      ],
    ]);
  });

  it('security checks: FA grep, logrotate, the rolling restart of autotrader-*, pip-audit, the security curl; placeholders stay Copy', () => {
    expect(blocks(section('security-checks'))).toEqual([
      [
        'IBKR FA Scrubbing Failure',
        'bash',
        [
          ['grep -i "fa=" /var/log/autotrader/*.log', 'check.fa-patterns', {}],
          ['logrotate -f /etc/logrotate.d/autotrader', 'logrotate.force', {}],
          ['vim configs/security.yaml', null],
          ['systemctl restart autotrader-*', 'services.restart', {}],
        ],
      ],
      [
        'Dependency Vulnerabilities',
        'bash',
        [
          ['pip install --upgrade package-name', null],
          ['pip install -r requirements.txt --upgrade', null],
          ['pip-audit', 'check.pip-audit', {}],
        ],
      ],
      [
        'API Key Validation Failure',
        'bash',
        [
          ["curl http://localhost:8000/api/health/security | jq '.checks.api_key_validation'", 'check.security', {}],
          ['export GROQ_API_KEY="your-key"', null],
          ['export ETHERSCAN_API_KEY="your-key"', null],
          ['systemctl restart autotrader-api', 'service.restart', { unit: 'autotrader-api' }],
        ],
      ],
    ]);
  });

  it('never puts an environment value on the page: $VARS stay as written in line text and markup', () => {
    const secret = 'sk-test-should-never-appear';
    process.env.COINGECKO_API_KEY = secret;
    try {
      const again = parseRunbook(readFileSync(FILE, 'utf8'), { id: 'x', source: 's', file: 'f.md', dir: null, catalog, matcher: new SnippetMatcher(catalog) });
      expect(JSON.stringify(again.doc)).not.toContain(secret);
      expect(JSON.stringify(again.doc)).toContain('echo $COINGECKO_API_KEY');
    } finally {
      delete process.env.COINGECKO_API_KEY;
    }
  });

  it('highlights code in main: bash and python lines carry hljs spans, one well-formed line each', () => {
    const line = section('data-freshness')
      .parts.flatMap((p) => (p.kind === 'code' ? p.block.lines : []))
      .find((l) => l.text.startsWith('# Check rate limit'))!;
    expect(line.html).toBe('<span class="hljs-comment"># Check rate limit status</span>');
    const py = section('circuit-breakers').parts.flatMap((p) => (p.kind === 'code' ? p.block.lines : []))[0]!;
    expect(py.html).toContain('<span class="hljs-keyword">from</span>');
  });
});
