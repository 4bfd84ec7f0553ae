import { describe, expect, it } from 'vitest';
import { ENDPOINTS, parseEndpointBody, type Endpoint } from '../common/health';
import { AutotraderModel } from './autotraderModel';
import { ManualClock } from './clock';
import { AREA_SCENARIOS, SCENARIOS, type ScenarioName } from './scenarios';

const T0 = Date.parse('2026-11-26T12:00:00Z');

function setup(scenario: ScenarioName = 'normal') {
  const clock = new ManualClock(T0);
  const changes: string[] = [];
  const model = new AutotraderModel({ clock, scenario, onScenarioChange: (name) => changes.push(name) });
  /** Parse a body exactly as the console does, failing on any bad item or meta problem. */
  const items = (endpoint: Endpoint) => {
    const parsed = parseEndpointBody(endpoint, JSON.parse(JSON.stringify(model.body(endpoint))));
    expect(parsed.metaProblems).toEqual([]);
    const bad = Object.entries(parsed.items).filter(([, r]) => !r.ok);
    expect(bad).toEqual([]);
    return Object.fromEntries(Object.entries(parsed.items).map(([k, r]) => [k, r.ok ? (r.value as Record<string, unknown>) : {}]));
  };
  return { clock, model, items, changes };
}

describe('AutotraderModel', () => {
  it.each(SCENARIOS)('every endpoint body of scenario %s parses with the shared schemas, item by item, over two hours', (scenario) => {
    const { clock, items } = setup(scenario);
    for (let minute = 0; minute <= 120; minute += 7) {
      for (const endpoint of ENDPOINTS) {
        const parsed = items(endpoint);
        expect(Object.keys(parsed).length).toBeGreaterThanOrEqual(3);
      }
      clock.advanceSeconds(7 * 60 + 13);
    }
  });

  it('normal is healthy everywhere and its values drift with time', () => {
    const { clock, model, items } = setup();
    expect(model.body('overview')).toMatchObject({ status: 'ok' });
    const before = items('sla').coingecko;
    clock.advanceSeconds(137);
    const after = items('sla').coingecko;
    expect(after?.status).toBe('HEALTHY');
    expect(after?.latency_p95_ms).not.toBe(before?.latency_p95_ms);
    for (const f of Object.values(items('freshness'))) expect(f.freshness).toBe('fresh');
    for (const b of Object.values(items('brokers'))) expect(b.status).toBe('online');
    for (const q of Object.values(items('workers'))) expect(q.pending).toBeLessThanOrEqual(50);
    for (const c of Object.values(items('security'))) expect(c.status).toBe('passing');
    for (const r of Object.values(items('rateLimits'))) expect((r.used as number) / (r.limit as number)).toBeLessThanOrEqual(0.8);
  });

  it('freshness-stale: coingecko stale with 12 % errors, outdated a minute later; an ingestion restart clears it', () => {
    const { clock, model, items, changes } = setup('freshness-stale');
    expect(items('freshness').coingecko).toMatchObject({ freshness: 'stale', error_rate: 0.12, data_age_seconds: 240 });
    expect(items('freshness').dexscreener?.freshness).toBe('fresh');
    clock.advanceSeconds(61);
    expect(items('freshness').coingecko).toMatchObject({ freshness: 'outdated', data_age_seconds: 301 });
    expect(model.body('overview')).toMatchObject({ status: 'failed' });
    model.restartUnit('autotrader-ingestion');
    expect(model.scenario).toBe('normal');
    expect(changes).toEqual(['normal']);
    clock.advanceSeconds(3);
    expect(items('freshness').coingecko?.freshness).toBe('fresh');
    expect(items('freshness').coingecko?.data_age_seconds).toBeLessThanOrEqual(3);
  });

  it('broker-down: ibkr offline with the gateway port closed, questrade token expired', () => {
    const { items } = setup('broker-down');
    const brokers = items('brokers');
    expect(brokers.ibkr).toMatchObject({ status: 'offline', detail: 'gateway port 4001 closed' });
    expect(brokers.questrade).toMatchObject({ status: 'error', detail: 'token expired' });
    expect(Date.parse(brokers.questrade?.token_expires_at as string)).toBeLessThan(T0);
    expect(brokers.paper?.status).toBe('online');
  });

  it('broker-down: a gateway restart brings ibkr online until the next scenario entry; questrade stays expired', () => {
    const { model, clock, items } = setup('broker-down');
    clock.advanceSeconds(10);
    model.restartGateway();
    expect(items('brokers').ibkr).toMatchObject({ status: 'online', detail: 'IB Gateway on port 4001' });
    expect(items('brokers').questrade).toMatchObject({ status: 'error', detail: 'token expired' });
    // entering broker-down again closes the gateway port: a restart before it does not count
    clock.advanceSeconds(10);
    model.setScenario('broker-down');
    expect(items('brokers').ibkr).toMatchObject({ status: 'offline', detail: 'gateway port 4001 closed' });
  });

  it('sla-degraded: coingecko DEGRADED at p95 2400 ms and 93 % success', () => {
    const { items } = setup('sla-degraded');
    expect(items('sla').coingecko).toMatchObject({
      status: 'DEGRADED',
      latency_p95_ms: 2400,
      success_rate: 0.93,
      thresholds: { latency_p95_ms: 2000, success_rate: 0.95 },
    });
    expect(items('sla').dexscreener?.status).toBe('HEALTHY');
  });

  it('breaker-open: coingecko_api OPEN 7/5 after HTTP 429; switching to normal closes it at once', () => {
    const { model, items } = setup('breaker-open');
    expect(items('circuitBreakers').coingecko_api).toMatchObject({ state: 'OPEN', failure_count: 7, failure_threshold: 5, last_failure: 'HTTP 429' });
    expect(items('circuitBreakers').dexscreener_api?.state).toBe('CLOSED');
    model.setScenario('normal');
    expect(items('circuitBreakers').coingecko_api).toMatchObject({ state: 'CLOSED', failure_count: 0 });
  });

  it('rate-limited: coingecko 45 of 50 used with 3 recent 429s', () => {
    const { items } = setup('rate-limited');
    expect(items('rateLimits').coingecko).toMatchObject({ used: 45, limit: 50, remaining: 5, recent_429: 3 });
  });

  it('queue-backlog: scanner 120 pending and degraded; a workers restart clears it', () => {
    const { clock, model, items } = setup('queue-backlog');
    expect(items('workers').scanner).toMatchObject({ pending: 120, status: 'degraded', oldest_job_age_seconds: 610 });
    clock.advanceSeconds(30);
    expect(items('workers').scanner?.oldest_job_age_seconds).toBe(640);
    model.restartUnit('autotrader-ingestion');
    expect(model.scenario).toBe('queue-backlog');
    model.restartUnit('autotrader-workers');
    expect(items('workers').scanner?.pending).toBeLessThanOrEqual(50);
  });

  it('security-failing: FA scrubbing failing critical and the two missing API keys named', () => {
    const { items } = setup('security-failing');
    const checks = items('security');
    expect(checks.ibkr_fa_scrubbing).toMatchObject({ status: 'failing', severity: 'critical' });
    expect(checks.api_key_validation).toMatchObject({ status: 'failing', missing: ['GROQ_API_KEY', 'ETHERSCAN_API_KEY'] });
  });

  it('--cycle shows every area scenario in turn and wraps around', () => {
    const { clock, model, changes } = setup();
    model.startCycle(30);
    const seen: string[] = [];
    for (let i = 0; i < AREA_SCENARIOS.length + 1; i++) {
      seen.push(model.scenario);
      clock.advanceSeconds(30);
    }
    expect(seen).toEqual([...AREA_SCENARIOS, AREA_SCENARIOS[0]]);
    expect(changes.length).toBe(AREA_SCENARIOS.length + 1);
    model.setScenario('normal');
    clock.advanceSeconds(300);
    expect(model.scenario).toBe('normal');
  });

  it('in --cycle mode a remedy holds until the next cycle boundary, then the cycle goes on', () => {
    const { clock, model } = setup();
    model.startCycle(45);
    expect(model.scenario).toBe('freshness-stale');
    clock.advanceSeconds(10);
    model.restartUnit('autotrader-ingestion');
    expect(model.scenario).toBe('normal');
    clock.advanceSeconds(34);
    expect(model.scenario).toBe('normal');
    clock.advanceSeconds(1);
    expect(model.scenario).toBe('broker-down');
  });

  it('an api restart resets the reported uptime', () => {
    const { clock, model } = setup();
    clock.advanceSeconds(100);
    expect(model.body('overview').uptime_seconds).toBe(3 * 3600 + 100);
    model.restartUnit('autotrader-api');
    clock.advanceSeconds(5);
    expect(model.body('overview').uptime_seconds).toBe(5);
  });
  it.each(['sla-degraded', 'rate-limited'] as const)("%s: the runbook's ingestion restart ends it; an api restart does not", (scenario) => {
    const { model } = setup(scenario);
    model.restartUnit('autotrader-api');
    expect(model.scenario).toBe(scenario);
    model.restartUnit('autotrader-ingestion');
    expect(model.scenario).toBe('normal');
    expect((model.body('overview').endpoints as Array<{ status: string }>).every((e) => e.status === 'ok')).toBe(true);
  });

  it('the workers panel counts the workers the last workers restart started', () => {
    const { model, items } = setup('queue-backlog');
    expect(model.body('workers').worker_count).toBe(2);
    model.setWorkerCount(4);
    model.restartUnit('autotrader-workers');
    expect(model.body('workers').worker_count).toBe(4);
    expect(items('workers').scanner).toMatchObject({ workers: 4, status: 'healthy' });
    model.setWorkerCount(0);
    expect(model.body('workers').worker_count).toBe(4);
  });

  it('security-failing: the FA check passes once every service has restarted, the other checks still fail', () => {
    const { model, items } = setup('security-failing');
    model.restartUnit('autotrader-api');
    model.restartUnit('autotrader-ingestion');
    expect(items('security').ibkr_fa_scrubbing?.status).toBe('failing');
    model.restartUnit('autotrader-workers');
    expect(items('security').ibkr_fa_scrubbing?.status).toBe('passing');
    expect(items('security').api_key_validation?.status).toBe('failing');
    // entering the scenario again starts it over
    model.setScenario('security-failing');
    expect(items('security').ibkr_fa_scrubbing?.status).toBe('failing');
  });
});
