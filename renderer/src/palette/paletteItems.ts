// Everything the palette can jump to, as plain data: hosts, deployments, panels, views, firing
// alerts, runbook sections and catalog actions. Built from the stores; running an item only
// calls the same store actions the rest of the UI uses.
import type { ActionSummary, FleetInfo, RunbookSummary } from '../../../common/contract';
import type { AlertRecord } from '../../../common/thresholds';
import { visibleText } from '../../../common/visibleText';
import { AREAS } from '../panels/areas';

export type PaletteTarget =
  | { kind: 'host'; deploymentId: string | null; hostId: string }
  | { kind: 'deployment'; deploymentId: string }
  | { kind: 'panel'; endpoint: (typeof AREAS)[number]['endpoint'] }
  | { kind: 'view'; view: 'fleet' | 'deployment' | 'audit' | 'runbooks' | 'hosts' | 'actions' }
  | { kind: 'alert'; alert: AlertRecord }
  | { kind: 'runbook'; runbookId: string; anchor: string | null }
  | { kind: 'action'; action: ActionSummary };

export interface PaletteItem {
  id: string;
  kind: string;
  label: string;
  /** more words it is found by (an action's description, parameter choices and id), not shown */
  keywords?: string;
  target: PaletteTarget;
}

export function paletteItems(input: {
  fleet: FleetInfo | null;
  alerts: readonly AlertRecord[];
  runbooks: readonly RunbookSummary[] | null;
  actions: readonly ActionSummary[] | null;
}): PaletteItem[] {
  const items: PaletteItem[] = [];
  const fleet = input.fleet;
  for (const alert of input.alerts.filter((a) => a.state === 'firing')) {
    const name = fleet?.deployments.find((d) => d.id === alert.deploymentId)?.name ?? alert.deploymentId;
    items.push({
      id: `alert:${alert.id}`,
      kind: 'Alert',
      // the reason may quote the health API's text: hidden characters shown as escapes
      label: visibleText(alert.hostId ? `host ${alert.item} ${alert.title} (${alert.reason})` : `${alert.title}: ${alert.item} on ${name} (${alert.reason})`)
        .text,
      target: { kind: 'alert', alert },
    });
  }
  for (const d of fleet?.deployments ?? [])
    items.push({ id: `deployment:${d.id}`, kind: 'Deployment', label: d.name, target: { kind: 'deployment', deploymentId: d.id } });
  for (const h of fleet?.hosts ?? []) {
    const deployment = fleet?.deployments.find((d) => d.hosts.includes(h.id));
    items.push({
      id: `host:${h.id}`,
      kind: 'Host',
      label: `${h.label} (${h.address})`,
      target: { kind: 'host', deploymentId: deployment?.id ?? null, hostId: h.id },
    });
  }
  for (const a of AREAS) items.push({ id: `panel:${a.endpoint}`, kind: 'Panel', label: a.title, target: { kind: 'panel', endpoint: a.endpoint } });
  for (const [view, label] of [
    ['fleet', 'Fleet'],
    ['deployment', 'Deployment'],
    ['audit', 'Audit'],
    ['runbooks', 'Runbooks'],
    ['hosts', 'Hosts'],
    ['actions', 'Actions'],
  ] as const) {
    items.push({ id: `view:${view}`, kind: 'View', label, target: { kind: 'view', view } });
  }
  for (const r of input.runbooks ?? []) {
    const sections = r.sections.filter((s) => s.title !== 'Introduction' && s.title !== 'Table of Contents');
    if (sections.length === 1 && sections[0]!.title === r.title) {
      items.push({ id: `runbook:${r.id}`, kind: 'Runbook', label: r.title, target: { kind: 'runbook', runbookId: r.id, anchor: sections[0]!.anchor } });
    } else {
      for (const s of sections)
        items.push({
          id: `runbook:${r.id}#${s.id}`,
          kind: 'Runbook',
          label: `${r.title} › ${s.title}`,
          target: { kind: 'runbook', runbookId: r.id, anchor: s.anchor },
        });
    }
  }
  for (const a of input.actions ?? []) {
    // "restart ingestion" finds "Restart an autotrader service" by its unit choices
    const keywords = [a.description, ...a.params.flatMap((p) => p.choices ?? []), a.id.replace(/[.-]/g, ' ')].filter(Boolean).join(' ');
    items.push({ id: `action:${a.id}`, kind: 'Action', label: `${a.title} (${a.id})`, keywords, target: { kind: 'action', action: a } });
  }
  return items;
}
