import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EndpointState } from './contract';
import { emptyRecord, ownKeyRecord, recordFrom } from './emptyRecord';
import { HOSTILE_NAMES } from './hostileNames.fixture';

describe('emptyRecord', () => {
  it('has only the keys put in it, "__proto__" and "constructor" included', () => {
    const r = emptyRecord<number>();
    expect(r.constructor).toBeUndefined();
    expect(r.toString).toBeUndefined();
    r.__proto__ = 1;
    expect(Object.keys(r)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse('{"__proto__": 1}'));
    expect(recordFrom(HOSTILE_NAMES.map((n, i) => [n, i] as const))).toSatisfy((x: Record<string, number>) =>
      HOSTILE_NAMES.every((n, i) => Object.hasOwn(x, n) && x[n] === i),
    );
  });
});

describe('ownKeyRecord', () => {
  it("keeps an item zod's record would drop", () => {
    const json = '{"__proto__": {"a": 1}, "constructor": {"a": 2}}';
    expect(Object.keys(z.record(z.string(), z.object({ a: z.number() })).parse(JSON.parse(json)))).toEqual(['constructor']);
    const kept = ownKeyRecord(z.object({ a: z.number() })).parse(JSON.parse(json));
    expect(Object.keys(kept)).toEqual(['__proto__', 'constructor']);
    expect(kept.__proto__).toEqual({ a: 1 });
  });

  it('names the key of a bad value', () => {
    const r = ownKeyRecord(z.object({ a: z.number() })).safeParse({ good: { a: 1 }, bad: { a: 'x' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['bad', 'a']);
  });

  it('refuses what is not an object', () => {
    expect(ownKeyRecord(z.number()).safeParse([1]).success).toBe(false);
    expect(ownKeyRecord(z.number()).safeParse(null).success).toBe(false);
  });

  it("carries every hostile item name of a health event through the renderer's event check", () => {
    const items = Object.fromEntries(HOSTILE_NAMES.map((n) => [n, { ok: true, value: { state: 'OPEN' } }]));
    const state = {
      deploymentId: 'prod',
      endpoint: 'circuitBreakers',
      status: 'ok',
      error: null,
      polledAt: null,
      lastGoodAt: null,
      intervalMs: 5000,
      nextPollAt: null,
      latencyMs: 1,
      meta: JSON.parse('{"__proto__": 1}'),
      items,
    };
    // over the WebSocket the event is JSON: "__proto__" arrives as an own key
    const parsed = EndpointState.parse(JSON.parse(JSON.stringify(state)));
    expect(Object.keys(parsed.items).sort()).toEqual([...HOSTILE_NAMES].sort());
    expect(Object.keys(parsed.meta)).toEqual(['__proto__']);
  });
});
