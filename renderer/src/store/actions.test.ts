import { beforeEach, describe, expect, it } from 'vitest';
import type { EndpointState, FleetInfo, Preview } from '../../../common/contract';
import { endpointState, NOW } from '../panels/shared/fixtures';
import {
  applyFleet,
  applyHealth,
  applyRunOutput,
  applyRunStatus,
  canConfirm,
  MAX_KEPT_RUNS,
  MAX_OUTPUT_CHARS,
  openPanel,
  runFinished,
  setView,
} from './actions';
import { healthKey } from './slices';
import { countLines, toLines } from '../actions/outputLines';
import { useAppStore } from './appStore';
import { resetAllStores } from './createStore';

const fleetOf = (ids: string[]) =>
  ({
    demo: true,
    configPath: null,
    user: 'u',
    hosts: [],
    deployments: ids.map((id) => ({ id, name: id, hosts: [], healthVia: null, healthUrl: 'http://x' })),
  }) as unknown as FleetInfo;
const runId = 'run-0123456789abcdef' as never;
const hostId = 'web-1' as never;

beforeEach(() => resetAllStores());

describe('store actions', () => {
  it('resetAllStores returns to the initial state', () => {
    applyFleet(fleetOf(['a']));
    resetAllStores();
    expect(useAppStore.getState().fleet).toBeNull();
  });

  it('first fleet load selects the first deployment; opens the fleet view only when there are several', () => {
    applyFleet(fleetOf(['a']));
    expect(useAppStore.getState()).toMatchObject({ selectedDeploymentId: 'a', view: 'deployment' });
    resetAllStores();
    applyFleet(fleetOf(['a', 'b']));
    expect(useAppStore.getState()).toMatchObject({ selectedDeploymentId: 'a', view: 'fleet' });
    openPanel('b', 'workers');
    applyFleet(fleetOf(['a', 'b']));
    expect(useAppStore.getState()).toMatchObject({ selectedDeploymentId: 'b', view: 'deployment', focusEndpoint: 'workers' });
    applyFleet(fleetOf(['a']));
    expect(useAppStore.getState().selectedDeploymentId).toBe('a');
  });

  it('a view picked before the first fleet load arrives is kept: the load does not take the user elsewhere', () => {
    setView('actions');
    applyFleet(fleetOf(['a', 'b']));
    expect(useAppStore.getState()).toMatchObject({ selectedDeploymentId: 'a', view: 'actions' });
    resetAllStores();
    setView('audit');
    applyFleet(fleetOf(['a']));
    expect(useAppStore.getState().view).toBe('audit');
  });

  it("a health update replaces only its own endpoint, leaving other panels' objects untouched", () => {
    const workers = endpointState('workers', {});
    const sla = endpointState('sla', {});
    applyHealth([workers, sla]);
    const before = useAppStore.getState().health;
    const newer = { ...workers, polledAt: '2026-11-26T12:00:05Z' } as EndpointState;
    applyHealth([newer]);
    const after = useAppStore.getState().health;
    expect(after[healthKey('prod', 'workers')]).toBe(newer);
    expect(after[healthKey('prod', 'sla')]).toBe(before[healthKey('prod', 'sla')]);
  });

  it('run output merges same-stream chunks, keeps stderr apart, and counts dropped lines', () => {
    applyRunOutput({
      runId,
      hostId,
      chunks: [
        { stream: 'stdout', text: 'a\n' },
        { stream: 'stdout', text: 'b\n' },
        { stream: 'stderr', text: 'oops\n' },
      ],
      droppedLines: 0,
    });
    applyRunOutput({ runId, hostId, chunks: [{ stream: 'stderr', text: 'again\n' }], droppedLines: 4 });
    const host = useAppStore.getState().runs[runId]!.hosts[hostId]!;
    expect(host.output).toEqual([
      { stream: 'stdout', text: 'a\nb\n' },
      { stream: 'stderr', text: 'oops\nagain\n' },
    ]);
    expect(host.droppedLines).toBe(4);
  });

  it('run output is bounded: the oldest text goes and is counted', () => {
    const big = 'x'.repeat(MAX_OUTPUT_CHARS);
    applyRunOutput({ runId, hostId, chunks: [{ stream: 'stdout', text: big }], droppedLines: 0 });
    applyRunOutput({ runId, hostId, chunks: [{ stream: 'stderr', text: 'tail' }], droppedLines: 0 });
    const host = useAppStore.getState().runs[runId]!.hosts[hostId]!;
    expect(host.outputChars).toBe(MAX_OUTPUT_CHARS);
    expect(host.trimmedChars).toBe(4);
    expect(host.output.at(-1)).toEqual({ stream: 'stderr', text: 'tail' });
  });

  it('counts the lines trimmed, so a kept line keeps its number in the run', () => {
    // 20-character numbered lines, a third more than the bound
    const line = (n: number) => `line ${String(n).padStart(14, '0')}\n`;
    const count = Math.ceil((MAX_OUTPUT_CHARS * 4) / 3 / 20);
    for (let from = 1; from <= count; from += 1000)
      applyRunOutput({
        runId,
        hostId,
        chunks: [{ stream: 'stdout', text: Array.from({ length: Math.min(1000, count - from + 1) }, (_, i) => line(from + i)).join('') }],
        droppedLines: 0,
      });
    const host = useAppStore.getState().runs[runId]!.hosts[hostId]!;
    const kept = toLines(host.output);
    expect(host.trimmedLines).toBe(count - kept.length);
    // the kept lines' newlines, counted as they came and as they went, so a view need not read them all
    expect(host.outputNewlines).toBe(countLines(host.output));
    expect(kept.at(-1)!.text).toBe(line(count).trimEnd());
    expect(kept[1]!.text).toBe(line(host.trimmedLines + 2).trimEnd());
  });

  it('keeps only the newest runs, but never drops the run the dialog is showing', () => {
    const id = (i: number) => `run-${String(i).padStart(16, '0')}` as never;
    applyRunStatus({ runId: id(0), hostId, state: 'running', exitCode: null, error: null, at: '2026-11-26T12:00:00Z' });
    useAppStore.setState({ dialog: { phase: 'run', preview: {} as Preview, runId: id(0), cancelling: false, cancelError: null } });
    for (let i = 1; i <= MAX_KEPT_RUNS + 5; i++)
      applyRunStatus({ runId: id(i), hostId, state: 'succeeded', exitCode: 0, error: null, at: '2026-11-26T12:00:00Z' });
    const kept = Object.keys(useAppStore.getState().runs);
    expect(kept).toHaveLength(MAX_KEPT_RUNS);
    expect(kept).toContain(id(0));
    expect(kept).toContain(id(MAX_KEPT_RUNS + 5));
    expect(kept).not.toContain(id(1));
  });

  it('a run is finished only when every host reached a final state', () => {
    applyRunStatus({ runId, hostId, state: 'running', exitCode: null, error: null, at: '2026-11-26T12:00:00Z' });
    expect(runFinished(useAppStore.getState().runs[runId], ['web-1'])).toBe(false);
    applyRunStatus({ runId, hostId, state: 'succeeded', exitCode: 0, error: null, at: '2026-11-26T12:00:01Z' });
    expect(runFinished(useAppStore.getState().runs[runId], ['web-1'])).toBe(true);
    expect(runFinished(useAppStore.getState().runs[runId], ['web-1', 'web-2'])).toBe(false);
  });

  it('Confirm needs the exact typed text for destructive previews and refuses an expired preview', () => {
    const base = {
      token: 't',
      actionId: 'redis.del',
      title: 'Clear queue',
      risk: 'destructive',
      hosts: [],
      command: 'redis-cli DEL worker:scanner:queue',
      expiresAt: new Date(NOW + 60_000).toISOString(),
    };
    const typed = { ...base, confirmation: { kind: 'typed', text: 'worker:scanner:queue' } } as unknown as Preview;
    expect(canConfirm(typed, 'worker:scanner:queu', NOW)).toBe(false);
    expect(canConfirm(typed, 'worker:scanner:queue', NOW)).toBe(true);
    const click = { ...base, confirmation: { kind: 'click' } } as unknown as Preview;
    expect(canConfirm(click, '', NOW)).toBe(true);
    expect(canConfirm(click, '', NOW + 60_000)).toBe(false);
  });
});
