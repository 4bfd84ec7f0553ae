// What a hostile health API can do to the item map: every name it sends either shows as an
// item or as a flagged one; none vanishes.
import { describe, expect, it } from 'vitest';
import { parseEndpointBody } from './health';

describe('parseEndpointBody item names', () => {
  it('keeps items named like Object.prototype members, "__proto__" included, and flags bad names', () => {
    const text = '{"breakers": {"__proto__": {"state": "OPEN"}, "constructor": {"state": "CLOSED"}, "bad name!": {}, "coingecko_api": {"state": "CLOSED"}}}';
    const parsed = parseEndpointBody('circuitBreakers', JSON.parse(text));
    expect(Object.keys(parsed.items).sort()).toEqual(['__proto__', 'coingecko_api', 'constructor', 'invalid-name-2']);
    // no prototype: a name the API did not send ("toString", "valueOf") reads as absent
    expect(Object.getPrototypeOf(parsed.items)).toBeNull();
    expect(parsed.items['toString']).toBeUndefined();
    expect(parsed.items['invalid-name-2']).toEqual({ ok: false, why: 'item name has characters outside [A-Za-z0-9_.:-]' });
    expect(JSON.parse(JSON.stringify(parsed.items))).toHaveProperty(['__proto__']);
  });
});
