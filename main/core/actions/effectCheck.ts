// How a catalog action's effect is checked on the host afterwards, so a run cut off before its
// exit status came back ("unknown") can be settled once the host answers again. The check reads
// state only; it measures time on the host's own monotonic clock against the time elapsed on
// ours since the intent, so clock skew between the two does not matter.
import { z } from 'zod';
import { shellQuote } from '../shellQuote';
import { recordFrom } from '../../../common/emptyRecord';

const Units = z.array(z.string().min(1)).min(1);

export const EffectCheckDef = z.discriminatedUnion('check', [
  /** the units are active and entered that state after the intent (restart, start) */
  z.object({ check: z.literal('unit-started'), units: Units }).strict(),
  /** the units are inactive and left the active state after the intent (stop) */
  z.object({ check: z.literal('unit-stopped'), units: Units }).strict(),
  /**
   * a read-only sh script whose first line is `done: <what it saw>` or `not done: <what it saw>`;
   * parameters reach it only as "$1", "$2"… from `args`
   */
  z.object({ check: z.literal('script'), script: z.string().min(1), args: z.array(z.string()).default([]) }).strict(),
  /** nothing on the host shows whether it happened: the run stays unknown, with this reason */
  z.object({ check: z.literal('none'), why: z.string().min(1) }).strict(),
]);
export type EffectCheckDef = z.infer<typeof EffectCheckDef>;

// One `systemctl show` per unit, then the host's monotonic clock in microseconds (the clock
// systemd's *TimestampMonotonic values are on).
const UNIT_SCRIPT = [
  'for u do systemctl show -p Id -p ActiveState -p ActiveEnterTimestampMonotonic -p InactiveEnterTimestampMonotonic "$u" || exit 1; echo; done',
  'python3 -c \'import time; print("now=%d" % (time.monotonic() * 1000000))\'',
].join('\n');

/** The check's command line, or null when the action's effect cannot be checked. */
export function renderEffectCheck(actionId: string, def: EffectCheckDef, fill: (word: string) => string): string | null {
  if (def.check === 'none') return null;
  if (def.check === 'script')
    return ['sh', '-c', shellQuote(def.script), shellQuote(`${actionId}:check`), ...def.args.map((w) => shellQuote(fill(w)))].join(' ');
  return ['sh', '-c', shellQuote(UNIT_SCRIPT), shellQuote(`${actionId}:check`), ...def.units.map((w) => shellQuote(fill(w)))].join(' ');
}

export interface Settlement {
  state: 'succeeded' | 'failed';
  /** e.g. "verified: ActiveEnterTimestamp moved" */
  evidence: string;
}

/**
 * Reads the check's output. `elapsedMs` is the time since the intent on the console's clock.
 * Returns null when it cannot tell yet (unreadable output, a unit still starting or stopping):
 * the run stays unknown and is checked again.
 */
export function interpretEffectCheck(def: EffectCheckDef, stdout: string, elapsedMs: number): Settlement | null {
  if (def.check === 'none') return null;
  if (def.check === 'script') {
    const first = stdout.split('\n')[0]!.trim();
    const m = /^(done|not done): (.+)$/.exec(first);
    if (!m) return null;
    return { state: m[1] === 'done' ? 'succeeded' : 'failed', evidence: `verified: ${m[2]}` };
  }
  const now = /^now=(\d+)$/m.exec(stdout);
  if (!now) return null;
  const hostNowUs = Number(now[1]);
  const units = stdout
    .split(/\n\s*\n/)
    .map(
      (block) =>
        recordFrom(block.split('\n').flatMap((l) => (/^[A-Za-z]+=/.test(l) ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]] : []))) as Record<
          string,
          string
        >,
    )
    .filter((u) => u.Id);
  if (!units.length) return null;
  const started = def.check === 'unit-started';
  const field = started ? 'ActiveEnterTimestampMonotonic' : 'InactiveEnterTimestampMonotonic';
  const label = started ? 'ActiveEnterTimestamp' : 'InactiveEnterTimestamp';
  for (const u of units) {
    const state = u.ActiveState ?? 'unknown';
    // still on its way: look again later rather than settle on a state in passing
    if (state === 'activating' || state === 'deactivating' || state === 'reloading') return null;
    const wanted = started ? state === 'active' : state === 'inactive' || state === 'failed';
    if (!wanted) return { state: 'failed', evidence: `verified: ${u.Id} is ${state}` };
    const at = Number(u[field]);
    // entered the state no longer ago than the intent was written: it happened after the intent
    const moved = Number.isFinite(at) && at > 0 && hostNowUs - at <= elapsedMs * 1000;
    if (!moved) return { state: 'failed', evidence: `verified: ${u.Id}'s ${label} did not move` };
  }
  return { state: 'succeeded', evidence: `verified: ${label} moved` };
}
