// The store's slices. Each slice owns a few fields; components select narrowly so an
// onHealth update for one endpoint re-renders only the panel that shows it.
import type { AuditRecord, ConnectionState, EndpointState, FleetInfo, Preview, RunAlert, RunState } from '../../../common/contract';
import type { Endpoint } from '../../../common/health';
import type { BackendStatus } from '../api/webSocketApi';
import type { AuditAnchors } from '../../../common/contract';
import { DEFAULT_CHART_RANGE_MINUTES } from '../history/chartRange';

/** Every top-level view, one at a time: the one source of truth for what the page shows. */
export type View = 'fleet' | 'deployment' | 'runbooks' | 'actions' | 'hosts' | 'audit';

export interface FleetSlice {
  fleet: FleetInfo | null;
  fleetError: string | null;
  selectedDeploymentId: string | null;
  view: View;
  /** the user has picked a view: the first fleet load no longer chooses one for them */
  viewChosen: boolean;
  /** panel to scroll to after a click-through from the fleet overview */
  focusEndpoint: Endpoint | null;
  /** history charts under the panels; off gives the dense table-only view */
  showCharts: boolean;
  /** how far back the history charts reach, in minutes (history/chartRange CHART_RANGES) */
  chartRangeMinutes: number;
}

export interface ConnectionSlice {
  backend: BackendStatus;
  connections: Record<string, ConnectionState>;
}

export interface HealthSlice {
  /** keyed by healthKey(deploymentId, endpoint) */
  health: Record<string, EndpointState>;
}

export interface HostRun {
  hostId: string;
  state: RunState;
  exitCode: number | null;
  error: string | null;
  /** an unknown run settled by its effect check, e.g. "succeeded (verified: ActiveEnterTimestamp moved)" */
  settled?: string | null;
  /** bounded: the oldest text is dropped past MAX_OUTPUT_CHARS */
  output: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
  outputChars: number;
  droppedLines: number;
  trimmedChars: number;
  /** newlines in the trimmed text: the kept output's line i is the run's line trimmedLines + i */
  trimmedLines: number;
  /** newlines in the kept output, counted as it comes: a view of the newest lines need not read it all (outputLines.ts countLines) */
  outputNewlines: number;
  at: string | null;
}

export interface RunView {
  runId: string;
  hosts: Record<string, HostRun>;
}

export type ActionDialog =
  | { phase: 'loading'; title: string; request: { actionId: string; params: Record<string, string | number | boolean>; hostIds: string[]; alert?: RunAlert } }
  | { phase: 'preview-error'; title: string; message: string }
  | { phase: 'preview'; preview: Preview; submitting: boolean; error: string | null }
  | { phase: 'run'; preview: Preview; runId: string; cancelling: boolean; cancelError: string | null };

/** Where an engineer came from into a runbook (an alert): the run dialog offers the way back. */
export interface ReturnTo {
  deploymentId: string;
  endpoint: Endpoint;
  /** "Autotrader demo ibkr" */
  label: string;
}

export interface RunsSlice {
  dialog: ActionDialog | null;
  returnTo: ReturnTo | null;
  runs: Record<string, RunView>;
  /** the panel a run was started for (from an alert), by run id: its action mark goes there */
  runOrigins: Record<string, { deploymentId: string; endpoint: Endpoint }>;
}

export interface AuditSlice {
  audit: {
    records: AuditRecord[];
    chainOk: boolean | null;
    chainError: string | null;
    /** the log compared with the hosts' journal records of this console's runs; null: not compared */
    anchors: AuditAnchors | null;
    /** reported apart from tampering: a torn line repaired by a named record, unkeyed early records */
    chainNotes?: string[];
    loading: boolean;
    error: string | null;
    loadedAt: string | null;
  };
}

export type Store = FleetSlice & ConnectionSlice & HealthSlice & RunsSlice & AuditSlice;

/** A slice is the initial value of its fields; store/actions.ts writes them. */
type Slice<T> = () => T;

export const createFleetSlice: Slice<FleetSlice> = () => ({
  fleet: null,
  fleetError: null,
  selectedDeploymentId: null,
  view: 'deployment',
  viewChosen: false,
  focusEndpoint: null,
  showCharts: true,
  chartRangeMinutes: DEFAULT_CHART_RANGE_MINUTES,
});

export const createConnectionSlice: Slice<ConnectionSlice> = () => ({
  backend: { state: 'connecting', attempt: 0 },
  connections: {},
});

export const createHealthSlice: Slice<HealthSlice> = () => ({ health: {} });

export const createRunsSlice: Slice<RunsSlice> = () => ({ dialog: null, returnTo: null, runs: {}, runOrigins: {} });

export const createAuditSlice: Slice<AuditSlice> = () => ({
  audit: { records: [], chainOk: null, chainError: null, anchors: null, loading: false, error: null, loadedAt: null },
});

export const healthKey = (deploymentId: string, endpoint: Endpoint): string => `${deploymentId}/${endpoint}`;
