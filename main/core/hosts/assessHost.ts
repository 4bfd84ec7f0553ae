// From parsed facts to what the engineer sees: a status per unit, disk and process, the
// host's overall status, the reasons in words, and a trouble score the fleet list sorts on.
// Pure, so every threshold rule is unit-tested without a host.
import type { DiskFact, HostFacts, UnitFact } from '../../../common/contract';
import { worst, type Status } from '../../../common/status';
import type { ParsedHostFacts, RawDisk, RawUnit } from './parseHostFacts';

export interface Thresholds {
  diskAmberPct: number;
  diskRedPct: number;
}

/** df's Capacity: used over what non-root users can have (used + available), not over size. */
export function diskUsedPct(disk: Pick<RawDisk, 'usedBytes' | 'availableBytes'>): number {
  const denominator = disk.usedBytes + disk.availableBytes;
  return denominator > 0 ? (disk.usedBytes / denominator) * 100 : 0;
}

export function assessDisk(disk: RawDisk, thresholds: Thresholds): DiskFact {
  const usedPct = diskUsedPct(disk);
  const status: Status = usedPct > thresholds.diskRedPct ? 'fail' : usedPct > thresholds.diskAmberPct ? 'warn' : 'ok';
  return { ...disk, usedPct: Math.round(usedPct * 10) / 10, status };
}

export function assessUnit(unit: RawUnit): UnitFact {
  const { type: _type, ...shown } = unit;
  const base = { ...shown };
  if (unit.load !== 'loaded') return { ...base, status: 'fail', why: `not loaded (${unit.load})` };
  switch (unit.active) {
    case 'active':
      // the start time has its own field (shown as a tooltip): the reason stays short
      return { ...base, status: 'ok', why: unit.sub === 'exited' ? 'finished' : unit.sub };
    case 'failed':
      return { ...base, status: 'fail', why: `failed (${unit.result || unit.sub})` };
    case 'activating':
    case 'deactivating':
    case 'reloading':
      return { ...base, status: 'warn', why: `${unit.active} (${unit.sub})${unit.restarts ? `, ${unit.restarts} restarts` : ''}` };
    case 'inactive':
      // a oneshot that ran and succeeded (seed-queues) is meant to be inactive; anything else stopped
      if (unit.type === 'oneshot' && (unit.result === 'success' || unit.result === '')) return { ...base, status: 'ok', why: 'finished (oneshot)' };
      return { ...base, status: 'fail', why: `stopped (${unit.sub})` };
    default:
      return { ...base, status: 'unknown', why: `${unit.active} (${unit.sub})` };
  }
}

export interface Assessment {
  status: Status;
  trouble: number;
  reasons: string[];
  disks: DiskFact[];
  units: UnitFact[];
  processes: HostFacts['processes'];
}

export function assessHost(parsed: ParsedHostFacts, thresholds: Thresholds): Assessment {
  const disks = parsed.disks.map((d) => assessDisk(d, thresholds));
  const units = parsed.units.map(assessUnit);
  const processes = parsed.processes.map((p) => ({ ...p, running: p.pids.length > 0 }));
  const reasons: string[] = [];
  const statuses: Status[] = [];
  let trouble = 0;
  for (const u of units) {
    statuses.push(u.status);
    if (u.status === 'fail') {
      trouble += 100;
      reasons.push(`${u.unit} ${u.why}`);
    } else if (u.status === 'warn') {
      trouble += 20;
      reasons.push(`${u.unit} ${u.why}`);
    }
  }
  const listed = new Set(units.map((u) => u.unit));
  for (const failed of parsed.failedUnits) {
    if (listed.has(failed)) continue;
    statuses.push('fail');
    trouble += 50;
    reasons.push(`${failed} failed`);
  }
  for (const d of disks) {
    statuses.push(d.status);
    if (d.status !== 'ok') {
      trouble += d.status === 'fail' ? 80 : 30;
      reasons.push(`disk ${d.mount} ${d.usedPct} % used`);
    }
  }
  for (const p of processes) {
    // a missing IB Gateway is worth a look, not an alarm: not every host runs one
    if (!p.running) {
      statuses.push('warn');
      trouble += 5;
      reasons.push(`${p.name} not running`);
    }
  }
  if (parsed.load && parsed.cpus) {
    const perCpu = parsed.load[0] / parsed.cpus;
    if (perCpu > 2) {
      statuses.push('warn');
      reasons.push(`load ${parsed.load[0].toFixed(2)} on ${parsed.cpus} CPUs`);
    }
    trouble += Math.min(perCpu, 10);
  }
  if (parsed.memory && parsed.memory.availableBytes / parsed.memory.totalBytes < 0.05) {
    statuses.push('warn');
    trouble += 30;
    reasons.push('memory almost exhausted');
  }
  // systemctl could not answer: the units are not known to be fine, and the host is not green
  for (const [what, why] of [
    ['units', parsed.unitsError],
    ['systemctl --failed', parsed.failedUnitsError],
  ] as const) {
    if (!why) continue;
    statuses.push('unknown');
    trouble += 10;
    reasons.push(`${what} unknown: ${why}`);
  }
  if (parsed.notes.length || !parsed.complete) {
    statuses.push('warn');
    trouble += 10;
    reasons.push(parsed.complete ? `could not read ${parsed.notes.join(', ')}` : 'the facts script did not finish');
  }
  // a host with nothing wrong found is ok: it answered, and every check passed
  return { status: worst(['ok', ...statuses]), trouble: Math.round(trouble * 100) / 100, reasons, disks, units, processes };
}

/** Fleet list order: most trouble first, then unreachable, then by label. */
export function byTrouble<T extends { trouble: number; label: string }>(a: T, b: T): number {
  return b.trouble - a.trouble || a.label.localeCompare(b.label);
}
