import { describe, expect, it } from 'vitest';
import { emptyRecord, recordFrom } from '../../../common/emptyRecord';
import type { Series } from './historyStore';
import { chartLines, MAX_CHART_LINES } from './chartLines';

function series(values: Record<string, Array<number | null>>): Series {
  const lines = emptyRecord<Array<number | null>>();
  for (const [name, line] of Object.entries(values)) lines[name] = line;
  return { at: values[Object.keys(values)[0]!]!.map((_, i) => i), lines };
}

describe('chartLines', () => {
  it('draws every item when there are few, in name order', () => {
    expect(chartLines(series({ b: [1], a: [2] }), 'sla.latency_p95_ms')).toEqual({ names: ['a', 'b'], total: 2 });
  });

  it('draws the items with the highest newest value when higher is worse (latency)', () => {
    const values: Record<string, Array<number | null>> = {};
    for (let i = 0; i < 500; i++) values[`item-${String(i).padStart(3, '0')}`] = [9999, i];
    const { names, total } = chartLines(series(values), 'sla.latency_p95_ms');
    expect(total).toBe(500);
    expect(names).toHaveLength(MAX_CHART_LINES);
    expect(names).toEqual(['item-493', 'item-494', 'item-495', 'item-496', 'item-497', 'item-498', 'item-499']);
  });

  it('draws the items with the lowest newest value when lower is worse (success rate)', () => {
    const values: Record<string, Array<number | null>> = {};
    for (let i = 0; i < 20; i++) values[`s${String(i).padStart(2, '0')}`] = [i / 100, null];
    expect(chartLines(series(values), 'sla.success_rate', 3).names).toEqual(['s00', 's01', 's02']);
  });

  it('puts items that never had a value after every item that has one', () => {
    const { names } = chartLines(series({ blank: [null, null], low: [0.1, 0.1], high: [0.9, 0.9] }), 'rateLimits.usage', 2);
    expect(names).toEqual(['high', 'low']);
  });

  it('keeps item names from the API as names, "__proto__" and "constructor" included', () => {
    // built from entries: a `{ __proto__: ... }` literal would set the prototype, not add an item
    const lines = recordFrom<Array<number | null>>([
      ['__proto__', [5]],
      ['constructor', [4]],
      ['ok', [1]],
    ]);
    const { names } = chartLines({ at: [0], lines }, 'workers.pending', 2);
    expect(names).toEqual(['__proto__', 'constructor']);
  });
});
