import { describe, expect, it } from 'vitest';
import { CALL_NAMES, EVENT_NAMES, calls, events, ipcCallChannel, ipcEventChannel, isCallName, isEventName, parseRequest } from './index';
import { runAlert } from '../runAlert.fixture';

describe('the contract', () => {
  it('has distinct channels for every call and event', () => {
    const channels = [...CALL_NAMES.map(ipcCallChannel), ...EVENT_NAMES.map(ipcEventChannel)];
    expect(new Set(channels).size).toBe(channels.length);
    for (const name of CALL_NAMES) {
      expect(calls[name].request, name).toBeDefined();
      expect(calls[name].response, name).toBeDefined();
    }
    for (const name of EVENT_NAMES) expect(name, 'events are named onSomething').toMatch(/^on[A-Z]/);
  });

  it('lists in names.ts (what the preload bundles) every call and event of the schema maps, in their order', () => {
    expect(Object.keys(calls)).toEqual(CALL_NAMES);
    expect(Object.keys(events)).toEqual(EVENT_NAMES);
  });

  it('knows its own names and nothing inherited', () => {
    expect(isCallName('previewAction')).toBe(true);
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty', '', 42, null]) expect(isCallName(name), String(name)).toBe(false);
    expect(isEventName('onHealth')).toBe(true);
    expect(isEventName('constructor')).toBe(false);
  });

  it('accepts a well-formed request and brands its ids', () => {
    const parsed = parseRequest('previewAction', { actionId: 'service.restart', params: { unit: 'autotrader-ingestion' }, hostIds: ['at-1'] });
    expect(parsed).toEqual({ ok: true, value: { actionId: 'service.restart', params: { unit: 'autotrader-ingestion' }, hostIds: ['at-1'] } });
  });

  it('carries the alert a preview is started from, and names what is wrong with a bad one', () => {
    const alert = runAlert({ id: 'a-12' });
    const req = { actionId: 'service.restart', params: { unit: 'autotrader-api' }, hostIds: ['at-1'] };
    expect(parseRequest('previewAction', { ...req, alert })).toEqual({ ok: true, value: { ...req, alert } });
    expect(parseRequest('previewAction', { ...req, alert: { ...alert, firedAt: null } }).ok).toBe(true);
    const badId = parseRequest('previewAction', { ...req, alert: { ...alert, id: '12' } });
    expect(badId.ok || badId.error.message).toBe('previewAction: alert.id: not an alert id (a-<number>)');
    const badTime = parseRequest('previewAction', { ...req, alert: { ...alert, firedAt: 'yesterday' } });
    expect(badTime.ok || badTime.error.message).toMatch(/^previewAction: alert\.firedAt: /);
    const extra = parseRequest('previewAction', { ...req, alert: { ...alert, command: 'rm -rf /' } });
    expect(extra.ok || extra.error.message).toMatch(/^previewAction: alert: .*command/);
    expect(parseRequest('previewAction', { ...req, alert: { ...alert, item: 'x'.repeat(300) } }).ok).toBe(false);
  });

  it('names the call and the field of a bad request', () => {
    expect(parseRequest('previewAction', { actionId: 'service.restart', params: {}, hostIds: [] })).toEqual({
      ok: false,
      error: { code: 'bad-request', message: 'previewAction: hostIds: Too small: expected array to have >=1 items' },
    });
    const badHost = parseRequest('previewAction', { actionId: 'service.restart', params: {}, hostIds: ['at-1; reboot'] });
    expect(badHost.ok || badHost.error.message).toMatch(/^previewAction: hostIds\.0: host id must be/);
    const badToken = parseRequest('runAction', { token: 'x' });
    expect(badToken.ok || badToken.error.message).toBe('runAction: token: not a preview token');
  });

  it('refuses keys the contract does not name, so nothing extra rides along to a handler', () => {
    const extra = parseRequest('runAction', { token: 'a'.repeat(43), command: 'rm -rf /' });
    expect(extra.ok).toBe(false);
    expect(extra.ok || extra.error.message).toMatch(/^runAction: .*command/);
    expect(parseRequest('getFleet', { anything: 1 }).ok).toBe(false);
    expect(parseRequest('getFleet', undefined).ok).toBe(true);
  });

  it('bounds what a hostile renderer can send', () => {
    const huge = parseRequest('previewAction', { actionId: 'service.restart', params: { unit: 'x'.repeat(5000) }, hostIds: ['a'] });
    expect(huge.ok).toBe(false);
    const many = parseRequest('previewAction', { actionId: 'service.restart', params: {}, hostIds: Array.from({ length: 201 }, (_, i) => `h${i}`) });
    expect(many.ok).toBe(false);
    const limit = parseRequest('listAudit', { limit: 1e9 });
    expect(limit.ok).toBe(false);
  });
});
