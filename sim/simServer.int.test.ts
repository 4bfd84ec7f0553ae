import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ENDPOINT_PATHS, ENDPOINTS, parseEndpointBody, type Endpoint } from '../common/health';
import { ManualClock } from './clock';
import { FAULT_KINDS } from './faults';
import { SCENARIOS } from './scenarios';
import { startSimServer, type SimServer, type SimServerOptions } from './simServer';

const MiB = 1024 * 1024;
const servers: SimServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: SimServerOptions = {}): Promise<SimServer> {
  const server = await startSimServer(options);
  servers.push(server);
  return server;
}

async function control(sim: SimServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function getJson(sim: SimServer, endpoint: Endpoint): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}${ENDPOINT_PATHS[endpoint]}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** GET with node:http to see socket-level outcomes (resets, timeouts) as a poller would. */
function rawGet(url: string, timeoutMs = 5000): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('sim HTTP server', () => {
  it('serves every endpoint of every scenario so that the shared schemas find zero bad items', async () => {
    const sim = await start();
    for (const scenario of SCENARIOS) {
      expect((await control(sim, 'POST', '/_sim/scenario', { name: scenario })).status).toBe(200);
      for (const endpoint of ENDPOINTS) {
        const res = await fetch(`${sim.url}${ENDPOINT_PATHS[endpoint]}`);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        const parsed = parseEndpointBody(endpoint, await res.json());
        expect(parsed.metaProblems, `${scenario} ${endpoint}`).toEqual([]);
        expect(
          Object.values(parsed.items).filter((i) => !i.ok),
          `${scenario} ${endpoint}`,
        ).toEqual([]);
        expect(Object.keys(parsed.items).length).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('keeps connections alive across polls', async () => {
    const sim = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${sim.url}/api/health/sla`, { agent }, (res) => {
          reused.push(req.reusedSocket);
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    }
    agent.destroy();
    expect(reused).toEqual([false, true, true]);
  });

  it('switches scenario at run time and reports it in /_sim/state', async () => {
    const sim = await start();
    expect((await getJson(sim, 'workers')).queues).toMatchObject({ scanner: { status: 'healthy' } });
    const switched = await control(sim, 'POST', '/_sim/scenario', { name: 'queue-backlog' });
    expect(switched.json.scenario).toBe('queue-backlog');
    expect((await getJson(sim, 'workers')).queues).toMatchObject({ scanner: { pending: 120, status: 'degraded' } });
    expect((await control(sim, 'GET', '/_sim/state')).json).toMatchObject({ scenario: 'queue-backlog', faults: [] });
  });

  it('refuses bad control requests with an error that names what was wrong', async () => {
    const sim = await start();
    const unknownScenario = await control(sim, 'POST', '/_sim/scenario', { name: 'meltdown' });
    expect(unknownScenario.status).toBe(400);
    expect(unknownScenario.json.error).toMatch(/name must be one of normal, freshness-stale/);
    const notJson = await fetch(`${sim.url}/_sim/scenario`, { method: 'POST', body: '{name:' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON/);
    const badKind = await control(sim, 'POST', '/_sim/fault', { kind: 'explode' });
    expect(badKind.status).toBe(400);
    expect(badKind.json.error).toMatch(/kind must be one of slow, http-500/);
    const badEndpoint = await control(sim, 'POST', '/_sim/fault', { kind: 'http-500', endpoint: '/etc/passwd' });
    expect(badEndpoint.json.error).toMatch(/endpoint "\/etc\/passwd" is not one of overview/);
    const extraField = await control(sim, 'POST', '/_sim/scenario', { name: 'normal', force: true });
    expect(extraField.status).toBe(400);
    const wrongMethod = await control(sim, 'GET', '/_sim/scenario');
    expect(wrongMethod.status).toBe(405);
    const badEncoding = await control(sim, 'POST', '/api/health/circuit-breakers/%E0%A4%A/reset');
    expect(badEncoding).toMatchObject({ status: 400, json: { error: 'bad percent-encoding in path: "%E0%A4%A"' } });
    const unknownPath = await control(sim, 'GET', '/api/health/everything');
    expect(unknownPath).toMatchObject({ status: 404, json: { error: 'no such endpoint: /api/health/everything' } });
  });

  it('cycles through the area scenarios on the clock when asked, and a manual switch stops it', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
    const sim = await start({ clock, cycleSeconds: 45 });
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push((await control(sim, 'GET', '/_sim/state')).json.scenario);
      clock.advanceSeconds(45);
    }
    expect(seen).toEqual(['freshness-stale', 'broker-down', 'sla-degraded']);
    expect((await getJson(sim, 'circuitBreakers')).breakers).toMatchObject({ coingecko_api: { state: 'OPEN', failure_count: 7 } });
    await control(sim, 'POST', '/_sim/scenario', { name: 'normal' });
    clock.advanceSeconds(450);
    expect((await control(sim, 'GET', '/_sim/state')).json).toMatchObject({ scenario: 'normal', cycle: null });
    expect((await control(sim, 'POST', '/_sim/cycle', { seconds: 10 })).json).toMatchObject({ scenario: 'freshness-stale', cycle: { seconds: 10 } });
  });

  it('refuses an oversized control body and an out-of-range slow delay', async () => {
    const sim = await start();
    const huge = await fetch(`${sim.url}/_sim/scenario`, { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(100_000) }) });
    expect(huge.status).toBe(413);
    const slow = await control(sim, 'POST', '/_sim/fault', { kind: 'slow', ms: 10_000_000 });
    expect(slow.status).toBe(400);
    expect(slow.json.error).toMatch(/^bad request body: ms: /);
  });

  it('turns the control API off with control: false (--no-control) while the health API still answers', async () => {
    const sim = await start({ control: false, scenario: 'broker-down' });
    expect((await control(sim, 'GET', '/_sim/state')).status).toBe(404);
    expect((await control(sim, 'POST', '/_sim/scenario', { name: 'normal' })).status).toBe(404);
    expect((await getJson(sim, 'brokers')).brokers).toMatchObject({ ibkr: { status: 'offline' } });
  });
});

describe('sim circuit breakers over HTTP', () => {
  it('POST /api/health/circuit-breakers/{name}/reset closes an OPEN breaker', async () => {
    const sim = await start({ scenario: 'breaker-open' });
    expect((await getJson(sim, 'circuitBreakers')).breakers).toMatchObject({ coingecko_api: { state: 'OPEN', failure_count: 7, last_failure: 'HTTP 429' } });
    const reset = await control(sim, 'POST', '/api/health/circuit-breakers/coingecko_api/reset');
    expect(reset).toMatchObject({ status: 200, json: { name: 'coingecko_api', breaker: { state: 'CLOSED', failure_count: 0 } } });
    expect((await getJson(sim, 'circuitBreakers')).breakers).toMatchObject({ coingecko_api: { state: 'CLOSED' } });
    const unknown = await control(sim, 'POST', '/api/health/circuit-breakers/nope_api/reset');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/no circuit breaker named "nope_api"; known: coingecko_api, dexscreener_api/);
    expect((await control(sim, 'GET', '/api/health/circuit-breakers/coingecko_api/reset')).status).toBe(405);
  });

  it('a flipped breaker follows OPEN -> HALF_OPEN -> CLOSED on the injected clock', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T12:00:00Z'));
    const sim = await start({ clock });
    const flip = await control(sim, 'POST', '/_sim/breaker/dexscreener_api', { state: 'OPEN', last_failure: 'timeout after 10 s' });
    expect(flip.json.breaker).toMatchObject({ state: 'OPEN', failure_count: 5, opened_at: '2026-11-26T12:00:00.000Z', last_failure: 'timeout after 10 s' });
    clock.advanceSeconds(29);
    expect((await getJson(sim, 'circuitBreakers')).breakers).toMatchObject({ dexscreener_api: { state: 'OPEN' } });
    clock.advanceSeconds(1);
    expect((await getJson(sim, 'circuitBreakers')).breakers).toMatchObject({ dexscreener_api: { state: 'HALF_OPEN' } });
    clock.advanceSeconds(5);
    expect((await getJson(sim, 'circuitBreakers')).breakers).toMatchObject({ dexscreener_api: { state: 'CLOSED', failure_count: 0 } });
    const bad = await control(sim, 'POST', '/_sim/breaker/dexscreener_api', { state: 'open' });
    expect(bad.json.error).toMatch(/state must be CLOSED, OPEN or HALF_OPEN/);
  });
});

describe('sim faults on the wire', () => {
  it('http-500 on one endpoint leaves the others alone, and DELETE /_sim/fault ends it', async () => {
    const sim = await start();
    await control(sim, 'POST', '/_sim/fault', { kind: 'http-500', endpoint: 'circuitBreakers' });
    const broken = await fetch(`${sim.url}/api/health/circuit-breakers`);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ error: 'simulated internal server error (fault http-500)' });
    expect((await fetch(`${sim.url}/api/health/freshness`)).status).toBe(200);
    expect((await control(sim, 'DELETE', '/_sim/fault')).json.faults).toEqual([]);
    expect((await fetch(`${sim.url}/api/health/circuit-breakers`)).status).toBe(200);
  });

  it('reset destroys the socket with an RST: the client sees ECONNRESET', async () => {
    const sim = await start();
    await control(sim, 'POST', '/_sim/fault', { kind: 'reset', endpoint: '/api/health/brokers' });
    await expect(rawGet(`${sim.url}/api/health/brokers`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await rawGet(`${sim.url}/api/health/sla`)).status).toBe(200);
  });

  it('malformed-json sends a 200 JSON content type whose body does not parse', async () => {
    const sim = await start();
    await control(sim, 'POST', '/_sim/fault', { kind: 'malformed-json' });
    const res = await rawGet(`${sim.url}/api/health/sla`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.bytes.length).toBeGreaterThan(20);
    expect(() => JSON.parse(res.bytes.toString('utf8'))).toThrow(SyntaxError);
  });

  it('oversized sends valid JSON over 1 MiB, chunked, with no Content-Length to trust', async () => {
    const sim = await start();
    await control(sim, 'POST', '/_sim/fault', { kind: 'oversized', endpoint: 'workers' });
    const res = await rawGet(`${sim.url}/api/health/workers`);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.bytes.length).toBeGreaterThan(MiB);
    expect(JSON.parse(res.bytes.toString('utf8'))).toHaveProperty('queues.scanner');
  });

  it('slow delays the answer by the given milliseconds', async () => {
    const sim = await start();
    await control(sim, 'POST', '/_sim/fault', { kind: 'slow', endpoint: 'security', ms: 3000 });
    const t0 = performance.now();
    expect((await rawGet(`${sim.url}/api/health/security`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2990);
    await expect(rawGet(`${sim.url}/api/health/security`, 100)).rejects.toThrow('client timeout');
    // the other endpoints are not delayed: well under the 3 s (the margin is for a loaded CI)
    const t1 = performance.now();
    await rawGet(`${sim.url}/api/health/sla`);
    expect(performance.now() - t1).toBeLessThan(2000);
  });

  it('hang never answers, and closing the server does not wait for the hung request', async () => {
    const sim = await startSimServer();
    await control(sim, 'POST', '/_sim/fault', { kind: 'hang' });
    const hung = rawGet(`${sim.url}/api/health/freshness`, 60_000);
    const timedOut = rawGet(`${sim.url}/api/health/freshness`, 300);
    await expect(timedOut).rejects.toThrow('client timeout');
    const t0 = performance.now();
    await sim.close();
    // the hung request would hold close() for its full 60 s
    expect(performance.now() - t0).toBeLessThan(10_000);
    await expect(hung).rejects.toThrow();
  });

  it.each(ENDPOINTS)('bad-item on %s mistypes exactly one item and leaves the rest valid', async (endpoint) => {
    const sim = await start({ scenario: 'security-failing' });
    await control(sim, 'POST', '/_sim/fault', { kind: 'bad-item', endpoint });
    const parsed = parseEndpointBody(endpoint, await getJson(sim, endpoint));
    const bad = Object.entries(parsed.items).filter(([, i]) => !i.ok);
    expect(bad).toHaveLength(1);
    expect(Object.keys(parsed.items).length - bad.length).toBeGreaterThanOrEqual(2);
  });

  it('a fault on one endpoint wins over the all-endpoints fault, and both are listed', async () => {
    const sim = await start();
    await control(sim, 'POST', '/_sim/fault', { kind: 'http-500' });
    const { json } = await control(sim, 'POST', '/_sim/fault', { kind: 'bad-item', endpoint: 'sla' });
    expect(json.faults).toEqual([
      { kind: 'http-500', endpoint: null },
      { kind: 'bad-item', endpoint: 'sla' },
    ]);
    expect((await fetch(`${sim.url}/api/health/sla`)).status).toBe(200);
    expect((await fetch(`${sim.url}/api/health/brokers`)).status).toBe(500);
    expect(json.fault_kinds).toEqual([...FAULT_KINDS]);
  });
});

describe('sim --state-dir', () => {
  it('keeps the scenario across a restart and reacts to an ingestion restart marker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    dirs.push(dir);
    const first = await startSimServer({ stateDir: dir });
    await control(first, 'POST', '/_sim/scenario', { name: 'freshness-stale' });
    await first.close();

    const second = await start({ stateDir: dir, scenario: 'normal' });
    expect((await control(second, 'GET', '/_sim/state')).json.scenario).toBe('freshness-stale');
    expect((await getJson(second, 'freshness')).sources).toMatchObject({ coingecko: { freshness: 'stale' } });

    // what the testbed's autotrader-ingestion unit does on start: ExecStartPost=touch DIR/restart-autotrader-ingestion
    const marker = join(dir, 'restart-autotrader-ingestion');
    writeFileSync(marker, '');
    utimesSync(marker, new Date(), new Date(Date.now() + 1000));
    expect((await getJson(second, 'freshness')).sources).toMatchObject({ coingecko: { freshness: 'fresh' } });
    expect((await control(second, 'GET', '/_sim/state')).json.scenario).toBe('normal');
  });

  it('ignores a corrupt scenario.json and starts on the given scenario', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-state-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'scenario.json'), '{"name": "rm -rf"}');
    const warnings: string[] = [];
    const sim = await start({ stateDir: dir, scenario: 'sla-degraded', logger: { info: () => {}, warn: (m) => warnings.push(m) } });
    expect((await control(sim, 'GET', '/_sim/state')).json.scenario).toBe('sla-degraded');
    expect(warnings).toEqual(['ignoring scenario.json: "name" is not a known scenario']);
  });
});
