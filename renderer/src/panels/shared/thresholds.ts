// The runbook's thresholds live in common/thresholds.ts so the panels here and the alert rules
// in main read the same numbers; this module keeps the names the selectors import.
export {
  FRESHNESS_AGE_FACTOR_WARN,
  FRESHNESS_ERROR_RATE_WARN,
  RATE_LIMIT_USAGE_WARN,
  SLA_P95_MS_DEFAULT,
  SLA_P99_MS_DEFAULT,
  SLA_SUCCESS_RATE_DEFAULT,
  STALE_INTERVALS,
  TOKEN_EXPIRY_WARN_SECONDS,
  WORKER_PENDING_WARN,
} from '../../../../common/thresholds';
