// The Electron preload cannot run here (no Electron binary can be downloaded on these
// machines), so its `window.opsdeck` is stood in for by a frozen object of the same shape:
// contextBridge freezes what it exposes, which is exactly what these cases depend on.
import { describe, expect, it } from 'vitest';
import type { OpsApi } from '../../../common/contract';
import { takeToken, validatingApi, webSocketUrl } from './openOpsApi';

function frozenBridge(answers: Record<string, unknown>, emitters: Record<string, (payload: unknown) => void> = {}): OpsApi {
  const api: Record<string, unknown> = {};
  for (const [name, answer] of Object.entries(answers)) {
    api[name] = async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    };
  }
  api.on = (name: string, listener: (payload: unknown) => void) => {
    emitters[name] = listener;
    return () => delete emitters[name];
  };
  return Object.freeze(api) as unknown as OpsApi;
}

describe('validatingApi over a frozen preload object', () => {
  it('passes good answers, names contract mismatches, and turns a rejected IPC call into a Result', async () => {
    const api = validatingApi(
      frozenBridge({
        pollNow: { ok: true, value: { scheduled: true } },
        cancelRun: { ok: true, value: { cancelled: 'yes' } },
        listAudit: new Error('Error invoking remote method'),
        getFleet: { ok: false, error: { code: 'internal', message: 'config unreadable' } },
      }),
    );
    expect(await api.pollNow({ deploymentId: 'prod' as never })).toEqual({ ok: true, value: { scheduled: true } });
    expect(await api.cancelRun({ runId: 'run-0123456789abcdef' as never })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'cancelRun: answer does not match the contract at cancelled: Invalid input: expected boolean, received string' },
    });
    expect(await api.listAudit({ limit: 1 })).toEqual({ ok: false, error: { code: 'unavailable', message: 'listAudit: Error invoking remote method' } });
    expect(await api.getFleet({})).toEqual({ ok: false, error: { code: 'internal', message: 'config unreadable' } });
  });

  it('delivers valid events and drops invalid ones with a warning', () => {
    const emitters: Record<string, (payload: unknown) => void> = {};
    const warnings: string[] = [];
    const api = validatingApi(frozenBridge({}, emitters), { warn: (m: string) => warnings.push(m) });
    const seen: unknown[] = [];
    const off = api.on('onConnection', (p) => seen.push(p));
    emitters.onConnection!({ updates: [] });
    emitters.onConnection!({ updates: [{ hostId: 'BAD HOST' }] });
    expect(seen).toEqual([{ updates: [] }]);
    expect(warnings).toEqual(['opsdeck: dropped an invalid onConnection event']);
    off();
    expect(emitters.onConnection).toBeUndefined();
  });
});

describe('session token', () => {
  const location = (hash: string) => ({ hash, host: '127.0.0.1:4100', protocol: 'http:', pathname: '/', search: '' });

  it('reads #token=, removes it from the visible URL, and keeps it for a reload of this tab', () => {
    const replaced: string[] = [];
    const stored = new Map<string, string>();
    const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
    const token = takeToken(
      location('#token=abc_DEF-123'),
      { replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
      storage,
    );
    expect(token).toBe('abc_DEF-123');
    expect(replaced).toEqual(['/']);
    expect(takeToken(location(''), { replaceState: () => {} }, storage)).toBe('abc_DEF-123');
    expect(takeToken(location(''), { replaceState: () => {} }, null)).toBeNull();
  });

  it("connects to /ws on the page's own host with the token encoded", () => {
    expect(webSocketUrl(location(''), 'a+b')).toBe('ws://127.0.0.1:4100/ws?token=a%2Bb');
  });
});
