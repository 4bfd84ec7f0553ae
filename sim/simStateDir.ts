import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../common/logger';
import { isScenarioName, UNITS, type ScenarioName, type UnitName } from './scenarios';

/** The file a unit's start touches, e.g. `restart-autotrader-ingestion`. */
export function restartMarkerName(unit: UnitName): string {
  return `restart-${unit}`;
}

/**
 * `--state-dir`: the scenario survives a restart of the simulator's unit (scenario.json,
 * written atomically), and the host's units tell the simulator they restarted by touching a
 * marker file here (`ExecStartPost=touch DIR/restart-autotrader-ingestion`). Only a change of
 * a marker's mtime after the simulator started counts, so a stale marker is never replayed.
 */
export class SimStateDir {
  private readonly seen = new Map<UnitName, number>();

  constructor(
    readonly dir: string,
    private readonly logger: Pick<Logger, 'warn'> = silentLogger,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const unit of UNITS) this.seen.set(unit, this.markerMtime(unit));
  }

  readScenario(): ScenarioName | null {
    const file = join(this.dir, 'scenario.json');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = JSON.parse(text) as { name?: unknown };
      if (isScenarioName(parsed.name)) return parsed.name;
      this.logger.warn('ignoring scenario.json: "name" is not a known scenario', { file });
    } catch (error) {
      this.logger.warn('ignoring scenario.json: not JSON', { file, error: String(error) });
    }
    return null;
  }

  writeScenario(name: ScenarioName, since: number): void {
    const file = join(this.dir, 'scenario.json');
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ name, since: new Date(since).toISOString() })}\n`);
    renameSync(tmp, file);
  }

  /** Units whose marker changed since the last call. */
  restartedUnits(): UnitName[] {
    const out: UnitName[] = [];
    for (const unit of UNITS) {
      const mtime = this.markerMtime(unit);
      if (mtime !== this.seen.get(unit)) {
        this.seen.set(unit, mtime);
        if (mtime > 0) out.push(unit);
      }
    }
    return out;
  }

  private markerMtime(unit: UnitName): number {
    try {
      return statSync(join(this.dir, restartMarkerName(unit))).mtimeMs;
    } catch {
      return 0;
    }
  }
}
