// What a host's Retry / Connect control shows, before and while the connect it started runs: it
// stays on the page (so focus stays on it) until that connect has an outcome.
import { describe, expect, it } from 'vitest';
import type { ConnectionState, HostId } from '../../../common/contract';
import { connectControl } from './ConnectHostButton';

const failed: ConnectionState = {
  hostId: 'a' as HostId,
  state: 'failed',
  attempt: 1,
  nextRetryAt: null,
  error: 'no passphrase was given',
  since: '2026-01-01T00:00:00.000Z',
};
const connecting: ConnectionState = { ...failed, state: 'connecting', attempt: 2 };

describe('connectControl', () => {
  it('offers Retry, Connect or Retry now when nothing was pressed, and nothing while connecting or connected', () => {
    expect(connectControl(failed, null)).toEqual({ word: 'Retry', waiting: false });
    expect(connectControl({ ...failed, state: 'idle', error: null }, null)).toEqual({ word: 'Connect', waiting: false });
    expect(connectControl({ ...connecting, nextRetryAt: '2026-01-01T00:00:05.000Z' }, null)).toEqual({ word: 'Retry now', waiting: false });
    expect(connectControl(connecting, null)).toBeNull();
    expect(connectControl({ ...failed, state: 'connected', error: null }, null)).toBeNull();
    expect(connectControl(undefined, null)).toBeNull();
  });

  it('offers Reconnect on a link that stopped answering', () => {
    expect(connectControl({ ...failed, state: 'unresponsive', error: 'no answer for 6 s' }, null)).toEqual({ word: 'Reconnect', waiting: false });
  });

  it('once pressed, waits (not pressable) in the state it was pressed in and while connecting, then shows the outcome', () => {
    expect(connectControl(failed, failed)).toEqual({ word: 'Retry', waiting: true });
    expect(connectControl(connecting, failed)).toEqual({ word: 'Connecting', waiting: true });
    // failed again (a new state from main): Retry can be pressed again
    expect(connectControl({ ...failed, attempt: 2 }, failed)).toEqual({ word: 'Retry', waiting: false });
    expect(connectControl({ ...failed, state: 'connected', error: null }, failed)).toBeNull();
    // a retriable failure, the next try scheduled: Retry now can be pressed
    expect(connectControl({ ...connecting, nextRetryAt: '2026-01-01T00:00:05.000Z' }, failed)).toEqual({ word: 'Retry now', waiting: false });
  });
});
