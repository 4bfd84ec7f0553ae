// Module-level actions: the only code that writes the store. Event listeners and components
// call these; none of them needs a React hook, so they are tested as plain functions.
import type { ConnectionState, EndpointState, EventPayload, FleetInfo, OpsApi, Preview, RunAlert } from '../../../common/contract';
import type { Endpoint } from '../../../common/health';
import type { BackendStatus } from '../api/webSocketApi';
import { recordHealth } from '../history/historyStore';
import { healthKey } from './slices';
import type { HostRun, ReturnTo, RunView, View } from './slices';
import { useAppStore } from './appStore';
import { outputPerFrame, type FrameScheduler } from './outputPerFrame';
import { countNewlines } from '../actions/outputLines';
import { recordFrom } from '../../../common/emptyRecord';

/** Per-host output kept in the page; older text is dropped (and counted) beyond this. */
export const MAX_OUTPUT_CHARS = 256 * 1024;

export function applyFleet(fleet: FleetInfo): void {
  useAppStore.setState((s) => {
    const ids = fleet.deployments.map((d) => d.id as string);
    const selected = s.selectedDeploymentId && ids.includes(s.selectedDeploymentId) ? s.selectedDeploymentId : (ids[0] ?? null);
    // First load only: many deployments open on the fleet overview, one on its panels. Unless
    // the user already picked a view while the fleet was on its way: that click stands.
    const view: View = s.fleet === null && !s.viewChosen ? (ids.length > 1 ? 'fleet' : 'deployment') : s.view;
    return { fleet, fleetError: null, selectedDeploymentId: selected, view };
  });
}

export function applyFleetError(message: string): void {
  useAppStore.setState({ fleetError: message });
}

export function applyHealth(updates: readonly EndpointState[]): void {
  if (updates.length === 0) return;
  recordHealth(updates);
  useAppStore.setState((s) => {
    const health = { ...s.health };
    for (const update of updates) health[healthKey(update.deploymentId, update.endpoint)] = update;
    return { health };
  });
}

export function applyConnections(updates: readonly ConnectionState[]): void {
  if (updates.length === 0) return;
  useAppStore.setState((s) => {
    const connections = { ...s.connections };
    for (const update of updates) connections[update.hostId] = update;
    return { connections };
  });
}

export function applySnapshot(snapshot: { connections: ConnectionState[]; health: EndpointState[] }): void {
  applyConnections(snapshot.connections);
  applyHealth(snapshot.health);
}

export function setBackendStatus(backend: BackendStatus): void {
  useAppStore.setState({ backend });
}

export function selectDeployment(id: string): void {
  useAppStore.setState({ selectedDeploymentId: id, focusEndpoint: null });
}

export function setView(view: View): void {
  useAppStore.setState({ view, viewChosen: true });
}

/** Leave `view` if it is showing (back to the deployment); do nothing if another view is. */
export function leaveView(view: View): void {
  if (useAppStore.getState().view === view) useAppStore.setState({ view: 'deployment', viewChosen: true });
}

/** Click-through from the fleet overview to one panel of one deployment. */
export function openPanel(deploymentId: string, endpoint: Endpoint | null): void {
  useAppStore.setState({ selectedDeploymentId: deploymentId, view: 'deployment', viewChosen: true, focusEndpoint: endpoint });
}

export function toggleCharts(): void {
  useAppStore.setState((s) => ({ showCharts: !s.showCharts }));
}

export function setChartRange(minutes: number): void {
  useAppStore.setState({ chartRangeMinutes: minutes });
}

export function clearFocus(): void {
  useAppStore.setState({ focusEndpoint: null });
}

const emptyHostRun = (hostId: string): HostRun => ({
  hostId,
  state: 'queued',
  exitCode: null,
  error: null,
  output: [],
  outputChars: 0,
  droppedLines: 0,
  trimmedChars: 0,
  trimmedLines: 0,
  outputNewlines: 0,
  at: null,
});

/** Runs kept in the page (each up to MAX_OUTPUT_CHARS per host): a console open for days stays small. */
export const MAX_KEPT_RUNS = 20;

/** Drop the oldest finished runs beyond the cap, never the one the dialog shows nor one still going (a follow in the dock). */
function capRuns(runs: Record<string, RunView>, keep: string | null): Record<string, RunView> {
  const ids = Object.keys(runs);
  if (ids.length <= MAX_KEPT_RUNS) return runs;
  const next = { ...runs };
  for (const id of ids) {
    if (Object.keys(next).length <= MAX_KEPT_RUNS) break;
    const going = Object.values(runs[id]!.hosts).some((h) => !FINISHED.has(h.state));
    if (id !== keep && !going) delete next[id];
  }
  return next;
}

function updateHostRun(runId: string, hostId: string, change: (run: HostRun) => HostRun): void {
  useAppStore.setState((s) => {
    const run: RunView = s.runs[runId] ?? { runId, hosts: {} };
    const host = change(run.hosts[hostId] ?? emptyHostRun(hostId));
    const shown = s.dialog?.phase === 'run' ? s.dialog.runId : null;
    return { runs: capRuns({ ...s.runs, [runId]: { ...run, hosts: { ...run.hosts, [hostId]: host } } }, shown) };
  });
}

/** One host's output with a batch added, the oldest text beyond MAX_OUTPUT_CHARS trimmed (and its lines counted). */
function withOutput(host: HostRun, payload: EventPayload<'onRunOutput'>): HostRun {
  const output = [...host.output];
  let chars = host.outputChars;
  let kept = host.outputNewlines;
  for (const chunk of payload.chunks) {
    kept += countNewlines(chunk.text);
    const last = output[output.length - 1];
    // Merge same-stream chunks so a long run is a few spans, not thousands.
    if (last && last.stream === chunk.stream) output[output.length - 1] = { stream: chunk.stream, text: last.text + chunk.text };
    else output.push({ ...chunk });
    chars += chunk.text.length;
  }
  let trimmed = host.trimmedChars;
  let trimmedLines = host.trimmedLines;
  const newlines = (text: string) => {
    const n = countNewlines(text);
    trimmedLines += n;
    kept -= n;
  };
  while (chars > MAX_OUTPUT_CHARS && output.length > 0) {
    const first = output[0]!;
    const excess = chars - MAX_OUTPUT_CHARS;
    if (first.text.length <= excess) {
      output.shift();
      newlines(first.text);
      chars -= first.text.length;
      trimmed += first.text.length;
    } else {
      newlines(first.text.slice(0, excess));
      output[0] = { stream: first.stream, text: first.text.slice(excess) };
      chars -= excess;
      trimmed += excess;
    }
  }
  return {
    ...host,
    output,
    outputChars: chars,
    trimmedChars: trimmed,
    trimmedLines,
    outputNewlines: kept,
    droppedLines: host.droppedLines + payload.droppedLines,
  };
}

export function applyRunOutput(payload: EventPayload<'onRunOutput'>): void {
  applyRunOutputs([payload]);
}

/** Several batches, in the order they came, in one store update: the views draw once for all of them. */
export function applyRunOutputs(payloads: readonly EventPayload<'onRunOutput'>[]): void {
  if (!payloads.length) return;
  useAppStore.setState((s) => {
    const runs = { ...s.runs };
    for (const payload of payloads) {
      const run: RunView = runs[payload.runId] ?? { runId: payload.runId, hosts: {} };
      const host = withOutput(run.hosts[payload.hostId] ?? emptyHostRun(payload.hostId), payload);
      runs[payload.runId] = { ...run, hosts: { ...run.hosts, [payload.hostId]: host } };
    }
    const shown = s.dialog?.phase === 'run' ? s.dialog.runId : null;
    return { runs: capRuns(runs, shown) };
  });
}

export function applyRunStatus(payload: EventPayload<'onRunStatus'>): void {
  updateHostRun(payload.runId, payload.hostId, (host) => ({
    ...host,
    state: payload.state,
    exitCode: payload.exitCode,
    error: payload.error,
    settled: payload.settled ?? null,
    at: payload.at,
  }));
}

// ---- the action flow: preview -> confirm -> run -> output/status -------------------------

export async function startPreview(
  api: OpsApi,
  title: string,
  request: { actionId: string; params: Record<string, string | number | boolean>; hostIds: string[]; alert?: RunAlert },
): Promise<void> {
  useAppStore.setState({ dialog: { phase: 'loading', title, request } });
  const result = await api.previewAction(request as Parameters<OpsApi['previewAction']>[0]);
  const dialog = useAppStore.getState().dialog;
  if (!dialog || dialog.phase !== 'loading') return; // closed meanwhile
  if (!result.ok) {
    useAppStore.setState({ dialog: { phase: 'preview-error', title, message: `${result.error.code}: ${result.error.message}` } });
    return;
  }
  useAppStore.setState({ dialog: { phase: 'preview', preview: result.value, submitting: false, error: null } });
}

/** Whether the Confirm button may be pressed with this typed text. */
export function canConfirm(preview: Preview, typed: string, now: number): boolean {
  if (Date.parse(preview.expiresAt) <= now) return false;
  return preview.confirmation.kind !== 'typed' || typed === preview.confirmation.text;
}

export async function confirmRun(api: OpsApi, typed: string): Promise<void> {
  const dialog = useAppStore.getState().dialog;
  if (!dialog || dialog.phase !== 'preview' || dialog.submitting) return;
  const preview = dialog.preview;
  useAppStore.setState({ dialog: { ...dialog, submitting: true, error: null } });
  const result = await api.runAction({
    token: preview.token,
    ...(preview.confirmation.kind === 'typed' ? { typedConfirmation: typed } : {}),
  });
  const now = useAppStore.getState().dialog;
  if (!now || now.phase !== 'preview' || now.preview.token !== preview.token) return;
  if (!result.ok) {
    useAppStore.setState({ dialog: { ...now, submitting: false, error: `${result.error.code}: ${result.error.message}` } });
    return;
  }
  const runId = result.value.runId as string;
  useAppStore.setState((s) => ({
    dialog: { phase: 'run', preview, runId, cancelling: false, cancelError: null },
    runOrigins: s.returnTo ? { ...s.runOrigins, [runId]: { deploymentId: s.returnTo.deploymentId, endpoint: s.returnTo.endpoint } } : s.runOrigins,
    // Output may have arrived before runAction answered; keep it.
    runs: s.runs[runId] ? s.runs : { ...s.runs, [runId]: { runId, hosts: recordFrom(preview.hosts.map((h) => [h.id, emptyHostRun(h.id)])) } },
  }));
}

export async function cancelActiveRun(api: OpsApi): Promise<void> {
  const dialog = useAppStore.getState().dialog;
  if (!dialog || dialog.phase !== 'run' || dialog.cancelling) return;
  useAppStore.setState({ dialog: { ...dialog, cancelling: true, cancelError: null } });
  const result = await api.cancelRun({ runId: dialog.runId as Parameters<OpsApi['cancelRun']>[0]['runId'] });
  const now = useAppStore.getState().dialog;
  if (!now || now.phase !== 'run' || now.runId !== dialog.runId) return;
  useAppStore.setState({
    dialog: {
      ...now,
      cancelling: false,
      cancelError: result.ok ? (result.value.cancelled ? null : 'run had already finished') : `${result.error.code}: ${result.error.message}`,
    },
  });
}

export function closeDialog(): void {
  useAppStore.setState({ dialog: null });
}

export function setReturnTo(returnTo: ReturnTo | null): void {
  useAppStore.setState({ returnTo });
}

/** After a run: close the dialog and go back to the panel the alert came from. */
export function returnToPanel(): void {
  const back = useAppStore.getState().returnTo;
  useAppStore.setState({ dialog: null, returnTo: null });
  if (back) openPanel(back.deploymentId, back.endpoint);
}

export const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'unknown']);

export function runFinished(run: RunView | undefined, hostIds: readonly string[]): boolean {
  if (!run) return false;
  return hostIds.every((id) => {
    const host = run.hosts[id];
    return host !== undefined && FINISHED.has(host.state);
  });
}

// ---- audit ---------------------------------------------------------------------------------

export async function loadAudit(api: OpsApi, limit = 200): Promise<void> {
  useAppStore.setState((s) => ({ audit: { ...s.audit, loading: true } }));
  const result = await api.listAudit({ limit });
  if (!result.ok) {
    useAppStore.setState((s) => ({ audit: { ...s.audit, loading: false, error: `${result.error.code}: ${result.error.message}` } }));
    return;
  }
  useAppStore.setState({
    audit: {
      records: result.value.records,
      chainOk: result.value.chainOk,
      chainError: result.value.chainError,
      anchors: result.value.anchors,
      chainNotes: result.value.chainNotes ?? [],
      loading: false,
      error: null,
      loadedAt: new Date().toISOString(),
    },
  });
}

// ---- wiring --------------------------------------------------------------------------------

/** Load the fleet and a snapshot; called at start and after every reconnect. */
export async function loadInitial(api: OpsApi): Promise<void> {
  const [fleet, snapshot] = await Promise.all([api.getFleet({}), api.getSnapshot({})]);
  // a User Timing mark (DevTools, bench/renderer-load.ts): the data is here, the render is next
  performance.mark('opsdeck:snapshot');
  if (fleet.ok) applyFleet(fleet.value);
  else applyFleetError(`${fleet.error.code}: ${fleet.error.message}`);
  if (snapshot.ok) applySnapshot(snapshot.value);
}

/** The browser shell's first message on every socket: the fleet and its state, unasked. */
export function applyFleetSnapshot(state: { fleet: FleetInfo; snapshot: { connections: ConnectionState[]; health: EndpointState[] } }): void {
  // a User Timing mark (DevTools, bench/renderer-load.ts): the data is here, the render is next
  if (performance.getEntriesByName('opsdeck:snapshot').length === 0) performance.mark('opsdeck:snapshot');
  applyFleet(state.fleet);
  applySnapshot(state.snapshot);
}

/** Subscribe the store to every event; returns the unsubscribe. */
export function bindEvents(api: OpsApi, frames?: FrameScheduler): () => void {
  const output = outputPerFrame(applyRunOutputs, frames);
  const offs = [
    api.on('onHealth', (p) => applyHealth(p.updates)),
    api.on('onConnection', (p) => applyConnections(p.updates)),
    // hosts imported from ssh_config (or removed) without a restart
    api.on('onFleet', applyFleet),
    api.on('onSnapshot', applyFleetSnapshot),
    // output is drawn once per frame however many batches come in it (outputPerFrame.ts); a
    // status applies what output is held first, so a run never reads finished before its last lines
    api.on('onRunOutput', output.push),
    api.on('onRunStatus', (p) => {
      output.flush();
      applyRunStatus(p);
    }),
  ];
  return () => {
    offs.forEach((off) => off());
    output.close();
  };
}
