// Test-only: made-up history behind an endpoint's first good poll, so an end-to-end test can
// look at a chart's 24 h range without running a console for a day (main's history starts with
// its first poll, and its clock is the system's). The web shell takes it from
// --test-history-hours, which nothing but the e2e specs pass; no config key reaches it.
import type { EndpointState } from '../../../../common/contract';
import type { HistoryStore } from './HistoryStore';

/** Fields kept as they are: a limit is the API's, a success rate stays a ratio. */
const KEPT = new Set(['limit', 'success_rate', 'window_seconds']);

/**
 * Record `hours` of points at the state's poll interval, ending one interval before it: its
 * values swayed slowly (70 % to 100 %), with one 5 s spike (x3) 20 h before it when the hours
 * reach that far. Call before the state itself is recorded: the store takes points oldest first.
 */
export function backfillHistory(store: HistoryStore, state: EndpointState, hours: number): void {
  if (state.status !== 'ok' || !state.lastGoodAt) return;
  const end = Date.parse(state.lastGoodAt);
  const step = Math.max(1000, state.intervalMs);
  const count = Math.floor((hours * 3_600_000) / step);
  const spike = Math.round((20 * 3_600_000) / step);
  for (let k = count; k >= 1; k--) {
    const factor = k === spike ? 3 : 0.85 + 0.15 * Math.sin((k * step) / 3_600_000);
    const at = new Date(end - k * step).toISOString();
    const items: EndpointState['items'] = Object.create(null) as EndpointState['items'];
    for (const [name, item] of Object.entries(state.items)) items[name] = item.ok ? { ok: true, value: scaled(item.value, factor) } : item;
    store.record({ ...state, lastGoodAt: at, polledAt: at, items });
  }
}

function scaled(value: Record<string, unknown>, factor: number): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, v] of Object.entries(value)) out[key] = typeof v === 'number' && !KEPT.has(key) ? v * factor : v;
  return out;
}
