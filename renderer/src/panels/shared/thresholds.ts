// The runbook's thresholds (shared/health-api.md "Thresholds", autotrader-runbooks.md). One
// place, so the panels and their tests agree; alert rules in main carry their own copy that
// the config can override, and these only colour what the panels show.

/** Data Freshness: "High error rates on data source ... Check if error rate > 5%". */
export const FRESHNESS_ERROR_RATE_WARN = 0.05;
/** Data Freshness: "Data age exceeds update frequency significantly": we read that as 2x. */
export const FRESHNESS_AGE_FACTOR_WARN = 2;
/** SLA: "Success rate below 95%", used when an item carries no threshold of its own. */
export const SLA_SUCCESS_RATE_DEFAULT = 0.95;
/** Rate Limit Exhaustion: "Rate limit usage > 80%". */
export const RATE_LIMIT_USAGE_WARN = 0.8;
/** Worker Queue Backlog: "Pending jobs > 50". */
export const WORKER_PENDING_WARN = 50;
/** Brokers: Questrade tokens last 30 days; warn when fewer than 3 days are left. */
export const TOKEN_EXPIRY_WARN_SECONDS = 3 * 24 * 3600;
/** Console's own data: a panel whose last good data is older than this many intervals says so. */
export const STALE_INTERVALS = 2;
