// Opsdeck's page. Accessible names for tests and screen readers (Playwright getByRole):
//
//   banner text "Opsdeck"; text "DEMO" when getFleet().demo
//   combobox "Deployment"                       deployment picker
//   list "Host connections"                     listitem "<host label>: connected|connecting (attempt N)|failed: …"
//   alert "disconnected from console backend…" while the WebSocket is down (and "cannot load the fleet: …")
//   tablist "Views": tab "Fleet" | "Deployment" | "Runbooks" | "Actions" | "Hosts" | "Audit" (one view at a time: store view;
//     one Tab stop, arrows/Home/End switch: docs/keyboard.md)
//   status icons: img "<word>: <why>" (e.g. "failing: success rate 93 % < 95 %", alerts "critical: <reason>")
//   Hosts: tabpanel "Hosts":
//     region "Host fleet" (table "Hosts by trouble", button "Show host <label>"), region "Host <label>"
//     (buttons "Refresh <label>", "Open terminal on <label>", "Retry|Connect|Retry now SSH to <label>"
//     (also in the Hosts panel's SSH cell), "Open <dashboard> on <label>"; status
//     "Host tools notice" with the tunnel link; tables "Disks" (row "disk <mount>: ok|warning|failing, N % used")
//     and "Units" (row "<unit>: ok|warning|failing, <active>"); "Failed units"), region "Tunnels"
//     (table "Open tunnels", button "Close tunnel <dashboard> on <label>"), region "Escalation" (button
//     "Escalate <deployment> to PagerDuty|ticket system|log platform", textbox "Incident timeline"),
//     region "Terminals": tablist "Terminal tabs", region "Terminal <label> #n" with status "Terminal status"
//     ("connected: …" | "Disconnected: <why>. Press Enter to reconnect."), textbox "Search terminal output",
//     the terminal's input (xterm's "Terminal input") described by the hint "… Esc then Tab leaves the terminal"
//     (first view: "Fleet" when the config has more than one deployment, else "Deployment")
//
//   region "Alerts" under the header on every view, sticky with it: table "Alert list" (see alerts/AlertsPanel.tsx)
//   region "Follows" at the bottom while a journal or log follow runs (see dock/FollowDock.tsx)
//
//   Deployment view (selected deployment):
//     button "Poll now"; group "Chart time range" (buttons "15 min" … "24 h", aria-pressed);
//     navigation "Areas" (one button per area, click scrolls to the panel)
//     region "Circuit breakers" | "Data freshness" | "Brokers" | "SLA" | "Rate limits" |
//            "Worker queues" | "Security checks"
//       table of the same name; one row per item, row header = item name (e.g. "coingecko_api"),
//       cells: status img "ok|warning|failing|unknown", values, and a "Why" cell in words
//       ("OPEN: 7/5 failures, last: HTTP 429", "success rate 93 % < 95 %", "unknown: <why>")
//       status "Error …" (poll error with kind, message, time of last good data)
//       status "Stale …" (data older than 2 poll intervals)
//     region "Hosts": row per host, button "Restart autotrader-ingestion on <host label>"
//
//   dialog "Preview: <preview title>" — "Command" (exact command, monospace), list "Target hosts",
//     "risk: <risk>", textbox "Type <text> to confirm" (destructive only), button "Confirm", button "Cancel"
//   dialog "Run: <preview title>" after Confirm — region "Output",
//     status "<host label> status" with text "… running" / "● succeeded, exit 0" / "■ failed, exit 3",
//     button "Cancel run" while running, button "Close" when finished
//
//   Fleet view: region "Fleet overview", table "Deployments by area", worst deployment first;
//     button per cell "<deployment> <area>: <status word>, <headline>" opens that panel
//   Audit view: region "Audit log", status "Chain status" ("hash chain intact" | "hash chain BROKEN: …"),
//     table "Audit records" (#, When, Who, Kind, Host, Action, Command, Exit "exit N", Outcome),
//     button "Refresh audit"
//
//   Runbooks: tabpanel "Runbooks":
//     complementary "Runbook library" (searchbox "Search runbooks", status "Search status", list "Search results"
//     with a button per hit "<runbook> › <section>", navigation "Runbooks"), article "Runbook: <title>"
//     (navigation "Contents"; region "Section: <title>" topped by complementary "Live state: <panel title>";
//     figure "Code: <label>" with button "Run on… <action title>" -> form "Run <action title>" -> button
//     "Preview" (then the Preview/Run dialogs above), or button "Copy" with textbox "Fill in <placeholder>")
//   every panel: button "Open runbook: <panel title>"
//   Actions: tabpanel "Actions":
//     navigation "Action catalog" (region per runbook section, button "<title> risk: <risk>" per action),
//     region "Action" with form "Run <title>": combobox/spinbutton/textbox per parameter label, checkbox per
//     host label, button "Preview" / "Preview on N hosts". Preview dialog adds region "<precheck label>"
//     (e.g. "Jobs in the queue now"); Run dialog adds status "Run progress", table "Host progress" (fan-out;
//     row "<label>: <state>, exit N"), log "Output from <label>" (virtualized: lines in view only),
//     status "Dropped output from <label>", region "Follow-up" with button "Preview follow-up"
//   Audit view: region "Incident timeline export": button "Export incident timeline", status "Export
//     status", textbox "Incident timeline Markdown"
//   Ctrl/Cmd+K: dialog "Command palette": combobox "Jump to", listbox "Matches" of options "<Kind>: <label>"
//   SSH: listitem "<label>: connecting (attempt N, next try in S s): <why>" between retries;
//     button "Import hosts from ~/.ssh/config" -> dialog of that name (group per pattern, checkbox
//     "<alias> (<user>@<host>:<port>)", combobox "Add to deployment", button "Import N hosts", status);
//     dialog "Passphrase for <key path>" (password "Passphrase", button "Unlock" / "Cancel");
//     dialog "Unknown host key for [host]:port" (text "Fingerprint", buttons "Trust" / "Accept once" / "Refuse");
//     alertdialog "Host key CHANGED for [host]:port" (textbox "Type <host> to replace the pinned key",
//     button "Replace pinned key", button "Refuse"); main's refusals in an alert inside the dialog
import { Activity, lazy, Suspense, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStickyHeight } from './header/useStickyHeight';
import { ActionDialog } from './actions/ActionDialog';
import { AlertsPanel } from './alerts/AlertsPanel';
import { AuditView } from './audit/AuditView';
import { DeploymentView } from './DeploymentView';
import { FollowDock } from './dock/FollowDock';
import { BackendBanner } from './header/BackendBanner';
import { Header } from './header/Header';
import { HostsView } from './hosts/HostsView';
import { FleetOverview } from './panels/fleet/FleetOverview';
import { CommandPalette } from './palette/CommandPalette';
import { SshPromptDialog } from './ssh/SshPromptDialog';
import { useAppStore } from './store/appStore';
import { useApi } from './api/ApiContext';
import { bindTeam } from './team/teamStore';

// Views that are not on the first screen load when first opened (their own chunks).
const RunbookView = lazy(() => import('./runbooks/RunbookView').then((m) => ({ default: m.RunbookView })));
const ActionsView = lazy(() => import('./actions/ActionsView').then((m) => ({ default: m.ActionsView })));
const loadingView = <p className="notice">loading…</p>;

export function App() {
  const api = useApi();
  const { view, loaded } = useAppStore(useShallow((s) => ({ view: s.view, loaded: s.fleet !== null })));
  // the team's timeline stays live whichever view is open: the Audit view reads it
  useEffect(() => bindTeam(api), [api]);
  const top = useStickyHeight();
  return (
    <div className="app">
      {/* header, banner and alert strip stay in view; what scrolls under them stops below them */}
      <div className="app-top" ref={top}>
        <Header />
        <BackendBanner />
        <AlertsPanel />
      </div>
      {loaded ? (
        <section id="view-hosts" className="view" role="tabpanel" aria-label="Hosts" hidden={view !== 'hosts'}>
          <HostsView visible={view === 'hosts'} />
        </section>
      ) : null}
      {!loaded ? <p className="notice">loading the fleet…</p> : null}
      {/* The Deployment view stays mounted while another view is shown: with hundreds of items per
          endpoint, building its tables again on every switch took seconds. Activity hides it
          (display: none), runs its effects again when it is shown, and renders a hidden view's
          updates only when nothing visible is waiting. */}
      {loaded ? (
        <section id="view-deployment" className="view" role="tabpanel" aria-label="Deployment" hidden={view !== 'deployment'}>
          <Activity mode={view === 'deployment' ? 'visible' : 'hidden'}>
            <DeploymentView />
          </Activity>
        </section>
      ) : null}
      {loaded ? (
        <section id="view-fleet" className="view" role="tabpanel" aria-label="Fleet" hidden={view !== 'fleet'}>
          {view === 'fleet' ? <FleetOverview /> : null}
        </section>
      ) : null}
      {loaded ? (
        <section id="view-audit" className="view" role="tabpanel" aria-label="Audit" hidden={view !== 'audit'}>
          {view === 'audit' ? <AuditView /> : null}
        </section>
      ) : null}
      {loaded ? (
        <section id="view-runbooks" className="view" role="tabpanel" aria-label="Runbooks" hidden={view !== 'runbooks'}>
          {view === 'runbooks' ? (
            <Suspense fallback={loadingView}>
              <RunbookView />
            </Suspense>
          ) : null}
        </section>
      ) : null}
      {loaded ? (
        <section id="view-actions" className="view" role="tabpanel" aria-label="Actions" hidden={view !== 'actions'}>
          {view === 'actions' ? (
            <Suspense fallback={loadingView}>
              <ActionsView />
            </Suspense>
          ) : null}
        </section>
      ) : null}
      <FollowDock />
      <ActionDialog />
      <CommandPalette />
      <SshPromptDialog />
    </div>
  );
}
