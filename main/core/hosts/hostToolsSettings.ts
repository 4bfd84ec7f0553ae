// The host tools' settings (host view thresholds, dashboards, escalation URLs, terminal recording),
// taken from the same config file the app was started with. Missing keys get the defaults the
// issue names: disks amber above 80 % and red above 90 %, the Operations dashboard on the
// host's 127.0.0.1:3000/ops and Grafana on 127.0.0.1:9090.
import { dirname, join } from 'node:path';
import { EscalationTarget, type Dashboard, type HostTools } from '../../../common/contract';
import { emptyRecord, recordFrom } from '../../../common/emptyRecord';
import type { OpsdeckConfig } from '../config/configSchema';
import { expandHome } from '../config/loadConfig';
import type { FleetDashboards } from '../fleet';
import { DEFAULT_HOST_MONITOR_SETTINGS, type HostMonitorSettings } from './HostMonitor';

export const DEFAULT_DASHBOARDS: readonly Dashboard[] = [
  { name: 'Operations dashboard', port: 3000, path: '/ops' },
  { name: 'Grafana', port: 9090, path: '/' },
];

export interface HostToolsSettings {
  monitor: HostMonitorSettings;
  dashboards: Record<string, Dashboard[]>;
  /** deployment id -> why its hosts offer other dashboards than the config's (the demo) */
  dashboardNotes?: Record<string, string>;
  escalation: Record<string, Partial<Record<EscalationTarget, string>>>;
  recording: { enabled: boolean; dir: string };
}

/** The Hosts view's refresh settings; the demo fleet needs them before the rest (its hosts answer this facts script). */
export function monitorSettingsFromConfig(config: OpsdeckConfig | null): HostMonitorSettings {
  const view = config?.hostView;
  return {
    ...DEFAULT_HOST_MONITOR_SETTINGS,
    ...(view ? { refreshMs: Math.round(view.refreshSeconds * 1000), diskAmberPct: view.diskAmberPct, diskRedPct: view.diskRedPct } : {}),
    ...(view?.units ? { units: view.units } : {}),
  };
}

export function hostToolsFromConfig(
  config: OpsdeckConfig | null,
  auditFile: string,
  deploymentIds: readonly string[],
  fleetDashboards: Readonly<Record<string, FleetDashboards>> = {},
): HostToolsSettings {
  const dashboards = emptyRecord<Dashboard[]>();
  const dashboardNotes = emptyRecord<string>();
  const escalation = emptyRecord<Partial<Record<EscalationTarget, string>>>();
  for (const id of deploymentIds) {
    const d = config?.deployments.find((x) => x.id === id);
    const own = Object.hasOwn(fleetDashboards, id) ? fleetDashboards[id] : undefined;
    dashboards[id] = (own?.dashboards ?? d?.dashboards ?? DEFAULT_DASHBOARDS).map((x) => ({ name: x.name, port: x.port, path: x.path }));
    if (own) dashboardNotes[id] = own.note;
    const e = d?.escalation ?? {};
    escalation[id] = recordFrom(Object.entries(e).filter(([, url]) => typeof url === 'string'));
  }
  return {
    monitor: monitorSettingsFromConfig(config),
    dashboards,
    dashboardNotes,
    escalation,
    recording: {
      enabled: config?.terminal?.record ?? false,
      dir: config?.terminal?.recordDir ? expandHome(config.terminal.recordDir) : join(dirname(auditFile), 'recordings'),
    },
  };
}

export function hostToolsView(settings: HostToolsSettings): HostTools {
  return {
    diskAmberPct: settings.monitor.diskAmberPct,
    diskRedPct: settings.monitor.diskRedPct,
    refreshMs: settings.monitor.refreshMs,
    recording: settings.recording.enabled,
    dashboards: settings.dashboards,
    dashboardNotes: settings.dashboardNotes ?? emptyRecord<string>(),
    escalation: recordFrom(Object.entries(settings.escalation).map(([id, targets]) => [id, EscalationTarget.options.filter((t) => targets[t])])),
  };
}
