// Turns the output of hostFactsScript into figures. Pure: no I/O, no clock. A section that is
// missing or unreadable leaves its figure null (or empty) and adds a note, so one broken tool on
// a host never hides the rest of its facts. Output from a hostile host is bounded: only the
// first lines of each section are read, every string is cut to a sane length.
import { SECTION_MARK, STATUS_SUFFIX } from './hostFactsScript';

export interface CpuTimes {
  /** jiffies spent busy (user + nice + system + irq + softirq + steal) */
  busy: number;
  total: number;
}

export interface RawUnit {
  unit: string;
  load: string;
  active: string;
  sub: string;
  result: string;
  type: string;
  mainPid: number | null;
  restarts: number | null;
  since: string | null;
}

export interface RawDisk {
  filesystem: string;
  type: string;
  mount: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
}

export interface RawProcess {
  name: string;
  pids: number[];
  commands: string[];
}

export interface ParsedHostFacts {
  load: [number, number, number] | null;
  memory: { totalBytes: number; usedBytes: number; availableBytes: number; swapTotalBytes: number; swapUsedBytes: number } | null;
  cpu: CpuTimes | null;
  cpus: number | null;
  uptimeSeconds: number | null;
  kernel: string | null;
  os: string | null;
  disks: RawDisk[];
  units: RawUnit[];
  failedUnits: string[];
  /** why the watched units could not be read (systemctl failed or did not report); null when it answered */
  unitsError: string | null;
  /** why `systemctl --failed` could not be read; null when it answered (then an empty list means none) */
  failedUnitsError: string | null;
  processes: RawProcess[];
  /** sections that were missing or could not be read */
  notes: string[];
  /** the end marker was seen: the script ran to completion */
  complete: boolean;
}

const MAX_LINES_PER_SECTION = 400;
const MAX_STRING = 300;

const cut = (s: string): string => (s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s);

export function splitSections(output: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of output.split('\n')) {
    if (line.startsWith(SECTION_MARK)) {
      const name = line.slice(SECTION_MARK.length).trim();
      // a repeated marker (a hostile host echoing our markers) must not merge sections
      if (sections.has(name)) {
        current = null;
        continue;
      }
      current = [];
      sections.set(name, current);
      continue;
    }
    if (current && current.length < MAX_LINES_PER_SECTION) current.push(line.replace(/\r$/, ''));
  }
  return sections;
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

function parseLoad(lines: string[] | undefined): [number, number, number] | null {
  const parts = (lines?.[0] ?? '').trim().split(/\s+/).slice(0, 3).map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || n < 0)) return null;
  return parts as [number, number, number];
}

function parseMeminfo(lines: string[] | undefined): ParsedHostFacts['memory'] {
  const kb = new Map<string, number>();
  for (const line of lines ?? []) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  if (total === undefined || total <= 0) return null;
  // MemAvailable is the kernel's own estimate (3.14+); `free` computes "used" as total - available
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  const swapTotal = kb.get('SwapTotal') ?? 0;
  const swapFree = kb.get('SwapFree') ?? 0;
  return {
    totalBytes: total,
    availableBytes: available,
    usedBytes: Math.max(0, total - available),
    swapTotalBytes: swapTotal,
    swapUsedBytes: Math.max(0, swapTotal - swapFree),
  };
}

function parseCpu(lines: string[] | undefined): CpuTimes | null {
  const m = /^cpu\s+(.*)$/.exec(lines?.[0] ?? '');
  if (!m) return null;
  const f = m[1]!.trim().split(/\s+/).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n) || n < 0)) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

function parseDf(lines: string[] | undefined): RawDisk[] {
  const disks: RawDisk[] = [];
  for (const line of (lines ?? []).slice(1)) {
    // Filesystem Type 1-blocks Used Available Capacity Mounted-on; the mount point may hold spaces
    const m = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(\/.*)$/.exec(line);
    if (!m) continue;
    const [, filesystem, type, size, used, avail, mount] = m;
    const disk = {
      filesystem: cut(filesystem!),
      type: cut(type!),
      mount: cut(mount!),
      sizeBytes: Number(size),
      usedBytes: Number(used),
      availableBytes: Number(avail),
    };
    if (isPseudoMount(disk)) continue;
    disks.push(disk);
  }
  return disks;
}

/** Kernel and runtime mounts nobody fills by hand: /dev, /run, /sys, /proc tmpfs and friends, zero-sized ones. */
export function isPseudoMount(disk: Pick<RawDisk, 'type' | 'mount' | 'sizeBytes'>): boolean {
  if (disk.sizeBytes === 0) return true;
  if (['proc', 'sysfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2', 'squashfs', 'efivarfs', 'securityfs'].includes(disk.type)) return true;
  return disk.type === 'tmpfs' && /^\/(dev|run|sys|proc)(\/|$)/.test(disk.mount);
}

function parseUnits(lines: string[] | undefined): RawUnit[] {
  const units: RawUnit[] = [];
  let props = new Map<string, string>();
  const flush = () => {
    const id = props.get('Id');
    if (id) {
      const pid = Number(props.get('MainPID'));
      const restarts = Number(props.get('NRestarts'));
      const since = props.get('ActiveEnterTimestamp') ?? '';
      units.push({
        unit: cut(id),
        load: cut(props.get('LoadState') ?? 'unknown'),
        active: cut(props.get('ActiveState') ?? 'unknown'),
        sub: cut(props.get('SubState') ?? 'unknown'),
        result: cut(props.get('Result') ?? ''),
        type: cut(props.get('Type') ?? ''),
        mainPid: Number.isInteger(pid) && pid > 0 ? pid : null,
        restarts: props.has('NRestarts') && Number.isInteger(restarts) ? restarts : null,
        since: since && since !== 'n/a' ? cut(since) : null,
      });
    }
    props = new Map();
  };
  for (const line of lines ?? []) {
    if (!line.trim()) {
      flush();
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1));
  }
  flush();
  return units;
}

function parseFailed(lines: string[] | undefined): string[] {
  const failed: string[] = [];
  for (const line of lines ?? []) {
    // "UNIT LOAD ACTIVE SUB DESCRIPTION"; with --plain no bullet, but older systemd prints "●"
    const unit = line
      .replace(/^[●*]\s*/, '')
      .trim()
      .split(/\s+/)[0];
    if (unit && failed.length < 100) failed.push(cut(unit));
  }
  return failed;
}

/**
 * A systemctl read's status section: "0 " when it answered, else its exit code and the first
 * line it printed on stderr. A missing status is unknown too: the script stopped before it.
 */
export function sectionError(sections: Map<string, string[]>, name: string): string | null {
  const status = sections.get(`${name}${STATUS_SUFFIX}`);
  if (!status) return sections.has('end') ? 'systemctl did not report' : 'the facts script stopped before systemctl answered';
  const m = /^(\d+) ?(.*)$/.exec((status[0] ?? '').trim());
  if (!m) return 'systemctl did not report';
  const code = Number(m[1]);
  if (code === 0) return null;
  const said = m[2]!.trim();
  if (code === 127) return 'systemctl is not installed on this host';
  return cut(`systemctl exited ${code}${said ? `: ${said}` : ''}`);
}

function parseProcesses(sections: Map<string, string[]>, names: readonly string[]): RawProcess[] {
  return names.map((name, index) => {
    const pids: number[] = [];
    const commands: string[] = [];
    for (const line of sections.get(`proc:${index}`) ?? []) {
      const m = /^(\d+)\s+(.*)$/.exec(line);
      if (!m || pids.length >= 20) continue;
      pids.push(Number(m[1]));
      // Only the program, never its arguments: launchers such as IBC pass the IB user and
      // password on the command line, and these facts go to the renderer.
      commands.push(cut(m[2]!.split(/\s+/, 1)[0] ?? ''));
    }
    return { name, pids, commands };
  });
}

export function parseHostFacts(output: string, processNames: readonly string[] = []): ParsedHostFacts {
  const sections = splitSections(output);
  const notes: string[] = [];
  const need = <T>(name: string, value: T): T => {
    if (value === null || (Array.isArray(value) && value.length === 0 && !sections.has(name)))
      notes.push(`${name}: ${sections.has(name) ? 'unreadable' : 'missing'}`);
    return value;
  };
  const uptime = Number((sections.get('uptime')?.[0] ?? '').trim().split(/\s+/)[0]);
  const nproc = Number((sections.get('nproc')?.[0] ?? '').trim());
  const osLine = (sections.get('os')?.[0] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2');
  const kernel = (sections.get('uname')?.[0] ?? '').trim();
  return {
    load: need('loadavg', parseLoad(sections.get('loadavg'))),
    memory: need('meminfo', parseMeminfo(sections.get('meminfo'))),
    cpu: need('stat', parseCpu(sections.get('stat'))),
    cpus: need('nproc', Number.isInteger(nproc) && nproc > 0 ? nproc : null),
    uptimeSeconds: need('uptime', finiteOrNull(uptime) !== null && uptime >= 0 ? uptime : null),
    kernel: need('uname', kernel ? cut(kernel) : null),
    os: osLine ? cut(osLine) : null,
    disks: need('df', parseDf(sections.get('df'))),
    units: need('units', parseUnits(sections.get('units'))),
    failedUnits: parseFailed(sections.get('failed')),
    unitsError: sectionError(sections, 'units'),
    failedUnitsError: sectionError(sections, 'failed'),
    processes: parseProcesses(sections, processNames),
    notes,
    complete: sections.has('end'),
  };
}
