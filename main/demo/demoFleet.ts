// The built-in demo: simulated autotrader hosts served by in-process SSH servers (sim/), so the
// console reaches them through exactly the same SSH client, host-key check and port forward
// as real hosts, on a machine with no sshd and no root. See docs/demo.md. It lives outside
// main/core because it is built on sim/, which the core never imports: the shells hand it to
// bootstrap (loadDemoFleet.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoScenarioState, DeploymentId, HostId, RunbookArea } from '../../common/contract';
import type { AutotraderModel } from '../../sim/autotraderModel';
import { DEMO_API_PORT, startDemoFleet, type DemoFleet, type DemoFleetOptions } from '../../sim/demoHost';
import { SCENARIOS, SCENARIO_DESCRIPTIONS, isScenarioName, type ScenarioName } from '../../sim/scenarios';
import type { Catalog } from '../core/actions/Catalog';
import type { DemoScenarioControl, Fleet } from '../core/fleet';
import { pollSchedule } from '../core/fleet';
import { HealthConfig } from '../core/config/configSchema';
import { DEFAULT_PROCESSES, DEFAULT_UNITS, hostFactsScript } from '../core/hosts/hostFactsScript';

export interface DemoConsoleOptions {
  stateDir: string;
  hosts?: number;
  /** the catalog the console runs: its script texts are what the demo hosts recognise */
  catalog: Catalog;
  /**
   * the units and process probes the Hosts view watches (settings.monitor): the demo hosts are
   * handed the facts script made from exactly these, the text HostMonitor will send
   */
  hostFacts?: { units: readonly string[]; processes: Readonly<Record<string, string>> };
  /** simulator settings for tests (clock, scenario, journal ticks); the app uses the defaults */
  demo?: Omit<DemoFleetOptions, 'hosts' | 'scripts' | 'hostFacts'>;
}

/**
 * The catalog's fixed shell and Python texts, by name, for the demo hosts. An action's script
 * reaches a host as `sh -c '<script>' <action id> …` (its precheck as `<id>:precheck`), an argv
 * action's inline program as `python3 -c '<text>' …`; a demo host answers one only when the text
 * is exactly the catalog's, so an edited script is refused in the demo until it is emulated.
 */
export function demoScripts(catalog: Catalog): Map<string, string> {
  const scripts = new Map<string, string>();
  for (const action of catalog.all()) {
    if (action.script) scripts.set(action.id, action.script);
    if (action.precheck) scripts.set(`${action.id}:precheck`, action.precheck.script);
    const inline = action.command?.findIndex((word, i) => word === '-c' && i > 0) ?? -1;
    if (action.command && inline > 0 && action.command[inline + 1]) scripts.set(action.id, action.command[inline + 1]!);
  }
  return scripts;
}

/** The runbook area each of the simulator's scenarios shows (normal: none). */
const SCENARIO_AREA: Readonly<Record<ScenarioName, RunbookArea | null>> = {
  normal: null,
  'freshness-stale': 'data-freshness',
  'broker-down': 'broker-connectivity',
  'sla-degraded': 'sla-violations',
  'breaker-open': 'circuit-breakers',
  'rate-limited': 'rate-limits',
  'queue-backlog': 'worker-queues',
  'security-failing': 'security-checks',
};

/** The console's scenario picker on the simulator the demo hosts share. */
export function demoScenarioControl(sim: AutotraderModel): DemoScenarioControl {
  const state = (): DemoScenarioState => ({
    scenarios: SCENARIOS.map((name) => ({ name, area: SCENARIO_AREA[name], description: SCENARIO_DESCRIPTIONS[name] })),
    current: sim.scenario,
    cycling: sim.cycle !== null,
  });
  return {
    state,
    set(name) {
      if (!isScenarioName(name)) throw new Error(`no demo scenario "${name}"`);
      sim.setScenario(name);
      return state();
    },
  };
}

export async function startDemoFleetForConsole(options: DemoConsoleOptions): Promise<Fleet & { readonly demoFleet: DemoFleet }> {
  const units = options.hostFacts?.units ?? DEFAULT_UNITS;
  const processes = options.hostFacts?.processes ?? DEFAULT_PROCESSES;
  const demo = await startDemoFleet({
    cycleSeconds: 45,
    ...options.demo,
    hosts: options.hosts ?? 2,
    scripts: demoScripts(options.catalog),
    hostFacts: { text: hostFactsScript(units, processes), units, processes },
  });
  // The demo hosts' keys are made fresh each run and are trusted because we made them: they
  // go to a known_hosts of the demo's own, never into the user's.
  const demoDir = join(options.stateDir, 'demo');
  await mkdir(demoDir, { recursive: true, mode: 0o700 });
  const knownHostsPath = join(demoDir, 'known_hosts');
  await writeFile(knownHostsPath, demo.hosts.map((host) => host.hostKeyLine).join('\n') + '\n', { mode: 0o600 });
  const hostIds = demo.hosts.map((host) => host.id as HostId);
  const deploymentId = 'demo' as DeploymentId;
  // Each demo host forwards its own localhost:8000 to the simulator, as a real host would.
  const healthUrl = `http://127.0.0.1:${DEMO_API_PORT}`;
  const health = HealthConfig.parse({ url: healthUrl, via: hostIds[0], intervalSeconds: 2, intervals: { overview: 10, security: 5 } });
  return {
    demo: true,
    demoFleet: demo,
    hosts: demo.hosts.map((host) => ({ id: host.id as HostId, label: host.label, address: '127.0.0.1', port: host.port, user: 'demo', demo: true })),
    targets: demo.hosts.map((host) => ({
      id: host.id as HostId,
      address: '127.0.0.1',
      port: host.port,
      user: 'demo',
      privateKey: Buffer.from(demo.clientKeyPem),
      knownHostsPath,
    })),
    deployments: [{ id: deploymentId, name: 'autotrader (DEMO)', hosts: hostIds, healthVia: hostIds[0]!, healthUrl }],
    polled: [pollSchedule(deploymentId, health)],
    // the demo hosts serve their health API on localhost:8000 and nothing else: that is the one
    // page a tunnel can reach, and the note says where the usual dashboards went
    dashboards: {
      [deploymentId]: {
        dashboards: [{ name: 'Health API', port: DEMO_API_PORT, path: '/api/health' }],
        note: 'The demo hosts run no Operations dashboard or Grafana; their health API is offered through the tunnel instead.',
      },
    },
    demoScenarios: demoScenarioControl(demo.sim.model),
    stop: () => demo.stop(),
  };
}
