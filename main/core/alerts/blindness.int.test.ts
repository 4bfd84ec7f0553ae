// Blindness against real faults: the real HealthPoller polls the real simulator (loopback HTTP,
// a real undici Agent) while four endpoints fail at once (HTTP 500, a hang, a reset, bad JSON).
// Each must become a firing alert naming its fault, and resolve when the fault is lifted. The
// pending time is shortened to 1 s so the test does not wait the 30 s default.
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeploymentId } from '../../../common/contract';
import { ENDPOINTS, type Endpoint } from '../../../common/health';
import type { AlertRecord } from '../../../common/thresholds';
import { startSimServer, type SimServer } from '../../../sim/simServer';
import { systemClock, systemTimers } from '../clock';
import { HealthPoller } from '../health/HealthPoller';
import { DEFAULT_ALERTS_SETTINGS } from './alertRules';
import { AlertEngine } from './AlertEngine';
import { BlindnessWatch } from './BlindnessWatch';

let sim: SimServer;
let agent: Agent;

beforeAll(async () => {
  sim = await startSimServer({ port: 0 });
  agent = new Agent({ keepAliveTimeout: 10_000, connections: 8 });
});
afterAll(async () => {
  await agent.close();
  await sim.close();
});

async function fault(method: 'POST' | 'DELETE', body?: unknown): Promise<void> {
  const res = await request(`${sim.url}/_sim/fault`, {
    method,
    dispatcher: agent,
    ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} /_sim/fault: ${res.statusCode} ${text}`);
}

async function until<T>(what: string, read: () => T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('four endpoints that cannot be read (HTTP 500, hang, reset, bad JSON) each raise an alert that resolves when they answer', async () => {
  const alerts = new Map<string, AlertRecord>();
  const engine = new AlertEngine({ settings: DEFAULT_ALERTS_SETTINGS, clock: systemClock, onChange: (a) => alerts.set(a.key, a), onNotify: () => undefined });
  const watch = new BlindnessWatch({ alerts: engine, clock: systemClock, timers: systemTimers, pendingMs: 1_000 });
  const poller = new HealthPoller({
    dispatcherFor: () => agent,
    onUpdate: () => undefined,
    onPolled: (_id, _endpoint, state) => {
      engine.evaluate(state);
      watch.observe(state);
    },
    random: () => 0.5,
  });
  const faults: Array<[Endpoint, string, RegExp]> = [
    ['sla', 'http-500', /^sla cannot be read \(http: HTTP 500\)/],
    ['brokers', 'hang', /^brokers cannot be read \(timeout: /],
    ['workers', 'reset', /^workers cannot be read \(reset: /],
    ['rateLimits', 'malformed-json', /^rateLimits cannot be read \(bad-json: not JSON: /],
  ];
  poller.start([
    {
      id: 'sim' as DeploymentId,
      url: sim.url,
      intervalsMs: Object.fromEntries(ENDPOINTS.map((e) => [e, 200])) as Record<Endpoint, number>,
      timeoutMs: 500,
      maxBodyBytes: 1024 * 1024,
      maxBackoffMs: 400,
    },
  ]);
  try {
    const blind = (endpoint: string) => alerts.get(`sim/api-unreadable/${endpoint}`);
    // a few good sweeps first: nothing is blind
    await new Promise((r) => setTimeout(r, 600));
    expect([...alerts.values()].filter((x) => x.ruleId === 'api-unreadable')).toEqual([]);
    for (const [endpoint, kind] of faults) await fault('POST', { kind, endpoint });
    for (const [endpoint, , reason] of faults) {
      const a = await until(`${endpoint} blind alert firing`, () => (blind(endpoint)?.state === 'firing' ? blind(endpoint) : null));
      expect(a).toMatchObject({ title: 'health API cannot be read', severity: 'warning', endpoint });
      expect(a!.reason).toMatch(reason);
      expect(Date.parse(a!.firedAt!) - Date.parse(a!.pendingSince)).toBeGreaterThanOrEqual(1_000);
    }
    // endpoints that kept answering raised none
    expect(alerts.get('sim/api-unreadable/security')).toBeUndefined();
    await fault('DELETE');
    for (const [endpoint] of faults) {
      await until(`${endpoint} blind alert resolved`, () => blind(endpoint)?.state === 'resolved');
    }
    expect(engine.list().filter((a) => a.ruleId === 'api-unreadable' && a.state !== 'resolved')).toEqual([]);
  } finally {
    poller.stop();
  }
});
