import { describe, expect, it } from 'vitest';
import { endpointState, iso, NOW } from './fixtures';
import { panelState, panelStatus, rowStatusShown } from './panelState';

describe('panel state', () => {
  it('no state yet is "missing"; polled but never good is "pending"', () => {
    expect(panelState(undefined, NOW).phase).toBe('missing');
    expect(panelState(endpointState('sla', {}, { status: 'pending', lastGoodAt: null, polledAt: null }), NOW).phase).toBe('pending');
  });

  it('a poll error names its kind and message and when the last good data was', () => {
    const state = endpointState('circuitBreakers', {}, { status: 'error', error: { kind: 'timeout', message: 'no answer in 5 s' }, lastGoodAt: iso(-190) });
    const panel = panelState(state, NOW);
    expect(panel.phase).toBe('data');
    expect(panel.errorText).toBe('timeout: no answer in 5 s; last good data 3 m 10 s ago');
  });

  it('data older than two poll intervals is stale, and says so; at two intervals it is not', () => {
    const at = (age: number) => panelState(endpointState('workers', {}, { intervalMs: 5000, lastGoodAt: iso(-age) }), NOW);
    expect(at(10).stale).toBe(false);
    expect(at(11)).toMatchObject({ stale: true, staleText: 'data is 11 s old (older than 2 poll intervals of 5 s)' });
  });

  it('a panel with an error or stale data is never shown as ok, but keeps a worse item status', () => {
    const stale = panelState(endpointState('workers', {}, { lastGoodAt: iso(-60) }), NOW);
    expect(panelStatus(stale, ['ok', 'ok'])).toBe('unknown');
    expect(panelStatus(stale, ['ok', 'fail'])).toBe('fail');
    const fresh = panelState(endpointState('workers', {}), NOW);
    expect(panelStatus(fresh, ['ok', 'warn'])).toBe('warn');
    expect(panelStatus(fresh, ['ok'])).toBe('ok');
  });

  it('rows that were ok are not drawn green under a stale or failing poll; rows in trouble keep their status', () => {
    const stale = panelState(endpointState('workers', {}, { lastGoodAt: iso(-60) }), NOW);
    const failing = panelState(endpointState('workers', {}, { status: 'error', error: { kind: 'http', message: 'HTTP 500' }, lastGoodAt: iso(-3) }), NOW);
    const fresh = panelState(endpointState('workers', {}), NOW);
    expect(rowStatusShown(stale, 'ok')).toBe('unknown');
    expect(rowStatusShown(failing, 'ok')).toBe('unknown');
    expect(rowStatusShown(stale, 'fail')).toBe('fail');
    expect(rowStatusShown(fresh, 'ok')).toBe('ok');
  });
});
