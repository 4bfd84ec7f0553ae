// Polls every endpoint of every deployment on its own schedule. A failure keeps the last good
// items (so the panel still shows what was known, and when) and backs off exponentially with
// jitter; the next good answer returns to the normal interval.
//
// A deployment's endpoints are polled together, one after another on its one keep-alive
// connection, in a sweep. On this machine most of a poll's CPU was waking the process up,
// twice per poll (its timer, then its answer); a sweep wakes it once per deployment and then
// sends each next request from the answer before it, and each request still goes out alone,
// so its latency is one round trip, not a queue (docs/benchmarks.md, "Polling CPU is mostly waking up"). The slowest
// endpoint goes last, so one that takes seconds to answer holds up none of the others. Endpoints with
// different intervals stay on one grid per deployment (anchor + k x interval), so a 30 s
// endpoint joins every sixth 5 s sweep instead of waking the process on its own.
//
// Fifty deployments x eight endpoints every 5 s is 80 bodies a second, most of them much like
// the one before (docs/benchmarks.md, "What the poll path does to stay cheap"). So each slot remembers its last good body and
// what each item of it became: a byte-identical body is not parsed again, an item equal to
// the last one keeps its checked and redacted result, and redaction remembers the strings it
// has seen. Every poll is still a fresh sample: new polledAt/lastGoodAt/latency, pushed to the
// view, history and alerts, whether or not anything in it changed.
// fast-deep-equal, not node's isDeepStrictEqual: the items are JSON values, and the general
// comparison (prototypes, symbols, key filters) was a tenth of the processing of a poll
// (bench/poll-processing.ts, docs/benchmarks.md).
import jsonEqual from 'fast-deep-equal';
import { emptyRecord, recordFrom } from '../../../common/emptyRecord';
import type { Dispatcher } from 'undici';
import type { DeploymentId, EndpointState, ItemState } from '../../../common/contract';
import { ENDPOINTS, ENDPOINT_PATHS, parseEndpointBody, parseItem, type Endpoint, type ItemResult } from '../../../common/health';
import { isoAt, systemClock, systemTimers, type Clock, type Timers } from '../clock';
import { memoizeRedact, redactDeep } from '../redact/Redactor';
import { fetchEndpoint, HealthFetchError, parseJsonBody } from './fetchEndpoint';

export interface PolledDeployment {
  readonly id: DeploymentId;
  /** base URL as seen from where the request is made (the via host, or here) */
  readonly url: string;
  readonly intervalsMs: Record<Endpoint, number>;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxBackoffMs: number;
}

export interface HealthPollerDeps {
  /** the dispatcher that reaches a deployment's API: direct, or through an SSH forward */
  readonly dispatcherFor: (deploymentId: DeploymentId) => Dispatcher;
  readonly onUpdate: (state: EndpointState) => void;
  /** scrub anything the API sends before it is kept or shown; a pure function (its answers are remembered) */
  readonly redact?: (text: string) => string;
  readonly onPolled?: (deploymentId: DeploymentId, endpoint: Endpoint, state: EndpointState) => void;
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly random?: () => number;
  /**
   * The fleet's sweeps start at no more than this many moments per interval; beyond that,
   * deployments share a start (default WAKES_PER_INTERVAL).
   */
  readonly wakesPerInterval?: number;
}

/**
 * Up to this many deployments each get a moment of their own in the interval; a larger fleet
 * is swept a few deployments at a time (50 deployments: 13 starts, four at a time). Each wake-up
 * of the process costs more than the poll it serves, because the caches have gone cold under
 * sshd and the API in between: four sweeps that start together answer into one wake-up and warm
 * code. In poll-fleet that cut the console's CPU by about a third (5.19 to 3.43 % of a core),
 * and the median latency stayed at 1.0 ms (docs/benchmarks.md, "sweeps that start together"). At the
 * API's end they are different hosts, so nothing queues there in a real fleet; only the
 * simulator, which answers the whole bench fleet from one process, queues them.
 */
export const WAKES_PER_INTERVAL = 16;

/**
 * Where in the interval each of `count` deployments' first sweep starts, as a fraction of it:
 * evenly spread, at most `wakesPerInterval` distinct starts, shared by consecutive deployments.
 */
export function sweepStartFractions(count: number, wakesPerInterval: number): number[] {
  const perStart = Math.ceil(count / wakesPerInterval);
  const starts = Math.ceil(count / perStart);
  return Array.from({ length: count }, (_, index) => Math.floor(index / perStart) / starts);
}

interface Slot {
  readonly deployment: PolledDeployment;
  readonly endpoint: Endpoint;
  readonly origin: string;
  readonly path: string;
  state: EndpointState;
  failures: number;
  /** when this endpoint is next due (ms): its sweep's grid while it is healthy, its backoff while it fails */
  dueAt: number;
  /** how long its last poll took, answer or error: a sweep polls the slowest last */
  tookMs: number;
  /** the text of the last good body: state.meta and state.items are what it became */
  lastBody: string | null;
  /** each item of the last good body as received, and its checked, redacted result */
  lastItems: Map<string, { raw: unknown; result: ItemResult }>;
}

/** One deployment's endpoints and the one timer that sweeps them. */
interface Sweep {
  readonly slots: Slot[];
  /** the grid's origin: a healthy endpoint with interval I is due at anchor + k x I */
  readonly anchor: number;
  timer: unknown;
  running: boolean;
  /** asked to poll (pollNow) while a sweep ran: sweep again when it ends */
  again: boolean;
}

/** A timer can fire a few ms before an endpoint's due time after rounding: those join the sweep. */
const DUE_TOLERANCE_MS = 15;

export class HealthPoller {
  private readonly sweeps = new Map<DeploymentId, Sweep>();
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly redact: (text: string) => string;
  private readonly wakesPerInterval: number;
  private stopped = false;

  constructor(private readonly deps: HealthPollerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.timers = deps.timers ?? systemTimers;
    this.random = deps.random ?? Math.random;
    this.wakesPerInterval = deps.wakesPerInterval ?? WAKES_PER_INTERVAL;
    if (!Number.isInteger(this.wakesPerInterval) || this.wakesPerInterval < 1)
      throw new Error(`wakesPerInterval must be a whole number of at least 1, not ${this.wakesPerInterval}`);
    this.redact = deps.redact ? memoizeRedact(deps.redact) : (text) => text;
  }

  /**
   * Start polling. Deployments' first sweeps are spread evenly over one interval (start k of s
   * is at k/s of it), so a fleet's requests arrive as a steady trickle, not in bursts: with
   * random starts squeezed into 2 s the p99 latency at 50 deployments was three times worse.
   * A fleet larger than wakesPerInterval shares its starts out in groups of consecutive
   * deployments (see WAKES_PER_INTERVAL).
   */
  start(deployments: readonly PolledDeployment[]): void {
    const now = this.clock.now();
    const fractions = sweepStartFractions(deployments.length, this.wakesPerInterval);
    for (const [index, deployment] of deployments.entries()) {
      const shortest = Math.min(...ENDPOINTS.map((endpoint) => deployment.intervalsMs[endpoint]));
      const anchor = now + Math.round(fractions[index]! * shortest);
      const base = new URL(deployment.url);
      const sweep: Sweep = { slots: [], anchor, timer: null, running: false, again: false };
      for (const endpoint of ENDPOINTS) {
        const slot: Slot = {
          deployment,
          endpoint,
          origin: base.origin,
          path: `${base.pathname.replace(/\/$/, '')}${ENDPOINT_PATHS[endpoint]}`,
          failures: 0,
          dueAt: anchor,
          tookMs: 0,
          lastBody: null,
          lastItems: new Map(),
          state: {
            deploymentId: deployment.id,
            endpoint,
            status: 'pending',
            error: null,
            polledAt: null,
            lastGoodAt: null,
            intervalMs: deployment.intervalsMs[endpoint],
            nextPollAt: isoAt(anchor),
            latencyMs: null,
            meta: {},
            items: emptyRecord(),
          },
        };
        sweep.slots.push(slot);
      }
      this.sweeps.set(deployment.id, sweep);
      this.arm(sweep);
    }
  }

  states(): EndpointState[] {
    return [...this.sweeps.values()].flatMap((sweep) => sweep.slots.map((slot) => slot.state));
  }

  /** Poll every endpoint of a deployment now (after an action, or on the user's request). */
  pollNow(deploymentId: DeploymentId): boolean {
    const sweep = this.sweeps.get(deploymentId);
    if (!sweep) return false;
    const now = this.clock.now();
    for (const slot of sweep.slots) {
      slot.dueAt = now;
      slot.state = { ...slot.state, nextPollAt: isoAt(now) };
    }
    void this.sweep(sweep);
    return true;
  }

  stop(): void {
    this.stopped = true;
    for (const sweep of this.sweeps.values()) this.timers.clearTimeout(sweep.timer);
  }

  /** Wake up when the deployment's first endpoint falls due. */
  private arm(sweep: Sweep): void {
    this.timers.clearTimeout(sweep.timer);
    if (this.stopped) return;
    const next = Math.min(...sweep.slots.map((slot) => slot.dueAt));
    sweep.timer = this.timers.setTimeout(() => void this.sweep(sweep), Math.max(0, next - this.clock.now()));
  }

  /**
   * Poll every endpoint that is due, one after another: the next request goes out from the
   * answer to the one before, so the process is woken once for the lot, and no request
   * waits in a queue behind another (its latency is its own round trip).
   */
  private async sweep(sweep: Sweep): Promise<void> {
    if (sweep.running) {
      sweep.again = true;
      return;
    }
    sweep.running = true;
    try {
      do {
        sweep.again = false;
        const cutoff = this.clock.now() + DUE_TOLERANCE_MS;
        // fastest first: an endpoint that answers slowly (or times out) holds up no other
        const due = sweep.slots.filter((slot) => slot.dueAt <= cutoff).sort((a, b) => a.tookMs - b.tookMs);
        for (const slot of due) {
          if (this.stopped) return;
          await this.poll(slot, sweep);
        }
      } while (sweep.again && !this.stopped);
    } finally {
      sweep.running = false;
      this.arm(sweep);
    }
  }

  /** Healthy: the next point of the sweep's grid after now. Failing: exponential backoff with jitter. */
  private nextDueAt(slot: Slot, sweep: Sweep, now: number): number {
    const interval = slot.state.intervalMs;
    if (slot.failures === 0) return sweep.anchor + (Math.floor((now - sweep.anchor) / interval) + 1) * interval;
    const backoff = Math.min(interval * 2 ** slot.failures, Math.max(interval, slot.deployment.maxBackoffMs));
    // +-20 % jitter so many failing endpoints do not retry in lockstep.
    return now + Math.round(backoff * (0.8 + 0.4 * this.random()));
  }

  private async poll(slot: Slot, sweep: Sweep): Promise<void> {
    const started = this.clock.now();
    const { deployment } = slot;
    let next: EndpointState;
    try {
      const text = await fetchEndpoint({
        dispatcher: this.deps.dispatcherFor(deployment.id),
        origin: slot.origin,
        path: slot.path,
        timeoutMs: deployment.timeoutMs,
        maxBodyBytes: deployment.maxBodyBytes,
        timers: this.timers,
      });
      // the same bytes as the last good body: the same meta and items, already checked and redacted
      const body = text === slot.lastBody ? slot.state : this.read(slot, text);
      if (this.stopped) return;
      const now = this.clock.now();
      const at = isoAt(now);
      slot.tookMs = now - started;
      slot.failures = 0;
      slot.dueAt = this.nextDueAt(slot, sweep, now);
      next = {
        ...slot.state,
        status: 'ok',
        error: null,
        polledAt: at,
        lastGoodAt: at,
        nextPollAt: isoAt(slot.dueAt),
        latencyMs: now - started,
        meta: body.meta,
        items: body.items,
      };
    } catch (error) {
      if (this.stopped) return;
      const failure = error instanceof HealthFetchError ? error : new HealthFetchError('connect', (error as Error).message);
      const now = this.clock.now();
      slot.tookMs = now - started;
      slot.failures += 1;
      slot.dueAt = this.nextDueAt(slot, sweep, now);
      next = {
        ...slot.state,
        status: 'error',
        error: { kind: failure.kind, message: this.redact(failure.message) },
        polledAt: isoAt(now),
        nextPollAt: isoAt(slot.dueAt),
        latencyMs: null,
      };
    }
    slot.state = next;
    this.deps.onUpdate(next);
    this.deps.onPolled?.(deployment.id, slot.endpoint, next);
  }

  /** Parse, check and redact a body that differs from the last good one; remember it if it is good. */
  private read(slot: Slot, text: string): { meta: Record<string, unknown>; items: Record<string, ItemState> } {
    const json = parseJsonBody(text);
    const seen = new Map<string, { raw: unknown; result: ItemResult }>();
    const read = new Set<ItemResult>();
    let parsed;
    try {
      parsed = parseEndpointBody(slot.endpoint, json, (name, raw) => {
        const last = slot.lastItems.get(name);
        // zod and the redactor are pure: an item equal to the last one gets the same result
        const result = last && jsonEqual(last.raw, raw) ? last.result : (redactDeep(parseItem(slot.endpoint, raw), this.redact) as ItemResult);
        seen.set(name, { raw, result });
        read.add(result);
        return result;
      });
    } catch (error) {
      throw new HealthFetchError('schema', (error as Error).message);
    }
    const entries: Array<[string, ItemState]> = [];
    const shown = new Set<string>();
    for (const name of Object.keys(parsed.items)) {
      const result = parsed.items[name]!;
      // two names that redact alike ("[REDACTED]") stay two items: the later ones are numbered
      let label = this.redact(name);
      if (label !== name) for (let n = 2; shown.has(label); n++) label = `${this.redact(name)} #${n}`;
      shown.add(label);
      entries.push([label, (read.has(result) ? result : redactDeep(result, this.redact)) as ItemState]);
    }
    // no prototype, and "__proto__" an item like any other (see parseEndpointBody)
    const items = recordFrom(entries);
    slot.lastBody = text;
    slot.lastItems = seen;
    return { meta: redactDeep(parsed.meta, this.redact) as Record<string, unknown>, items };
  }
}
