// The matcher against lines whose meaning depends on where they stand (fixtures/context-traps.md,
// written for this test): which lines get "Run on…", with which action and parameters, and what
// the others say on hover. Also pins the bundled runbooks' Run buttons, which must stay.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunbookDoc, RunbookLine } from '../../../common/contract';
import { bundledCatalog } from '../actions/Catalog';
import { parseRunbook } from './parseRunbook';
import { loadBashParser } from './shell/bashParser';
import { SnippetMatcher } from './SnippetMatcher';

const catalog = bundledCatalog();
const matcher = new SnippetMatcher(catalog);
const REPO = resolve(import.meta.dirname, '../../..');

let doc: RunbookDoc;
beforeAll(async () => {
  await loadBashParser();
  doc = parseRunbook(readFileSync(join(import.meta.dirname, 'fixtures/context-traps.md'), 'utf8'), {
    id: 'traps',
    source: 'test',
    file: 'context-traps.md',
    dir: null,
    catalog,
    matcher,
  }).doc;
});

function linesOf(section: string): RunbookLine[] {
  const s = doc.sections.find((x) => x.title === section);
  if (!s) throw new Error(`no section ${section}`);
  return s.parts.flatMap((p) => (p.kind === 'code' ? p.block.lines : []));
}

/** "text -> action {params}" for each runnable line of a section */
const runnable = (section: string) =>
  linesOf(section).flatMap((l) => (l.action ? [`${l.text} -> ${l.action.actionId} ${JSON.stringify(l.action.params)}`] : []));
const why = (section: string, text: string) => {
  const line = linesOf(section).find((l) => l.text === text);
  if (!line) throw new Error(`no line ${text}`);
  expect(line.action).toBeNull();
  return line.withheld ?? '';
};

describe('lines typed into redis-cli', () => {
  it('never clears a queue in another Redis than the host’s own db 0', () => {
    expect(runnable('Another Redis')).toEqual([]);
    expect(why('Another Redis', 'DEL worker:ingest')).toMatch(/10\.0\.0\.9:6380, db 5/);
    expect(why('Another Redis', 'KEYS worker:*')).toMatch(/10\.0\.0\.9:6380/);
  });

  it('follows the session to its exit and a SELECT inside it', () => {
    expect(runnable('After the session ends')).toEqual(['redis-cli -h localhost -p 6379 -n 0 DEL worker:scanner -> queue.clear {"queue":"worker:scanner"}']);
    const [, , , afterExit, , , inDb3] = linesOf('After the session ends');
    expect(afterExit!.withheld).toMatch(/shell command here: the redis-cli session ended on line 3/);
    expect(inDb3!.withheld).toMatch(/db 3/);
  });
});

describe('never wider than the line', () => {
  it('reads a repeated unit as one unit and refuses a set the catalog has no action for', () => {
    expect(runnable('Repeated and partial units')).toEqual([
      'systemctl restart autotrader-api autotrader-api autotrader-api -> service.restart {"unit":"autotrader-api"}',
      'systemctl restart autotrader-api autotrader-ingestion autotrader-workers -> services.restart {}',
    ]);
    expect(why('Repeated and partial units', 'systemctl stop autotrader-workers autotrader-workers autotrader-api')).toMatch(
      /names autotrader-workers, autotrader-api/,
    );
  });

  it('maps health API curls by their whole path, never by the last word', () => {
    expect(runnable('Health API by path')).toEqual(['curl http://localhost:8000/api/health/security -> check.security {}']);
    expect(why('Health API by path', 'curl http://localhost:8000/api/health/ib-gateway')).toMatch(/no check action prints/);
  });
});

describe('statements that are not run as they stand', () => {
  it('treats here-document bodies as text, and says where they go', () => {
    expect(runnable('Here-documents')).toEqual(['systemctl status autotrader-api -> service.status {"unit":"autotrader-api"}']);
    expect(why('Here-documents', 'systemctl restart autotrader-ingestion')).toMatch(/sent to ssh standby-host.*runs on standby-host/);
    expect(why('Here-documents', 'systemctl restart autotrader-api')).toMatch(/here-document fed to `cat`/);
  });

  it('withholds commands inside if, loops, lists, `;` and `&`', () => {
    expect(runnable('Conditions, loops, lists')).toEqual([]);
    expect(why('Conditions, loops, lists', '  systemctl stop autotrader-api')).toMatch(/inside `if` \(line 1\)/);
    expect(why('Conditions, loops, lists', '  systemctl restart autotrader-$u')).toMatch(/inside a loop/);
    expect(why('Conditions, loops, lists', 'systemctl restart autotrader-api && rm -rf /tmp/cache')).toMatch(/&& or \|\|/);
    expect(why('Conditions, loops, lists', 'systemctl restart autotrader-api; systemctl restart autotrader-workers')).toMatch(/more than one command/);
    expect(why('Conditions, loops, lists', 'systemctl restart autotrader-api &')).toMatch(/background/);
  });

  it('follows ssh sessions to another host until their exit', () => {
    expect(runnable('Another host')).toEqual(['systemctl status autotrader-workers -> service.status {"unit":"autotrader-workers"}']);
    expect(why('Another host', 'systemctl restart autotrader-api')).toMatch(/typed into `ssh standby-host`.*runs on standby-host/);
    expect(why('Another host', 'ssh standby-host systemctl restart autotrader-api')).toMatch(/another host/);
  });

  it('follows cd, exports and redefinitions', () => {
    expect(runnable('Directory and environment')).toEqual(['python scripts/setup/set_questrade_token.py -> questrade.refresh-token {}']);
    const lines = linesOf('Directory and environment');
    expect(lines[2]!.withheld).toMatch(/after `cd \/tmp` on line 2/);
    expect(why('Directory and environment', './ibgateway restart')).toMatch(/after `cd \/tmp` on line 2 the relative path means another file/);
    expect(lines[5]!.withheld).toMatch(/uses \$ETHEREUM_RPC_URL, set on line 5/);
    expect(lines[7]!.withheld).toMatch(/exports PATH on line 7/);
    expect(why('Redefined commands', 'systemctl restart autotrader-api')).toMatch(/on line 1 may change what this line does/);
  });

  it('stops at the first line the parser cannot read', () => {
    expect(runnable('Unreadable shell')).toEqual(['systemctl status autotrader-api -> service.status {"unit":"autotrader-api"}']);
    expect(why('Unreadable shell', 'echo "unterminated')).toMatch(/cannot read this line/);
    expect(why('Unreadable shell', 'systemctl restart autotrader-api')).toMatch(/line 2 is not valid shell/);
  });
});

describe('what Copy and the preview must say', () => {
  it('runs only the command before a comment, and warns that the line holds more', () => {
    const [line] = linesOf('Comments and hidden characters');
    expect(line!.action).toMatchObject({
      actionId: 'service.restart',
      params: { unit: 'autotrader-ingestion' },
      command: 'systemctl restart autotrader-ingestion',
    });
    expect(line!.warnings.join(' ')).toMatch(/comment \(`# ; rm -rf \/`\): Copy copies all of it; Run runs only `systemctl restart autotrader-ingestion`/);
  });

  it('never runs a line with bidirectional or invisible characters, and names them', () => {
    const line = linesOf('Comments and hidden characters')[1]!;
    expect(line.action).toBeNull();
    expect(line.withheld).toMatch(/never run: 1 invisible or text-reordering \(bidirectional\) character.*#<U\+202E> tpircs/);
    expect(line.warnings.some((w) => /<U\+202E>/.test(w))).toBe(true);
    // no message about the line carries the character itself
    expect([...line.warnings, line.withheld].join(' ')).not.toContain('\u202e');
    expect(line.html).toContain('&lt;U+202E&gt;');
    expect(line.html).not.toContain('\u202e');
  });
});

describe('Python breaker resets', () => {
  it('resets only a breaker proven by CIRCUIT_REGISTRY.get_monitor at top level', () => {
    expect(runnable('Breakers in Python')).toEqual(['m.reset() -> breaker.reset {"breaker":"coingecko_api"}']);
    const lines = linesOf('Breakers in Python');
    expect(lines[4]!.withheld).toMatch(/x is not a breaker/);
    expect(lines[7]!.withheld).toMatch(/inside a Python block/);
    expect(lines[9]!.withheld).toMatch(/m is not a breaker/);
  });
});

describe('the bundled runbooks', () => {
  it('keep their Run buttons', async () => {
    await loadBashParser();
    const dir = join(REPO, 'resources', 'runbooks');
    const found: string[] = [];
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .sort()) {
      const parsed = parseRunbook(readFileSync(join(dir, file), 'utf8'), { id: 'b', source: 'bundled', file, dir: null, catalog, matcher });
      for (const s of parsed.doc.sections)
        for (const p of s.parts)
          if (p.kind === 'code') for (const l of p.block.lines) if (l.action) found.push(`${file}: ${l.text.trim()} -> ${l.action.actionId}`);
    }
    expect(found).toEqual([
      'broker-connectivity.md: journalctl -u autotrader-api -n 100 -> journal.tail',
      'broker-connectivity.md: systemctl restart autotrader-api -> service.restart',
      'broker-connectivity.md: echo $ALPACA_API_KEY -> check.api-keys',
      'broker-connectivity.md: echo $ALPACA_SECRET_KEY -> check.api-keys',
      'broker-connectivity.md: python scripts/setup/set_questrade_token.py -> questrade.refresh-token',
      'broker-connectivity.md: cat ~/.config/autotrader/questrade_token.json -> check.questrade-token',
      'broker-connectivity.md: ps aux | grep ibgateway -> check.ib-gateway',
      'broker-connectivity.md: telnet localhost 4001 -> check.ib-gateway',
      'broker-connectivity.md: ./ibgateway restart -> ibgateway.restart',
      "circuit-breakers.md: watch -n 5 'curl http://localhost:8000/api/health/circuit-breakers | jq' -> check.circuit-breakers",
      'circuit-breakers.md: breaker.reset() -> breaker.reset',
      "data-freshness.md: curl http://localhost:8000/api/health/rate-limits | jq '.rate_limits.coingecko' -> check.rate-limits",
      'data-freshness.md: echo $COINGECKO_API_KEY -> check.api-keys',
      'data-freshness.md: systemctl restart autotrader-ingestion -> service.restart',
      'data-freshness.md: ping api.dexscreener.com -> check.upstream',
      'data-freshness.md: systemctl restart autotrader-ingestion -> service.restart',
      'data-freshness.md: curl https://eth.blockscout.com/api -> check.upstream',
      'data-freshness.md: curl -X POST -H "Content-Type: application/json" \\ -> check.upstream',
      'rate-limits.md: systemctl restart autotrader-ingestion -> service.restart',
      'security-checks.md: grep -i "fa=" /var/log/autotrader/*.log -> check.fa-patterns',
      'security-checks.md: logrotate -f /etc/logrotate.d/autotrader -> logrotate.force',
      'security-checks.md: systemctl restart autotrader-* -> services.restart',
      'security-checks.md: pip-audit -> check.pip-audit',
      "security-checks.md: curl http://localhost:8000/api/health/security | jq '.checks.api_key_validation' -> check.security",
      'security-checks.md: systemctl restart autotrader-api -> service.restart',
      'sla-violations.md: ping api.coingecko.com -> check.upstream',
      'sla-violations.md: nslookup api.coingecko.com -> check.upstream',
      'sla-violations.md: journalctl -u autotrader-ingestion --since "1 hour ago" | grep ERROR -> journal.errors',
      'sla-violations.md: systemctl restart autotrader-ingestion -> service.restart',
      'worker-queues.md: export WORKER_COUNT=4 -> workers.scale',
      'worker-queues.md: systemctl restart autotrader-workers -> service.restart',
      'worker-queues.md: KEYS worker:* -> queue.list',
      'worker-queues.md: DEL worker:scanner:queue -> queue.clear',
    ]);
  });
});
