// One host's facts as main sends them, for tests that care about a few of its fields: a healthy
// Debian host read once, every other field filled as the contract requires. The result is parsed,
// so an override the contract refuses fails the test that made it.
import { HostFacts } from './contract';

export function hostFacts(over: Partial<HostFacts> = {}): HostFacts {
  return HostFacts.parse({
    hostId: 'trader-1',
    status: 'ok',
    trouble: 0,
    reasons: [],
    refreshedAt: '2026-11-26T12:00:00.000Z',
    error: null,
    os: 'Debian GNU/Linux 12',
    kernel: 'Linux 6.1',
    uptimeSeconds: 3600,
    load: [0.5, 0.4, 0.3],
    cpus: 4,
    cpuPct: 10,
    memory: null,
    disks: [],
    units: [],
    unitsError: null,
    failedUnits: [],
    failedUnitsError: null,
    processes: [],
    history: { at: [], load1: [], memPct: [], diskPct: [] },
    ...over,
  });
}
