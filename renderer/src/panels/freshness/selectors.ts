import type { EndpointState } from '../../../../common/contract';
import { DATA_SOURCES, FreshnessItem } from '../../../../common/health';
import type { FreshnessItem as Item } from '../../../../common/health';
import { duration, percent } from '../../status/format';
import type { Status } from '../../status/status';
import { verdict } from '../../status/status';
import { deriveRow, deriveRows, oncePerState } from '../shared/rows';
import type { Row } from '../shared/rows';
import { FRESHNESS_AGE_FACTOR_WARN, FRESHNESS_ERROR_RATE_WARN } from '../shared/thresholds';

export type FreshnessView = Item;

export function judgeFreshness(item: Item) {
  const findings: Array<{ status: Status; reason: string }> = [];
  if (item.freshness === 'outdated') findings.push({ status: 'fail', reason: 'freshness outdated' });
  if (item.freshness === 'stale') findings.push({ status: 'warn', reason: 'freshness stale' });
  if (item.data_age_seconds > FRESHNESS_AGE_FACTOR_WARN * item.update_frequency_seconds) {
    findings.push({
      status: 'warn',
      reason: `data age ${duration(item.data_age_seconds)} > ${FRESHNESS_AGE_FACTOR_WARN}× update frequency ${duration(item.update_frequency_seconds)}`,
    });
  }
  if (item.error_rate > FRESHNESS_ERROR_RATE_WARN) {
    findings.push({ status: 'warn', reason: `error rate ${percent(item.error_rate)} > ${percent(FRESHNESS_ERROR_RATE_WARN)}` });
  }
  return { ...verdict(findings), view: item };
}

export const deriveFreshnessRow = (name: string, item: EndpointState['items'][string] | undefined): Row<FreshnessView> =>
  deriveRow(name, item, FreshnessItem, judgeFreshness);

/** Once per state object: a clock tick redraws none of these rows. */
export const selectFreshnessRows = oncePerState((state: EndpointState | undefined): Array<Row<FreshnessView>> =>
  deriveRows(state, FreshnessItem, (_name, item) => judgeFreshness(item), DATA_SOURCES),
);
