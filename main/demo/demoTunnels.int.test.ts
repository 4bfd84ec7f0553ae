// Dashboards on the built-in demo: its hosts serve only the health API on their localhost, so the
// Hosts view offers that page through the tunnel (and says where the usual dashboards went),
// and a forward the demo host refuses fails with a reason, not an empty one. The tunnel is the
// app's TunnelService over the app's SessionPool to the in-process demo SSH server.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostId } from '../../common/contract';
import { bundledCatalog } from '../core/actions/Catalog';
import { systemClock } from '../core/clock';
import { hostToolsFromConfig, hostToolsView } from '../core/hosts/hostToolsSettings';
import { SessionPool } from '../core/ssh/SessionPool';
import { TunnelService } from '../core/tunnels/TunnelService';
import { startDemoFleetForConsole } from './demoFleet';

let dir: string;
let fleet: Awaited<ReturnType<typeof startDemoFleetForConsole>>;
let pool: SessionPool;
let tunnels: TunnelService;
const H1 = 'demo-1' as HostId;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-demo-tunnels-'));
  fleet = await startDemoFleetForConsole({ stateDir: dir, catalog: bundledCatalog(), demo: { cycleSeconds: null, journalIntervalMs: 0 } });
  pool = new SessionPool({});
  pool.setHosts([...fleet.targets]);
  const settings = hostToolsFromConfig(
    null,
    join(dir, 'audit.jsonl'),
    fleet.deployments.map((d) => d.id),
    fleet.dashboards,
  );
  tunnels = new TunnelService({
    forwardOut: (id, host, port) => pool.forwardOut(id, host, port),
    onState: (listener) => pool.onState(listener),
    // the demo's own dashboards, and the config's default Grafana the demo hosts do not serve
    dashboardsFor: () => [...(settings.dashboards.demo ?? []), { name: 'Grafana', port: 9090, path: '/' }],
    clock: systemClock,
    randomBytes,
    emitTunnels: () => {},
    logger: { warn: () => {} },
  });
});

afterAll(async () => {
  tunnels?.closeAll();
  await pool?.close();
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dashboards on the demo fleet', () => {
  it('offers the health API in place of the Operations dashboard and Grafana, and says why', () => {
    const view = hostToolsView(hostToolsFromConfig(null, join(dir, 'audit.jsonl'), ['demo'], fleet.dashboards));
    expect(view.dashboards.demo).toEqual([{ name: 'Health API', port: 8000, path: '/api/health' }]);
    expect(view.dashboardNotes.demo).toMatch(/^The demo hosts run no Operations dashboard or Grafana; their health API is offered/);
  });

  it('serves the health API through the tunnel', async () => {
    const tunnel = await tunnels.open(H1, 'Health API');
    const response = await fetch(tunnel.url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status?: unknown };
    expect(typeof body.status).toBe('string');
  });

  it('names why a forward the demo host refuses failed, never an empty reason', async () => {
    const failure = await tunnels.open(H1, 'Grafana').catch((err: Error) => err.message);
    expect(failure).toMatch(
      /cannot open a forward to 127\.0\.0\.1:9090: \(SSH\) Channel open failure: nothing accepted the connection there \(connect failed\)$/,
    );
  });
});
