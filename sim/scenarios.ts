/** The runbook areas, one scenario each, in the order `--cycle` shows them. */
export const AREA_SCENARIOS = ['freshness-stale', 'broker-down', 'sla-degraded', 'breaker-open', 'rate-limited', 'queue-backlog', 'security-failing'] as const;

export const SCENARIOS = ['normal', ...AREA_SCENARIOS] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  normal: 'everything healthy; values drift slowly over time',
  'freshness-stale': 'coingecko data stops updating (stale, then outdated after 60 s), error rate 12 %',
  'broker-down': 'ibkr offline (gateway port 4001 closed); questrade token expired',
  'sla-degraded': 'coingecko SLA DEGRADED: p95 2400 ms > 2000 ms, success rate 93 %',
  'breaker-open': 'coingecko_api breaker OPEN (7/5, last failure HTTP 429); its trials keep failing',
  'rate-limited': 'coingecko rate limit 45/50 used, 3 recent HTTP 429',
  'queue-backlog': 'scanner queue backlog: 120 pending, degraded, oldest job growing',
  'security-failing': 'ibkr_fa_scrubbing failing (critical), vulnerable dependencies (high), GROQ_API_KEY and ETHERSCAN_API_KEY missing',
};

/** Units of an autotrader host whose restart the simulator reacts to. */
export const UNITS = ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers'] as const;
export type UnitName = (typeof UNITS)[number];

/**
 * The runbook's remedy for a scenario, when it is a unit restart: restarting that unit ends
 * the scenario (the sim goes back to `normal`), so a remediation visibly helps.
 */
export const CLEARED_BY_RESTART: Partial<Record<ScenarioName, UnitName>> = {
  'freshness-stale': 'autotrader-ingestion',
  // a restarted ingestion opens fresh connections to the provider and starts its request
  // budget over, as the SLA and rate-limit runbooks' restart lines expect
  'sla-degraded': 'autotrader-ingestion',
  'rate-limited': 'autotrader-ingestion',
  'queue-backlog': 'autotrader-workers',
};

export function isScenarioName(name: unknown): name is ScenarioName {
  return typeof name === 'string' && (SCENARIOS as readonly string[]).includes(name);
}
