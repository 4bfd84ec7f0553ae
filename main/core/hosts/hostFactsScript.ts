// The one command a host refresh runs: cheap reads only (/proc, df, one `systemctl show` for
// every watched unit), each section behind a marker line so parseHostFacts can find it even
// when a tool is missing or fails on a host. Everything here is fixed text except the unit
// names, which come from the config, are checked against systemd's unit-name alphabet and
// quoted anyway. The two systemctl reads are followed by a status section (exit code and the
// first line systemctl said on stderr), so "no failed units" is never confused with "systemctl
// could not run" (not installed, or a host not booted with systemd).
import { shellQuote } from '../shellQuote';

export const SECTION_MARK = '@@opsdeck:';
/** `units` + this: the exit code of the section's systemctl and the first line of its stderr */
export const STATUS_SUFFIX = '-status';

/** systemd unit names: letters, digits and ":-_.\@" (systemd.unit(5)); a type suffix is required here. */
export const UNIT_NAME = /^[A-Za-z0-9:_.\\@-]{1,200}\.(service|socket|timer|target|mount|path)$/;

export const DEFAULT_UNITS = [
  'autotrader-api.service',
  'autotrader-ingestion.service',
  'autotrader-workers.service',
  'autotrader-seed-queues.service',
  'redis-server.service',
] as const;

export const UNIT_PROPERTIES = ['Id', 'LoadState', 'ActiveState', 'SubState', 'Result', 'MainPID', 'NRestarts', 'ActiveEnterTimestamp', 'Type'] as const;

/** Process probes: name shown in the UI -> extended regex for `pgrep -f` (first char bracketed so the probe never matches itself). */
export const DEFAULT_PROCESSES: Readonly<Record<string, string>> = { 'IB Gateway': '[i]bgateway' };

export function hostFactsScript(units: readonly string[] = DEFAULT_UNITS, processes: Readonly<Record<string, string>> = DEFAULT_PROCESSES): string {
  for (const unit of units) {
    if (!UNIT_NAME.test(unit)) throw new Error(`not a systemd unit name: ${JSON.stringify(unit)}`);
  }
  const mark = (name: string) => `echo ${SECTION_MARK}${name}`;
  // stdout goes on through fd 3; stderr is caught and printed, first line only, after the code
  const checked = (name: string, command: string) =>
    `{ opsdeck_err=$(${command} 2>&1 >&3); opsdeck_rc=$?; } 3>&1; ${mark(`${name}${STATUS_SUFFIX}`)}; printf '%s %s\\n' "$opsdeck_rc" "$opsdeck_err" | head -n 1`;
  const lines = [
    'export LC_ALL=C',
    mark('loadavg'),
    'cat /proc/loadavg',
    mark('meminfo'),
    'cat /proc/meminfo',
    mark('stat'),
    'head -n 1 /proc/stat',
    mark('nproc'),
    'nproc 2>/dev/null || getconf _NPROCESSORS_ONLN',
    mark('uptime'),
    'cat /proc/uptime',
    mark('uname'),
    'uname -sr',
    mark('os'),
    "sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null",
    mark('df'),
    'df -B1 -P -T 2>/dev/null',
    mark('units'),
    checked('units', units.length ? `systemctl show --no-pager -p ${UNIT_PROPERTIES.join(',')} -- ${units.map(shellQuote).join(' ')}` : ':'),
    mark('failed'),
    checked('failed', 'systemctl --failed --plain --no-legend --no-pager'),
  ];
  // sections are numbered in the probes' order; the parser maps the numbers back to names
  Object.values(processes).forEach((pattern, index) => {
    lines.push(mark(`proc:${index}`), `pgrep -a -f -- ${shellQuote(pattern)}`);
  });
  lines.push(mark('end'), 'exit 0');
  return lines.join('\n');
}
