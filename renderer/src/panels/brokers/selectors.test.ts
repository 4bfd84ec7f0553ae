import { describe, expect, it } from 'vitest';
import { endpointState, iso, NOW } from '../shared/fixtures';
import { selectBrokerRows } from './selectors';

const online = { status: 'online', last_checked: iso(-5), latency_ms: 120, detail: null };
const row = (item: unknown, now = NOW) => selectBrokerRows(endpointState('brokers', { questrade: item }), now).find((r) => r.name === 'questrade')!;

describe('broker selectors', () => {
  it('online is ok', () => {
    expect(row(online)).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('offline and error fail with the detail in words', () => {
    expect(row({ ...online, status: 'offline', detail: 'gateway port 4001 closed' })).toMatchObject({
      status: 'fail',
      reasons: ['offline: gateway port 4001 closed'],
    });
    expect(row({ ...online, status: 'error', detail: null })).toMatchObject({ status: 'fail', reasons: ['error'] });
  });

  it('counts down to the token expiry and warns inside 3 days', () => {
    const fourDays = row({ ...online, token_expires_at: iso(4 * 86400) });
    expect(fourDays.status).toBe('ok');
    expect(fourDays.value!.tokenSecondsLeft).toBe(4 * 86400);
    expect(row({ ...online, token_expires_at: iso(2 * 86400 + 3600) })).toMatchObject({ status: 'warn', reasons: ['token expires in 2 d 1 h (< 3 d)'] });
  });

  it("an expired token fails and says how long ago, once, even when the broker's detail says it too", () => {
    expect(row({ ...online, status: 'error', detail: 'token expired', token_expires_at: iso(-6 * 86400) })).toMatchObject({
      status: 'fail',
      reasons: ['error: token expired 6 d ago'],
    });
    expect(row({ ...online, token_expires_at: iso(-6 * 86400) })).toMatchObject({ status: 'fail', reasons: ['token expired 6 d ago'] });
  });

  it('the countdown moves with the clock', () => {
    const item = { ...online, token_expires_at: iso(3 * 86400 + 10) };
    expect(row(item, NOW).status).toBe('ok');
    expect(row(item, NOW + 20_000).status).toBe('warn');
  });
});
