// What the header's connection dots say, in words, for each connection state (docs/ssh.md).
import { describe, expect, it } from 'vitest';
import type { ConnectionState, HostId } from '../../../common/contract';
import { CONNECTION_STATUS, connectionLine, connectionText } from './Header';

const base: ConnectionState = { hostId: 'a' as HostId, state: 'connected', attempt: 0, nextRetryAt: null, error: null, since: '2026-01-01T00:00:00.000Z' };
const now = Date.parse('2026-01-01T00:00:10.000Z');

describe('connectionText', () => {
  it('says connected, connecting with the attempt, and between attempts when the next one is and why', () => {
    expect(connectionText(base, now)).toBe('connected');
    expect(connectionText({ ...base, state: 'connecting', attempt: 1 }, now)).toBe('connecting (attempt 1)');
    expect(
      connectionText({ ...base, state: 'connecting', attempt: 3, nextRetryAt: '2026-01-01T00:00:14.200Z', error: 'connect ECONNREFUSED 10.0.0.1:22' }, now),
    ).toBe('connecting (attempt 3, next try in 5 s): connect ECONNREFUSED 10.0.0.1:22');
    // a retry already due never shows a negative wait
    expect(connectionText({ ...base, state: 'connecting', attempt: 2, nextRetryAt: '2026-01-01T00:00:09.000Z', error: 'x' }, now)).toBe(
      'connecting (attempt 2, next try in 0 s): x',
    );
  });

  it('says unresponsive, apart from connected and disconnected, drawn as a failure', () => {
    expect(connectionText({ ...base, state: 'unresponsive', error: 'no answer for 6 s' }, now)).toBe('unresponsive: no answer for 6 s');
    expect(CONNECTION_STATUS.unresponsive).toBe('fail');
    expect(CONNECTION_STATUS.connected).toBe('ok');
  });

  it('says failed and why', () => {
    expect(connectionText({ ...base, state: 'failed', error: 'authentication refused by the server (tried key /k)' }, now)).toBe(
      'failed: authentication refused by the server (tried key /k)',
    );
  });

  it('adds what the ssh_config asks for that the console cannot do, connected or not', () => {
    const note = 'CertificateFile ~/.ssh/id-cert.pub is not used: the console offers plain keys only';
    expect(connectionLine({ ...base, note }, now)).toBe(`connected (${note})`);
    expect(connectionLine({ ...base, state: 'failed', error: 'authentication refused', note }, now)).toBe(`failed: authentication refused (${note})`);
    expect(connectionLine(base, now)).toBe('connected');
  });
});
